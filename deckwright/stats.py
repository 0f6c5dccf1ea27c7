"""`deckwright stats`: slides per deck, part and chapter, the time they take, and where chapters are used."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import posixpath
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .builder import Workshop, deck_inputs
from .checks.load import LoadedDeck, load_decks, open_workshop
from .checks.text import analyse
from .cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_project_arguments, open_project
from .errors import DeckwrightError, Problem
from .manifest import Mappings, parse_yaml
from .model import Deck, Entry, Manifest, Slide, SourceLoc
from .widths import pad, shown_width

JSON_VERSION = 1
MINUTES_PER_SLIDE = 0.4
MINUTES_PER_LAB = 1.0
HOURS_PER_DAY = 6.0
LAB_CLASSES = frozenset(("lab", "exercise"))


@dataclass(frozen=True)
class Pace:
    """How fast a trainer goes: minutes per shown slide (a `--` step is one), per lab."""

    per_slide: float = MINUTES_PER_SLIDE
    per_lab: float = MINUTES_PER_LAB
    hours_per_day: float = HOURS_PER_DAY


@dataclass
class Counts:
    """Slides as remark counts them, and what kind they are."""

    shown: int = 0
    toc: int = 0
    title: int = 0
    picture: int = 0
    extra_details: int = 0  # shown slides of class extra-details
    labs: int = 0  # slides holding a .lab[ or .exercise[ block

    @property
    def generated(self) -> int:
        return self.toc + self.title + self.picture

    def minutes(self, pace: Pace) -> float:
        """Generated slides take no time of their own; each lab takes its own time."""
        return pace.per_slide * (self.shown - self.generated) + pace.per_lab * self.labs

    def add(self, other: Counts) -> None:
        for name in ("shown", "toc", "title", "picture", "extra_details", "labs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


_GENERATED = {"table of contents": "toc", "title slide": "title", "picture": "picture"}


def slide_counts(slide: Slide, authors: Slide | None) -> Counts:
    """One slide's counts; `authors` is the slide as written (for its labs). A `layout: true`
    slide counts for nothing: remark does not show it, but puts its text on the next ones."""
    if slide.is_layout:
        return Counts()
    counts = Counts(shown=len(slide.steps))
    if slide.generated:
        setattr(counts, _GENERATED.get(slide.generated, "title"), 1)
    if "extra-details" in slide.classes:
        counts.extra_details = len(slide.steps)
    if authors is not None and is_lab(authors):
        counts.labs = 1
    return counts


def is_lab(slide: Slide) -> bool:
    for step in slide.steps:
        if ".lab" in step.text or ".exercise" in step.text:
            for tok in analyse(step.text).tokens:
                if tok.kind == "content" and LAB_CLASSES.intersection(tok.text.split(".")):
                    return True
    return False


@dataclass
class ChapterStats:
    chapter: str  # the chapter's path, or `manifest.yml:LINE` for inline Markdown
    part: int | None
    counts: Counts = field(default_factory=Counts)


@dataclass
class PartStats:
    part: int | None  # None: the front matter outside parts
    counts: Counts = field(default_factory=Counts)
    chapters: list[ChapterStats] = field(default_factory=list)


@dataclass
class DeckStats:
    manifest: str
    html: str
    title: str
    counts: Counts = field(default_factory=Counts)
    parts: list[PartStats] = field(default_factory=list)
    duration: str | None = None  # the manifest's `duration`, as written
    duration_minutes: float | None = None


def entry_name(entry: Entry) -> str:
    return entry.path if entry.path is not None else f"{entry.loc.path}:{entry.loc.line}"


class _Owners:
    """Which manifest entry each slide of a compiled deck comes from, found by its location.

    Generated slides carry the location of the slide they were made for (a chapter title,
    the `@@TOC@@` slide), so they count with that chapter. That location is the slide's first
    line of text (`Step.top`), past the blank lines after a `---`: slides are found by it. A
    location seen in two entries (one file included by two chapters) goes to the first such
    entry not before the last one.
    """

    def __init__(self, workshop: Workshop, manifest: Manifest) -> None:
        self.candidates: dict[SourceLoc, list[tuple[int, Slide]]] = {}
        for number, entry in enumerate(manifest.entries):
            try:
                slides = workshop.chapter(entry).slides
            except DeckwrightError:
                continue
            for slide in slides:
                self.candidates.setdefault(slide.steps[0].top, []).append((number, slide))
        self.current = 0

    def owner(self, slide: Slide) -> tuple[int, Slide | None]:
        found = self.candidates.get(slide.steps[0].top, [])
        for number, authors in found:
            if number >= self.current:
                self.current = number
                return number, authors
        return self.current, None


def deck_stats(workshop: Workshop, loaded: LoadedDeck, pace: Pace) -> DeckStats:
    """The counts of a loaded deck, per part and per chapter, in deck order."""
    assert loaded.deck is not None
    return count_deck(workshop, loaded.deck, loaded.text, pace)


def count_deck(workshop: Workshop, deck: Deck, manifest_text: str, pace: Pace) -> DeckStats:
    """The counts of a compiled deck, per part and per chapter, in deck order, and the length
    its manifest (`manifest_text`) declares; `deckwright site` counts its decks with it too."""
    manifest = deck.manifest
    stats = DeckStats(manifest.path, manifest.html, " ".join(manifest.title.split()))
    # Every entry has its row, one whose slides the deck all excludes too (0 shown): it is
    # listed, as `--where-used` says, and a trainer sees that it shows nothing here.
    chapters = [ChapterStats(entry_name(entry), entry.part) for entry in manifest.entries]
    owners = _Owners(workshop, manifest)
    for slide in deck.slides:
        number, written = owners.owner(slide)
        chapters[number].counts.add(slide_counts(slide, None if slide.generated else written))
    parts: dict[int | None, PartStats] = {}
    for chapter in chapters:
        part = parts.setdefault(chapter.part, PartStats(chapter.part))
        part.chapters.append(chapter)
        part.counts.add(chapter.counts)
        stats.counts.add(chapter.counts)
    stats.parts = list(parts.values())
    stats.duration = declared_duration(manifest_text)
    if stats.duration is not None:
        stats.duration_minutes = parse_duration(stats.duration, pace.hours_per_day)
    return stats


# --- the manifest's length -------------------------------------------------------------------

def declared_duration(manifest_text: str) -> str | None:
    """The manifest's optional `duration` key (e.g. "1 day", "2 days", "half day", "4h")."""
    # Only the scalar is read: building the whole document would expand YAML aliases.
    try:
        root = parse_yaml("", manifest_text)
    except DeckwrightError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    # Read as the build reads the manifest (a merged `<<: *defaults` too); its problems are its.
    _, value = Mappings("", []).fields(root).get("duration", (None, None))
    if isinstance(value, yaml.ScalarNode):
        return None if value.tag.endswith(":null") else str(value.value)
    return None


