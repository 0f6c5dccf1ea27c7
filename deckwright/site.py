"""`deckwright site`: everything a static host needs: decks, chapter pages, an index, offline bundles.

The decks themselves are `build`'s (same files, same checks). On top of them:

- `chapters/<chapter path>.html` (see `chapter_page`): each chapter alone, as a small deck. A chapter
  is used by many decks; its page shows it as the first deck (manifests sorted
  by path) that keeps at least one of its slides does, with that deck's
  substitutions, footers, title slides and exclusions. Links to slides outside
  the chapter open that deck at that slide.
- `index.html`: workshops from `index.yaml` when the content folder has one, and
  every deck built (title, slides, the time `deckwright stats` estimates, the length its
  manifest declares).
- `<zip name>`: the decks, their assets and pictures, for use without a network
  (the name is the last part of each manifest's `zip` URL; default slides.zip, also for
  a name no bundle can have, which is a warning at the `zip` line: zip_warnings).
- with `--single-file`: `single/<deck>.html`, one self-contained page per deck.

What an earlier build or site wrote for a deck and this one does not (its manifest removed,
its `zip` or `html` renamed, `--single-file` left out) is removed, as recorded in the output
folder's stamps (stamps.py); but a failed deck's, which is kept and named.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import mimetypes
import posixpath
import re
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .builder import DeckResult, Workshop, build_into, compile_deck, copy_mermaid, manifest_key
from .cli import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_project_arguments,
    cleared_lines,
    listed,
    open_project,
    out_is_a_folder,
    print_results,
)
from .errors import DeckwrightError, Problem
from .links import (
    ANCHOR_LINK,
    DEFINITION,
    PICTURE,
    POSTER_OR_DATA,
    SRCSET,
    blank_code,
    file_path,
    is_local,
    pictures,
    reference_table,
    slide_remote_pictures,
    srcset_spans,
)
from .manifest import default_page, quoted
from .model import Deck, Manifest, Slide, SourceLoc, Step, make_slide
from .reader import Project
from .render import ASSETS, MERMAID_FILES, deck_html, draws_diagrams, plain_title
from .site_index import INDEX_YAML, DeckEntry, check_links, index_html, read_index
from .stamps import Cleared, Stamps
from .stats import Pace, count_deck, estimate
from .writer import OutputDir

CHAPTERS_DIR = "chapters"
SINGLE_DIR = "single"
DEFAULT_ZIP = "slides.zip"
SITE = "site"  # what the site writes for a deck, in the output folder's record (stamps.py)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that a rebuild of the same sources is the same file


@dataclass
class SiteResult:
    """What `build_site` did: the decks' results, the site's own problems, what it wrote."""

    decks: list[DeckResult]
    problems: list[Problem] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)  # pages written, relative to the site
    zips: dict[str, int] = field(default_factory=dict)  # file name -> size in bytes
    # file name -> the pictures its decks still load from the network (blank offline)
    remote: dict[str, set[str]] = field(default_factory=dict)
    singles: list[str] = field(default_factory=list)
    index: str = ""  # "index.html" once written
    workshops: int | None = None  # items read from index.yaml (None without one)
    stale: list[str] = field(default_factory=list)  # kept from an earlier site, linked no more
    cleared: Cleared = field(default_factory=Cleared)  # what earlier builds wrote, removed now

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.decks) and not any(p.is_error for p in self.problems)


# ---------- rewriting links inside slides ----------

def _rewrite(text: str, pattern: re.Pattern[str], change: Callable[[str], str | None], before: int = 0) -> str:
    """Replace the target of each match outside code by `change(target)` (None: keep).

    `before` widens the replaced span to the left (1 to swallow an anchor's `#`).
    """
    if not text:
        return text
    blanked = blank_code(text)  # same length, code blanked: offsets still match `text`
    pieces, pos = [], 0
    for m in pattern.finditer(blanked):
        group = next(g for g in range(1, len(m.groups()) + 1) if m.group(g))
        new = change(m.group(group))
        if new is None:
            continue
        start, end = m.span(group)
        pieces += [text[pos : start - before], new]
        pos = end
    return "".join(pieces) + text[pos:] if pieces else text


def remade(slide: Slide, steps: tuple[Step, ...]) -> Slide:
    """The slide with new steps, its properties, pictures and links read again from them."""
    return make_slide(steps, part=slide.part, title=slide.title, anchor=slide.anchor,
                      generated=slide.generated)


def _map_steps(slides: Sequence[Slide], change: Callable[[str], str]) -> tuple[Slide, ...]:
    def step(st: Step) -> Step:
        notes = change(st.notes) if st.notes else st.notes
        return Step(change(st.text), st.loc, notes, st.notes_loc, seams=st.seams)

    return tuple(remade(s, tuple(step(st) for st in s.steps)) for s in slides)


def rewrite_pictures(slides: Sequence[Slide], change: Callable[[str], str | None]) -> tuple[Slide, ...]:
    """Slides whose local pictures (Markdown, <img>, srcset, poster, <object>, background-image,
    and the definitions of labels that pictures are shown by) point elsewhere."""
    labels = {label for s in slides for _, label in s.references}

    def local(url: str) -> str | None:
        return change(url) if is_local(url) and not url.startswith("/") else None

    def each(value: str) -> str:  # a srcset: each URL in it
        return _replace_spans(value, srcset_spans(value), local)

    def rewrite(text: str) -> str:
        text = _rewrite(text, POSTER_OR_DATA, local) if "poster=" in text or "<object" in text else text
        text = _rewrite(text, SRCSET, each) if "srcset=" in text else text
        text = _rewrite_definitions(text, labels, local) if labels and "]:" in text else text
        return _rewrite(text, PICTURE, local)

    return _map_steps(slides, rewrite)


def _replace_spans(text: str, spans: Sequence[tuple[int, int]], change: Callable[[str], str | None]) -> str:
    pieces, pos = [], 0
    for start, end in spans:
        new = change(text[start:end])
        if new is not None:
            pieces += [text[pos:start], new]
            pos = end
    return "".join(pieces) + text[pos:]


def _rewrite_definitions(text: str, labels: set[str], change: Callable[[str], str | None]) -> str:
    """The text with the URL of each `[label]: url` definition of `labels` changed."""
    blanked = blank_code(text)
    spans = [m.span(2) for m in DEFINITION.finditer(blanked) if m.group(1) in labels]
    return _replace_spans(text, spans, change)


def rewrite_anchors(slides: Sequence[Slide], change: Callable[[str], str | None]) -> tuple[Slide, ...]:
    """Slides whose `#name` links become `change(name)` (a whole URL) where it says so."""
    return _map_steps(slides, lambda text: _rewrite(text, ANCHOR_LINK, change, before=1))


# ---------- chapter pages ----------

def chapter_page(path: str, chapters: Collection[str] = ()) -> str:
    """The stable URL of a chapter's page, relative to the site: its path under `chapters/`,
    `.html` added (`chapters/k8s/rollout.md.html`). A chapter in the content folder's own
    `chapters/` folder is not put in a second one (`chapters/basics/intro.md.html`), unless
    one of the site's `chapters` is at the path left (`basics/intro.md`): then it is.
    """
    rest = path.removeprefix(f"{CHAPTERS_DIR}/")
    if rest in chapters:  # (also when nothing was removed: then it is the same page)
        rest = path
    return f"{CHAPTERS_DIR}/{rest}.html"


def _up(page: str) -> str:
    return "../" * page.count("/")


def slides_by_chapter(workshop: Workshop, manifest: Manifest, deck: Deck) -> dict[str, list[Slide]]:
    """The compiled deck's slides, grouped by the chapter file they come from.

    The stages keep each author's slide's first location and keep the slides in
    order, so a walk along the authors' slides finds each one; generated slides
    carry the location of the slide they were made for (a chapter's title, the
    `@@TOC@@` slide). Inline Markdown in the manifest belongs to no chapter.
    """
    origin = [(s.loc, e.path) for e in manifest.entries for s in workshop.chapter(e).slides]
    first: dict[SourceLoc, str | None] = {}
    for loc, path in origin:
        first.setdefault(loc, path)
    groups: dict[str, list[Slide]] = defaultdict(list)
    pos = 0
    for slide in deck.slides:
        path = first.get(slide.loc)
        if not slide.generated:
            ahead = next((i for i in range(pos, len(origin)) if origin[i][0] == slide.loc), None)
            if ahead is not None:
                path, pos = origin[ahead][1], ahead + 1
        if path is not None:
            groups[path].append(slide)
    return groups


def chapter_deck(deck: Deck, path: str, slides: Sequence[Slide], page: str) -> Deck:
    """One chapter's slides as a deck of their own, to be written at `page` (chapter_page)."""
    up = _up(page)
    names = {s.name for s in slides if s.name}
    deck_url = up + quote(deck.manifest.html)  # a page name may hold '#', '%' or spaces

    def outside(name: str) -> str | None:
        return None if name in names else f"{deck_url}#{name}"

    slides = with_definitions(slides, reference_table(deck.slides))
    slides = rewrite_anchors(rewrite_pictures(slides, lambda url: up + url), outside)
    title = next((s.title for s in slides if s.title), path)
    deck_title = " ".join(deck.manifest.title.split())
    return replace(deck, slides=slides, manifest=replace(deck.manifest, title=f"{title} \u2014 {deck_title}"))


def with_definitions(slides: Sequence[Slide], table: Mapping[str, str]) -> Sequence[Slide]:
    """The slides, with the definitions (from the deck's `table`) of the labels their pictures
    are shown by, where the slides alone lack them or define them otherwise: at the end of
    the last slide, where remark takes them in and shows nothing."""
    own = reference_table(slides)
    needed = sorted({label for s in slides for _, label in s.references
                     if label in table and own.get(label) != table[label]})
    last = next((i for i in range(len(slides) - 1, -1, -1) if not slides[i].is_layout), None)
    if not needed or last is None:
        return slides
    lines = "".join(f"\n[{label}]: {table[label]}" for label in needed)
    steps = slides[last].steps
    slide = slides[last].with_steps(steps[:-1] + (steps[-1].extended("\n" + lines + "\n"),))
    return [*slides[:last], slide, *slides[last + 1:]]


def chapter_owners(decks: Sequence[tuple[Deck, Mapping[str, list[Slide]]]]) -> dict[str, tuple[Deck, list[Slide]]]:
    """For each chapter: the first deck (in the order given) that shows a slide of it."""
    owners: dict[str, tuple[Deck, list[Slide]]] = {}
    for deck, groups in decks:
        for path, slides in groups.items():
            if slides and path not in owners:
                owners[path] = (deck, slides)
    return owners


# ---------- single files ----------

def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _mime(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


_ASSET_LINK = re.compile(r'<link rel="stylesheet" href="assets/([^"]+)">')
# With other attributes too: a deck with diagrams names mermaid in a script it loads later.
_ASSET_SCRIPT = re.compile(r'<script((?: [a-z-]+="[^"]*")*) src="assets/([^"]+)"></script>')


def inline_assets(html: str, assets: Path = ASSETS) -> str:
    """The page with its stylesheets and scripts from `assets/` inside it.

    Scripts go in as data: URIs: remark.min.js holds "</script" and "<!--", which
    would end or confuse an inline <script> element. (So does mermaid.min.js, which a
    deck with diagrams loads from its element's src when one is shown.)
    """

    def style(m: re.Match[str]) -> str:
        css = (assets / m.group(1)).read_text(encoding="utf-8")
        if "</style" in css.lower():
            return f'<link rel="stylesheet" href="{data_uri(css.encode(), "text/css")}">'
        return f"<style>\n{css}</style>"

    def script(m: re.Match[str]) -> str:
        code = (assets / m.group(2)).read_bytes()
        return f'<script{m.group(1)} src="{data_uri(code, "text/javascript")}"></script>'

    return _ASSET_SCRIPT.sub(script, _ASSET_LINK.sub(style, html))


def single_file_html(deck: Deck, project: Project) -> str:
    """One self-contained page: CSS, JavaScript and local pictures inside it."""
    cache: dict[str, str | None] = {}

    def embed(url: str) -> str | None:
        path = file_path(url)
        if path not in cache:
            source = project.local_file(path)
            cache[path] = data_uri(source.read_bytes(), _mime(path)) if source else None
        return cache[path]

    inlined = replace(deck, slides=rewrite_pictures(deck.slides, embed))
    return inline_assets(deck_html(inlined))


# ---------- offline bundles ----------

def zip_name(manifest: Manifest) -> str:
    """The bundle a deck goes into: the file the last part of its `zip` URL names, as a web
    server decodes it (`odd%20name.zip` is `odd name.zip`); default slides.zip, also for a
    name no bundle may have here (see zip_name_problem)."""
    name = _zip_url_name(manifest)
    return DEFAULT_ZIP if zip_name_problem(name) else name


def _zip_url_name(manifest: Manifest) -> str:
    return unquote(posixpath.basename(urlsplit(manifest.zip).path)) if manifest.zip else ""


def zip_name_problem(name: str) -> str | None:
    """Why `name` (decoded from a `zip` URL) cannot name a bundle of the site; None if it can."""
    if not name:
        return "the address ends with a folder, not a file"
    if "/" in name or "\\" in name:
        return "a file's name holds no '/' or '\\' ('%2F', '%5C')"
    if "\0" in name:
        return "a file's name holds no NUL character ('%00')"
    if name.startswith("."):
        return "a name starting with '.' is a hidden file (or a folder above)"
    if not name.endswith(".zip"):
        return "a bundle's name ends in .zip"
    return None


def zip_warnings(manifests: Sequence[Manifest]) -> list[Problem]:
    """A warning for each manifest that sets a `zip` address (in its file, or by OVERRIDE_zip)
    whose file no bundle can be: the site writes its bundle to slides.zip, and the address
    that the deck gives for it (@@ZIP@@) leads nowhere. At the `zip` line."""
    found = []
    for manifest in manifests:
        name = _zip_url_name(manifest)
        if manifest.zip_loc is None or not (why := zip_name_problem(name)):
            continue
        source = "OVERRIDE_zip (set in the environment)" if manifest.zip_loc.line == 0 else "'zip'"
        named = f" names the file {quoted(name)}" if name else ""
        found.append(Problem(manifest.zip_loc, (
            f"{source} {quoted(manifest.zip)}{named}, which cannot be the deck's offline bundle: {why}; "
            f"`deckwright site` writes the bundle as {DEFAULT_ZIP} instead (the index links that), so "
            "the deck's @@ZIP@@ address leads to no bundle"), "warning"))
    return found


def zip_bytes(site: Path, files: Sequence[str], folder: str) -> bytes:
    """A zip of site files under one top folder, byte-for-byte the same for the same input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(set(files)):
            info = zipfile.ZipInfo(f"{folder}/{rel}", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (site / rel).read_bytes())
    return buffer.getvalue()


def deck_files(deck: Deck) -> list[str]:
    """The site files a deck needs besides the assets: its page and its pictures."""
    shown = {posixpath.normpath(path) for s in deck.slides for _, path in pictures(s)}
    return [deck.manifest.html] + sorted(shown)


def asset_files(site: Path, mermaid: bool = True) -> list[str]:
    """The files in the site's assets/; mermaid's only with `mermaid` (a build before may
    have left it there, for decks that are not in the bundle)."""
    root = site / "assets"
    skip = set() if mermaid else {f"assets/{name}" for name in MERMAID_FILES}
    files = (p.relative_to(site).as_posix() for p in sorted(root.rglob("*")) if p.is_file())
    return [rel for rel in files if rel not in skip]


# ---------- the index ----------

PACE = Pace()  # stats' default pace


def deck_entry(workshop: Workshop, deck: Deck, single_file: bool) -> DeckEntry:
    """The index's line for a deck: its time as `deckwright stats` estimates it (same count,
    same whole minutes) and the length its manifest declares (`duration`), if any."""
    manifest = deck.manifest
    counted = count_deck(workshop, deck, workshop.project.read_text(manifest.path), PACE)
    return DeckEntry(
        html=manifest.html,
        title=plain_title(counted.title),
        slides=deck.shown_count,
        minutes=estimate(counted.counts, PACE),
        declared=" ".join((counted.duration or "").split()),
        single=f"{SINGLE_DIR}/{manifest.html}" if single_file else "",
        zip=zip_name(manifest),
    )


def pace_words(pace: Pace = PACE) -> str:
    return (f"{pace.per_slide:g} minute per slide shown and {pace.per_lab:g} minute more "
            "per lab (as deckwright stats counts)")


def site_title(manifests: Sequence[Manifest], project: Project) -> str:
    """The host most decks are published on ("container.training"), else the folder's name."""
    hosts = Counter(urlsplit(m.slides).hostname for m in manifests if urlsplit(m.slides).hostname)
    if hosts:
        return hosts.most_common(1)[0][0]
    return project.repo_root.name or "Workshop decks"


def read_workshops(project: Project, built: set[str]) -> tuple[list | None, list[Problem]]:
    if not project.exists(INDEX_YAML):
        return None, []
    workshops, problems = read_index(project.read_text(INDEX_YAML), INDEX_YAML)
    workshops, warnings = check_links(workshops, built)
    return workshops, problems + warnings


# ---------- the whole site ----------

def build_site(
    project: Project,
    manifests: Sequence[str] | None,
    out_dir: str | Path,
    env: Mapping[str, str] | None = None,
    strict: bool = False,
    today: datetime.date | None = None,
    single_file: bool = False,
    title: str | None = None,
) -> SiteResult:
    """Build the decks, then the chapter pages, the bundles, single files and the index."""
    out = OutputDir(out_dir)
    names = sorted(manifests or project.manifests())
    built = build_into(project, names, out_dir, env=env, strict=strict)
    result = SiteResult(built.decks, cleared=built.cleared)
    workshop = Workshop.open(project, env)
    decks: list[tuple[Deck, dict[str, list[Slide]]]] = []
    for deck_result in result.decks:
        if deck_result.ok:
            manifest, _ = workshop.load(deck_result.manifest)
            deck, _ = compile_deck(workshop, manifest)
            decks.append((deck, slides_by_chapter(workshop, manifest, deck)))
    warnings = zip_warnings([deck.manifest for deck, _ in decks])
    result.problems += [p.as_error() for p in warnings] if strict else warnings
    try:
        _write_site(result, out, workshop, decks, strict, today or datetime.date.today(), single_file, title)
    except DeckwrightError as exc:  # the folder is a file, read-only, full: said once, at its path
        result.problems += exc.problems
        return result
    try:
        result.cleared.add(_clear_site(built.stamps, workshop, decks, single_file))
    except DeckwrightError as exc:
        result.problems += exc.problems
    written = {deck.manifest.html for deck, _ in decks}
    result.stale = stale_files(out.root, result, workshop, written | set(result.chapters)
                               | set(result.singles) | set(result.zips), built.stamps)
    return result


def _clear_site(stamps: Stamps, workshop: Workshop, decks: Sequence[tuple[Deck, Mapping[str, list[Slide]]]],
                single_file: bool) -> Cleared:
    """Record what the site wrote for each deck built, remove what earlier sites wrote for
    decks and none does now (as `build` does for pages and pictures), save the record."""
    owners = chapter_owners(decks)
    for deck, groups in decks:
        pages = [chapter_page(path, owners) for path, slides in groups.items() if slides]
        single = [f"{SINGLE_DIR}/{deck.manifest.html}"] if single_file else []
        stamps.wrote(manifest_key(workshop.project, deck.manifest.path), SITE,
                     [*pages, zip_name(deck.manifest), *single])
    stamps.forget_gone(SITE)
    cleared = stamps.clear(workshop.project.root)
    stamps.save()
    return cleared


# ---------- what an earlier site left ----------

def stale_files(site: Path, result: SiteResult, workshop: Workshop, written: set[str],
                stamps: Stamps | None = None) -> list[str]:
    """What an earlier site wrote that this one did not write again and did not remove, so
    that the index no longer links it: the pages, chapter pages, single files and bundle of
    the decks that failed this time (as recorded in `stamps`, and as their manifest names
    them), and the pages under `chapters/` and `single/` left there (changed since written,
    or from a deckwright that kept no record).

    They are kept, as a failed build keeps a deck's last page (nothing is lost), and named.
    """
    names = {name for r in result.decks if not r.ok for name in _deck_files(workshop, r)}
    for r in result.decks if stamps else ():
        if not r.ok:
            names.update(stamps.written.get(manifest_key(workshop.project, r.manifest), {}).get(SITE, {}))
    for folder in (CHAPTERS_DIR, SINGLE_DIR):
        names.update(p.relative_to(site).as_posix() for p in (site / folder).rglob("*.html"))
    return sorted(name for name in names - written if (site / name).is_file())


def _deck_files(workshop: Workshop, failed: DeckResult) -> list[str]:
    """The page and the bundle a failed deck's manifest names (its default page when the
    manifest cannot be read)."""
    try:
        manifest, _ = workshop.load(failed.manifest)
    except DeckwrightError:
        return [failed.html or default_page(failed.manifest)]
    return [manifest.html, zip_name(manifest)]


def stale_line(stale: Sequence[str], shown: int = 8) -> str:
    """One line naming what `stale_files` found (the first `shown` of them)."""
    return f"kept from an earlier site, no longer linked from the index: {listed(stale, shown)}"


def _write_site(result: SiteResult, out: OutputDir, workshop: Workshop,
                decks: list[tuple[Deck, dict[str, list[Slide]]]], strict: bool, today: datetime.date,
                single_file: bool, title: str | None) -> None:
    """Write what the site adds to the decks, noting each in `result`; raises on the first
    file that cannot be written (each is written whole or not at all)."""
    project = workshop.project
    owners = chapter_owners(decks)
    for path, (deck, slides) in sorted(owners.items()):
        rel = chapter_page(path, owners)
        page = chapter_deck(deck, path, slides, rel)
        if draws_diagrams(page):  # (its deck's page did already: making sure costs a look)
            copy_mermaid(out)
        out.write_text(rel, deck_html(page, assets=_up(rel) + "assets/"))
        result.chapters.append(rel)

    out.copy_file(ASSETS / "index.css", "assets/index.css")
    bundles: dict[str, list[str]] = defaultdict(list)
    diagrams: set[str] = set()  # the bundles holding a deck that draws diagrams
    for deck, _ in decks:
        bundles[zip_name(deck.manifest)] += deck_files(deck)
        if draws_diagrams(deck):
            diagrams.add(zip_name(deck.manifest))
        table = reference_table(deck.slides)
        result.remote.setdefault(zip_name(deck.manifest), set()).update(
            url for slide in deck.slides for _, url in slide_remote_pictures(slide, table))
    for name, files in sorted(bundles.items()):
        assets = asset_files(out.root, mermaid=name in diagrams)
        data = zip_bytes(out.root, files + assets, name.removesuffix(".zip"))
        out.write_bytes(name, data)
        result.zips[name] = len(data)

    if single_file:
        for deck, _ in decks:
            rel = f"{SINGLE_DIR}/{deck.manifest.html}"
            out.write_text(rel, single_file_html(deck, project))
            result.singles.append(rel)

    entries = [deck_entry(workshop, deck, single_file) for deck, _ in decks]
    try:
        workshops, problems = read_workshops(project, {e.html for e in entries})
    except DeckwrightError as exc:
        workshops, problems = None, exc.problems
    if strict:
        problems = [p.as_error() for p in problems]
    result.problems += problems
    result.workshops = None if workshops is None else len(workshops)
    page = index_html(
        title or site_title([d.manifest for d, _ in decks], project),
        entries,
        workshops,
        today,
        zips=sorted(result.zips.items()),
        chapters=len(result.chapters),
        pace=pace_words(),
    )
    out.write_text("index.html", page)
    result.index = "index.html"


# ---------- command line ----------

def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "site",
        help="build a static site: decks, chapter pages, index, offline zip",
        description="Build every deck (as `build` does) and what a static host needs around them: "
        "an index page (from index.yaml when there is one), one page per chapter at "
        "chapters/<path>.html (a chapter in chapters/ gets no second one), and an offline bundle (slides.zip, or the manifests' `zip` name).",
    )
    add_project_arguments(p)
    p.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--single-file", action="store_true",
                   help="also write single/<deck>.html: one self-contained page per deck")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="the date that splits upcoming from past workshops (default: today)")
    p.add_argument("--title", help="the index page's title (default: the host the decks are published on)")
    p.set_defaults(func=run)


