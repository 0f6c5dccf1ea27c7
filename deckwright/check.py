"""`deckwright check`: find what is broken in decks before a class does, over the build's model."""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .builder import Workshop, chapter_key
from .checks import KINDS, Finding, finding, printable
from .checks.deck import check_deck
from .checks.external import Cache, check_urls, external_findings, external_urls
from .checks.files import (
    CHAPTER_SUFFIXES,
    IMAGE_SUFFIXES,
    local_path,
    mentioned_in,
    referenced_files,
    unused_chapters,
    unused_images,
)
from .checks.load import (
    LoadedDeck,
    expand_entry,
    include_problems,
    load_decks,
    open_workshop,
)
from .checks.offline import remote_pictures
from .checks.overflow import MAX_WORKERS, OverflowUnavailable, overflow_findings
from .checks.slides import LocalTargets, check_chapter
from .chromium import CHROMIUM, missing_tools
from .cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_project_arguments, default_jobs, open_project
from .errors import DeckwrightError
from .manifest import page_clashes
from .model import Entry, SourceLoc
from .stages import PIPELINE, add_footers, run_pipeline

JSON_VERSION = 1


@dataclass
class ExternalOptions:
    """`--external`: how long to wait, and where answers are remembered."""

    timeout: float = 10.0
    time_limit: float = 60.0
    cache: Path | None = None
    max_age: float = 24 * 3600.0


@dataclass
class CheckResult:
    """Every finding of one run, once each, sorted by file and line."""

    decks: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def check(
    root: str,
    manifests: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    external: ExternalOptions | None = None,
    offline: bool = False,
    overflow: bool = False,
    chromium: str = CHROMIUM,
) -> CheckResult:
    """Check the decks of `manifests` (all of the root's by default) and the files around them.

    Unused chapters and images are looked for only when every manifest is checked. With
    `overflow`, the decks that build are laid out in `chromium` (OverflowUnavailable: it
    cannot be driven here).
    """
    workshop = open_workshop(root, env)
    paths = list(manifests) if manifests else workshop.project.manifests()
    loaded = load_decks(workshop, paths)
    found: list[Finding] = [
        finding(p) for p in page_clashes([d.manifest for d in loaded if d.manifest]).values()
    ]
    for deck in loaded:
        own = set(deck.own)  # (looked up once for each problem: thousands of broken anchors)
        found += [finding(p, decks=(deck.path,) if p in own else ()) for p in deck.problems]
        if deck.authors is not None and deck.deck is not None and deck.complete:
            found += [replace(f, decks=(deck.path,)) for f in check_deck(deck.authors, deck.deck)]
    found += _chapter_findings(workshop, loaded)
    if not manifests:
        found += _unused_files(workshop, loaded)
        found += _index_findings(workshop, loaded)
    if external is not None:
        found += _external(workshop, loaded, external)
    if offline:
        found += remote_pictures(workshop, loaded)
    if overflow:
        found += overflow_findings(workshop, loaded, chromium, min(default_jobs(), MAX_WORKERS))
    found += [finding(p) for p in include_problems(workshop)]
    return CheckResult(paths, merge(found))


def _chapter_findings(workshop: Workshop, loaded: list[LoadedDeck]) -> list[Finding]:
    """Chapter-level checks, once per chapter of any checked deck."""
    project = workshop.project
    targets = LocalTargets(project.exists, _pages(workshop, loaded), project.in_repository,
                           project.leaves_repository, project.prefix())
    found: list[Finding] = []
    seen: set[str] = set()
    for deck in loaded:
        for entry in deck.manifest.entries if deck.manifest else ():
            key = chapter_key(entry)
            if key in seen:
                continue
            seen.add(key)
            try:
                chapter = workshop.chapter(entry)
                expanded = expand_entry(workshop, entry)
            except DeckwrightError:
                continue  # already reported when the deck was loaded
            found += check_chapter(chapter, expanded.text, expanded.locate, targets)
    return found