_UNIT_MINUTES = {"d": None, "h": 60.0, "m": 1.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)?\s*", re.IGNORECASE)


def parse_duration(text: str, hours_per_day: float = HOURS_PER_DAY) -> float | None:
    """Minutes in "1 day", "2 days", "half day", "4h", "3h30", "90 min" (None if unreadable)."""
    text = text.strip().lower()
    if re.fullmatch(r"half[- ]?day", text):
        return hours_per_day * 30
    total, pos, last_unit = 0.0, 0, ""
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        unit = (m.group(2) or ("m" if last_unit == "h" else ""))[:1]
        if not unit:
            return None
        per = hours_per_day * 60 if unit == "d" else _UNIT_MINUTES[unit]
        total += float(m.group(1)) * (per or 0)
        pos, last_unit = m.end(), unit
    return total if total > 0 else None


def estimate(counts: Counts, pace: Pace) -> int:
    """The estimated time in whole minutes: what `stats` prints ("0h12") and the site's index
    shows ("12 min"); the JSON and CSV give it to a tenth of a minute."""
    return round(counts.minutes(pace))


def hours(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60}h{whole % 60:02d}"


# --- where a chapter is used, which decks a change affects -----------------------------------

@dataclass(frozen=True)
class Use:
    chapter: str
    deck: str
    part: int | None
    line: int  # the manifest line of the entry
    via: str | None  # the chapter that includes it, when it is not an entry itself