def _remote_words(urls: set[str] | None) -> str:
    """What a bundle's line says of the pictures its decks load from the network."""
    if not urls:
        return ""
    count = "1 picture of its decks loads" if len(urls) == 1 else f"{len(urls)} pictures of its decks load"
    return f"; {count} from the network, blank offline: check --offline lists them"


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run(args: argparse.Namespace) -> int:
    opened = open_project(args)
    if opened is None or not out_is_a_folder(args.out):
        return EXIT_USAGE
    project, manifests = opened
    result = build_site(project, manifests, args.out, strict=args.strict, today=args.today,
                        single_file=args.single_file, title=args.title)
    print_results(result.decks)
    said = {str(p) for r in result.decks for p in r.problems}  # a file both failed to write, say
    for problem in result.problems:
        if str(problem) not in said:
            print(problem, file=sys.stderr)
    print(f"chapter pages: {len(result.chapters)} in {args.out}/{CHAPTERS_DIR}/")
    for name, size in result.zips.items():
        print(f"offline bundle: {args.out}/{name} ({size / 1e6:.1f} MB{_remote_words(result.remote.get(name))})")
    if result.singles:
        print(f"single files: {len(result.singles)} in {args.out}/{SINGLE_DIR}/")
    from_yaml = "" if result.workshops is None else f", {result.workshops} workshops from {INDEX_YAML}"
    if result.index:
        print(f"index: {args.out}/{result.index}{from_yaml}")
    if result.stale:
        print(stale_line(result.stale))
    for line in cleared_lines(result.cleared):
        print(line)
    return EXIT_OK if result.ok else EXIT_FAILED