def _pages(workshop: Workshop, loaded: list[LoadedDeck]) -> dict[str, frozenset[str] | None]:
    """The deck pages the build writes next to each other, with the slide names of those checked."""
    pages: dict[str, frozenset[str] | None] = {
        f"{path}.html": None for path in workshop.project.manifests()
    }
    for deck in loaded:
        if deck.deck is not None:
            pages[deck.deck.manifest.html] = frozenset(
                s.name for s in deck.deck.slides if s.name and not s.is_layout)
    return pages


def _unused_files(workshop: Workshop, loaded: list[LoadedDeck]) -> list[Finding]:
    """Chapters no manifest uses and images no chapter uses (all manifests must be loaded)."""
    project = workshop.project
    chapters = project.files(CHAPTER_SUFFIXES)
    images = project.files(IMAGE_SUFFIXES)
    used_chapters: set[str] = set()
    referenced: set[str] = set()
    for deck in loaded:
        if deck.manifest is None:  # unreadable: whatever it names may be used
            base = posixpath.dirname(deck.path)
            used_chapters |= mentioned_in(deck.text, base, chapters)
            referenced |= mentioned_in(deck.text, base, images)
            continue
        for entry in deck.manifest.entries:
            if entry.path is None:
                referenced |= _references(workshop, entry)
            else:
                used_chapters.add(entry.path)
                used_chapters |= set(_files(workshop, entry))
    for path in chapters:
        referenced |= _references(workshop, Entry(SourceLoc(path, 1), None, path=path))
    referenced |= {p for p in (local_path(u) for _, u in workshop.interstitials) if p}
    if workshop.problems:  # interstitials.txt cannot be read: any picture may be one it names
        referenced |= set(images)
    return unused_chapters(chapters, used_chapters) + unused_images(images, referenced)


def _index_findings(workshop: Workshop, loaded: list[LoadedDeck]) -> list[Finding]:
    """`index.yaml`, read as `deckwright site` reads it: its YAML, and each `slides` link to a
    page of this site that no manifest makes (all manifests must be loaded)."""
    from .site_index import INDEX_YAML, check_links, read_index  # jinja2: only with an index

    project = workshop.project
    if not project.exists(INDEX_YAML):
        return []
    try:
        text = project.read_text(INDEX_YAML)
    except DeckwrightError as exc:
        return [finding(p, "index") for p in exc.problems]
    workshops, problems = read_index(text, INDEX_YAML)
    pages = {d.manifest.html if d.manifest else f"{d.path}.html" for d in loaded}
    return [finding(p, "index") for p in problems + check_links(workshops, pages)[1]]


def _files(workshop: Workshop, entry: Entry) -> tuple[str, ...]:
    try:
        return workshop.chapter(entry).files
    except DeckwrightError:
        return ()


def _references(workshop: Workshop, entry: Entry) -> set[str]:
    try:
        return referenced_files(workshop.chapter(entry))
    except DeckwrightError:
        return set()


def _external(workshop: Workshop, loaded: list[LoadedDeck], options: ExternalOptions) -> list[Finding]:
    places: dict[str, list[SourceLoc]] = {}
    for deck in loaded:
        if deck.authors is None:
            continue
        # The deck without its footers: they link every slide to the repository.
        shown = run_pipeline(deck.authors, tuple(s for s in PIPELINE if s is not add_footers))
        for loc, url in external_urls(shown):
            locs = places.setdefault(url, [])
            if loc not in locs:
                locs.append(loc)
    cache_path = options.cache or workshop.project.root / ".deckwright-cache" / "external.json"
    cache = Cache.load(cache_path, options.max_age)
    answers = check_urls(sorted(places), cache, options.timeout, options.time_limit)
    cache.save()
    return external_findings(places, answers, options.time_limit)


# Found on the slide (or by the build, in the chapter) and again in the assembled deck:
# one problem, said once.
ONE_PER_PLACE = frozenset(("unclosed-bracket", "unclosed-fence", "unclosed-backtick"))