def where_used(workshop: Workshop, loaded: list[LoadedDeck], chapter: str) -> list[Use]:
    uses = []
    for deck in loaded:
        for entry in deck.manifest.entries if deck.manifest else ():
            if entry.path == chapter:
                uses.append(Use(chapter, deck.path, entry.part, entry.loc.line, None))
                continue
            try:
                files = workshop.chapter(entry).files
            except DeckwrightError:
                continue
            if chapter in files:
                uses.append(Use(chapter, deck.path, entry.part, entry.loc.line, entry_name(entry)))
    return uses


def affected(workshop: Workshop, loaded: list[LoadedDeck], changed: list[Path]) -> dict[str, list[str]]:
    """Deck -> the changed files it is built from; a deck that does not build is always listed."""
    result: dict[str, list[str]] = {}
    root = workshop.project.root
    for deck in loaded:
        inputs = deck_inputs(workshop, deck.path, deck.manifest, deck.deck)
        hits = sorted({_shown(p, root) for p in changed if p in inputs})
        if deck.build_errors:
            hits = hits or ["(the deck does not build)"]
        if hits:
            result[deck.path] = hits
    return result


def _shown(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def resolve_changed(name: str, root: Path, repo_root: Path) -> list[Path]:
    """The absolute paths a changed file may be: as given from here, else from the content
    folder or the repository (CI tools list paths from the repository's top)."""
    path = Path(name)
    if path.is_absolute():
        return [Path(os.path.normpath(path))]
    here = Path(os.path.normpath(Path.cwd() / path))
    if here.exists():
        return [here]
    return [here] + [Path(os.path.normpath(base / path)) for base in (root, repo_root)]


def _exists(name: str, root: Path) -> bool:
    """Whether a file named on the command line is there, from here or from the content folder
    (a typo would otherwise be "not used by any deck")."""
    return (Path.cwd() / name).is_file() or (root / name).is_file()


def resolve_chapter(name: str, root: Path) -> str:
    """A chapter named on the command line, as a path relative to the content folder."""
    here = Path.cwd() / name
    if here.is_file() and here.resolve().is_relative_to(root):
        return here.resolve().relative_to(root).as_posix()
    return posixpath.normpath(name)


# --- output ---------------------------------------------------------------------------------

def counts_dict(counts: Counts, pace: Pace) -> dict[str, object]:
    return {
        "shown": counts.shown,
        "generated": {"toc": counts.toc, "title": counts.title, "picture": counts.picture},
        "extra_details": counts.extra_details,
        "labs": counts.labs,
        "minutes": round(counts.minutes(pace), 1),
    }


def stats_json(decks: list[DeckStats], pace: Pace, problems: list[Problem]) -> dict[str, object]:
    return {
        "version": JSON_VERSION,
        "pace": {
            "minutes_per_slide": pace.per_slide,
            "minutes_per_lab": pace.per_lab,
            "hours_per_day": pace.hours_per_day,
        },
        "decks": [
            {
                "manifest": d.manifest,
                "html": d.html,
                "title": d.title,
                **counts_dict(d.counts, pace),
                "duration": None if d.duration is None else {
                    "declared": d.duration,
                    "minutes": d.duration_minutes,
                },
                "parts": [
                    {
                        "part": p.part,
                        **counts_dict(p.counts, pace),
                        "chapters": [
                            {"chapter": c.chapter, **counts_dict(c.counts, pace)} for c in p.chapters
                        ],
                    }
                    for p in d.parts
                ],
            }
            for d in decks
        ],
        "problems": [problem_dict(p) for p in problems],
    }


def problem_dict(problem: Problem) -> dict[str, object]:
    return {
        "path": problem.loc.path,
        "line": problem.loc.line,
        "severity": problem.severity,
        "message": problem.message,
    }


CSV_COLUMNS = ["deck", "level", "part", "chapter", "shown", "toc", "title", "picture",
               "extra_details", "labs", "minutes"]


def stats_rows(decks: list[DeckStats], pace: Pace) -> list[list[object]]:
    rows: list[list[object]] = []

    def row(deck: DeckStats, level: str, part: int | None, chapter: str, c: Counts) -> None:
        rows.append([deck.manifest, level, "" if part is None else part, chapter, c.shown, c.toc,
                     c.title, c.picture, c.extra_details, c.labs, round(c.minutes(pace), 1)])

    for d in decks:
        row(d, "deck", None, "", d.counts)
        for p in d.parts:
            row(d, "part", p.part, "", p.counts)
            for c in p.chapters:
                row(d, "chapter", p.part, c.chapter, c.counts)
    return rows


def to_csv(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def stats_text(decks: list[DeckStats], pace: Pace) -> str:
    lines = []
    for d in decks:
        c = d.counts
        lines.append(f"{d.manifest}: {d.title}")
        lines.append(
            f"  {c.shown} slides shown ({c.generated} generated: {c.toc} toc, {c.title} title, "
            f"{c.picture} picture; {c.extra_details} extra details; {c.labs} labs), "
            f"about {hours(estimate(c, pace))}"
        )
        if d.duration is not None:
            lines.append("  " + _against(d, pace))
        # as wide as the longest chapter path (indented 2 more), so that columns line up
        width = max([44] + [shown_width(ch.chapter) + 2 for p in d.parts for ch in p.chapters])
        lines.append(f"  {'':<{width}} {'shown':>6} {'gen':>4} {'extra':>5} {'labs':>4} {'time':>6}")
        for p in d.parts:
            label = "front matter" if p.part is None else f"part {p.part}"
            lines.append("  " + _row(label, p.counts, pace, width))
            for ch in p.chapters:
                lines.append("    " + _row(ch.chapter, ch.counts, pace, width - 2))
        lines.append("")
    lines.append(f"pace: {pace.per_slide:g} min per slide, {pace.per_lab:g} min per lab, "
                 f"{pace.hours_per_day:g} h per day")
    return "\n".join(lines) + "\n"


def _row(label: str, c: Counts, pace: Pace, width: int = 44) -> str:
    return (f"{pad(label, width)} {c.shown:>6} {c.generated:>4} {c.extra_details:>5} {c.labs:>4} "
            f"{hours(estimate(c, pace)):>6}")


def _against(d: DeckStats, pace: Pace) -> str:
    if d.duration_minutes is None:
        return f"length: '{d.duration}' is not a length deckwright reads (e.g. '1 day', '4h', '90 min')"
    share = (d.counts.minutes(pace) - d.duration_minutes) / d.duration_minutes * 100
    side = "over" if share >= 0 else "under"
    return (f"length: {d.duration} = {hours(d.duration_minutes)}; the estimate is "
            f"{abs(share):.0f}% {side}")


# --- command line -------------------------------------------------------------------------

def _number(text: str, least: float, strictly: bool) -> float:
    """A pace option's number: finite, and at least (or more than) `least`."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value < least or (strictly and value == least):
        bound = f"more than {least:g}" if strictly else f"{least:g} or more"
        raise argparse.ArgumentTypeError(f"not a number {bound}: {text!r}")
    return value


def _minutes(text: str) -> float:
    return _number(text, 0, strictly=False)


def _hours(text: str) -> float:
    return _number(text, 0, strictly=True)


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "stats",
        help="count slides per deck, part and chapter; estimate durations; find where chapters are used",
        description="Count the slides of each deck as remark shows them (each `--` step is one, "
        "excluded classes removed), per part and per chapter: generated slides (table of contents, "
        "title, picture), extra details, labs (.lab[ or .exercise[ blocks), and an estimated "
        "duration. A manifest may state its length with a `duration` key ('1 day', '2 days', "
        "'half day', '4h', '90 min'); the estimate is compared with it.",
    )
    add_project_arguments(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="output format (default: text)")
    p.add_argument("--minutes-per-slide", type=_minutes, default=MINUTES_PER_SLIDE, metavar="MIN",
                   help=f"time per shown slide, generated ones aside (default: {MINUTES_PER_SLIDE:g})")
    p.add_argument("--minutes-per-lab", type=_minutes, default=MINUTES_PER_LAB, metavar="MIN",
                   help=f"time per lab, on top of its slides (default: {MINUTES_PER_LAB:g})")
    p.add_argument("--hours-per-day", type=_hours, default=HOURS_PER_DAY, metavar="H",
                   help=f"teaching hours in a day, for a `duration` in days (default: {HOURS_PER_DAY:g})")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--where-used", nargs="+", metavar="CHAPTER",
                      help="list the decks and parts that use each CHAPTER (directly or included)")
    mode.add_argument("--changed", nargs="+", metavar="FILE",
                      help="list the decks that these changed files affect (for CI on a pull request)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    opened = open_project(args)
    if opened is None:
        return EXIT_USAGE
    project, manifests = opened
    manifests = manifests or project.manifests()
    workshop = open_workshop(str(project.root))
    loaded = load_decks(workshop, manifests)
    if args.where_used:
        return _run_where_used(args, workshop, loaded)
    if args.changed:
        return _run_changed(args, workshop, loaded)
    pace = Pace(args.minutes_per_slide, args.minutes_per_lab, args.hours_per_day)
    problems = _failures(workshop, loaded)
    decks = [deck_stats(workshop, d, pace) for d in loaded if not d.build_errors]
    if args.format == "json":
        sys.stdout.write(json.dumps(stats_json(decks, pace, problems), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(to_csv(CSV_COLUMNS, stats_rows(decks, pace)))
    else:
        sys.stdout.write(stats_text(decks, pace))
    return EXIT_FAILED if problems else EXIT_OK


def _failures(workshop: Workshop, loaded: list[LoadedDeck], unreadable_only: bool = False) -> list[Problem]:
    """The errors that stop a deck from building, each once (printed on stderr, whatever the
    format): such a deck is not counted, as it would not be shown. An unreadable
    interstitials.txt stops them all. `unreadable_only`: only that, and the errors of
    manifests that cannot be read (where a deck's chapters are not known)."""
    problems: dict[Problem, None] = dict.fromkeys(workshop.problems)
    for deck in loaded:
        if not unreadable_only or deck.manifest is None:
            problems.update(dict.fromkeys(deck.build_errors))
    for problem in problems:
        print(problem, file=sys.stderr)
    return list(problems)


def _run_where_used(args: argparse.Namespace, workshop: Workshop, loaded: list[LoadedDeck]) -> int:
    root = workshop.project.root
    missing = [c for c in args.where_used if not _exists(c, root)]
    if missing:
        print(f"deckwright: error: --where-used: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    chapters = [resolve_chapter(c, root) for c in args.where_used]
    uses = {c: where_used(workshop, loaded, c) for c in chapters}
    if args.format == "json":
        data = {"version": JSON_VERSION, "where_used": [
            {"chapter": c, "uses": [
                {"deck": u.deck, "part": u.part, "line": u.line, "via": u.via} for u in us
            ]} for c, us in uses.items()
        ]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "csv":
        rows = [[u.chapter, u.deck, "" if u.part is None else u.part, u.line, u.via or ""]
                for us in uses.values() for u in us]
        sys.stdout.write(to_csv(["chapter", "deck", "part", "line", "via"], rows))
    else:
        for chapter, us in uses.items():
            print(f"{chapter}: " + (f"{len(us)} deck(s)" if us else "not used by any deck"))
            for u in us:
                where = "front matter" if u.part is None else f"part {u.part}"
                via = f", included by {u.via}" if u.via else ""
                print(f"  {u.deck}:{u.line}: {where}{via}")
    _failures(workshop, loaded, unreadable_only=True)
    return EXIT_OK


def _run_changed(args: argparse.Namespace, workshop: Workshop, loaded: list[LoadedDeck]) -> int:
    project = workshop.project
    changed = [p for name in args.changed for p in resolve_changed(name, project.root, project.repo_root)]
    decks = affected(workshop, loaded, changed)
    if args.format == "json":
        data = {"version": JSON_VERSION, "changed": list(args.changed), "decks": [
            {"deck": d, "because": files} for d, files in decks.items()
        ]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "csv":
        sys.stdout.write(to_csv(["deck", "file"], [[d, f] for d, files in decks.items() for f in files]))
    else:
        for deck, files in decks.items():
            print(f"{deck}: {', '.join(files)}")
        print(f"{len(decks)} of {len(loaded)} deck(s) affected")
    return EXIT_OK