def merge(findings: list[Finding]) -> list[Finding]:
    """Each finding once: the same problem seen in several decks becomes one, naming them all.

    An opener left open that its chapter shows (a finding of no deck) is said as the
    chapter says it, whatever the decks in which it also runs into later slides.
    """
    merged: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.loc, f.kind) if f.kind in ONE_PER_PLACE else (f.loc, f.kind, f.message, f.severity)
        kept = merged.get(key)
        if kept is None:
            merged[key] = f
        elif f.kind in ONE_PER_PLACE and not (kept.decks and f.decks):
            merged[key] = f if kept.decks else kept  # the one of no deck
        else:
            merged[key] = replace(kept, decks=kept.decks + tuple(d for d in f.decks if d not in kept.decks))
    return sorted(merged.values(), key=lambda f: (f.loc.path, f.loc.line, f.loc.col, f.kind, f.message))


# --- output ---------------------------------------------------------------------------------

def summary(result: CheckResult) -> str:
    counts = Counter(f.kind for f in result.findings)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    text = f"checked {len(result.decks)} deck(s): {result.errors} error(s), {result.warnings} warning(s)"
    return text + (f" ({kinds})" if kinds else "")


def as_text(result: CheckResult) -> str:
    lines = [str(f) for f in result.findings]
    return "\n".join(lines + [summary(result)]) + "\n"


def as_json(result: CheckResult) -> str:
    data = {
        "version": JSON_VERSION,
        "decks": [printable(d) for d in result.decks],
        "findings": [
            {
                "path": printable(f.loc.path),
                "line": f.loc.line,
                "column": f.loc.col,
                "severity": f.severity,
                "kind": f.kind,
                "message": printable(f.message),
                "excerpt": printable(f.excerpt),
                "decks": [printable(d) for d in f.decks],
            }
            for f in result.findings
        ],
        "summary": {
            "errors": result.errors,
            "warnings": result.warnings,
            "by_kind": dict(sorted(Counter(f.kind for f in result.findings).items())),
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- command line -------------------------------------------------------------------------

def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    kinds = "\n".join(f"  {k:<20} {v}" for k, v in KINDS.items())
    p = subparsers.add_parser(
        "check",
        help="find broken images, links, brackets and unused files in decks",
        description="Check decks over the same model the build uses; print each problem once as "
        "path:line: severity: message, then a summary line. Exit status 1 if there are errors "
        "(or warnings, with --strict). Unused chapters and images are looked for when no "
        "MANIFEST is named (all manifests are checked).",
        epilog="kinds of findings:\n" + kinds,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_project_arguments(p)
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--external", action="store_true",
                   help="also check external links and pictures over HTTP (off by default)")
    p.add_argument("--offline", action="store_true",
                   help="also warn about pictures the decks load from the network, which a room "
                   "without one does not show (off by default)")
    p.add_argument("--overflow", action="store_true",
                   help="also lay every slide out in headless Chromium and warn about those whose "
                   "content does not fit: too long for the slide, or a code line, table or picture "
                   "too wide (off by default; needs Chromium and Playwright)")
    p.add_argument("--chromium", default=CHROMIUM, metavar="PATH",
                   help=f"with --overflow: the Chromium to lay slides out with (default: {CHROMIUM})")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="with --external: how long to wait for one server (default: 10)")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="SECONDS",
                   help="with --external: stop asking after this long; the rest is reported "
                   "as not checked (default: 60)")
    p.add_argument("--cache", type=Path, default=None, metavar="FILE",
                   help="with --external: where answers are kept "
                   "(default: .deckwright-cache/external.json in the content folder)")
    p.add_argument("--cache-hours", type=float, default=24.0, metavar="HOURS",
                   help="with --external: ask again about URLs checked longer ago (default: 24)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    opened = open_project(args)
    if opened is None:
        return EXIT_USAGE
    project, manifests = opened
    external = None
    if args.external:
        external = ExternalOptions(args.timeout, args.time_limit, args.cache, args.cache_hours * 3600)
    if args.overflow:
        missing = missing_tools(args.chromium, ("playwright.sync_api",), "pip install playwright")
        if missing:
            print(f"deckwright: error: --overflow: {missing}", file=sys.stderr)
            return EXIT_USAGE
    try:
        result = check(str(project.root), manifests, external=external, offline=args.offline,
                       overflow=args.overflow, chromium=args.chromium)
    except OverflowUnavailable as exc:
        print(f"deckwright: error: --overflow: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(as_json(result) if args.format == "json" else as_text(result))
    return EXIT_FAILED if result.failed(args.strict) else EXIT_OK
