"""Build decks: read and parse everything, run the stages, check, then render and write."""

from __future__ import annotations

import gc
import os
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .directives import Expanded, directive_values, expand_includes, unknown_directives
from .errors import DeckwrightError, Problem
from .links import file_path, is_local
from .manifest import load_manifest, page_clashes
from .model import Chapter, Deck, Entry, Manifest, Slide, SourceLoc
from .reader import INTERSTITIALS, GitState, Project, build_info, read_git, repo_link
from .render import ASSETS, MERMAID_FILES, deck_html, draws_diagrams
from .slides import split_chapter
from .stages import PIPELINE, run_pipeline
from .stamps import Cleared, Reused, Stamps, build_context, stat_once
from .writer import OutputDir

if TYPE_CHECKING:
    from .colourer import Colourer
    from .copier import Copied, Copier


BUILD = "build"  # what a build writes for a deck (page, pictures), in the folder's record (stamps.py)


@dataclass
class DeckResult:
    """What happened to one manifest."""

    manifest: str
    html: str = ""
    slides: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    inputs: frozenset[Path] = frozenset()  # every file this deck was built from
    outputs: tuple[str, ...] = ()  # what was written for it, relative to the output folder
    reused: bool = False  # up to date: the last build's output was kept

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class Workshop:
    """A content folder being built: what is read once and shared by all its decks."""

    project: Project
    env: Mapping[str, str]
    git: GitState
    interstitials: tuple[tuple[SourceLoc, str], ...]
    # What every deck fails with: interstitials.txt could not be read (not UTF-8, say).
    problems: tuple[Problem, ...] = ()
    chapters: dict[str, Chapter] = field(default_factory=dict)
    _files: dict[str, Path | None] = field(default_factory=dict)  # which paths are files
    _inputs: dict[str, Path] = field(default_factory=dict)  # input_path's answers
    _parted: dict[tuple[str, int | None], list[Slide]] = field(default_factory=dict)

    @classmethod
    def open(cls, project: Project, env: Mapping[str, str] | None = None, git: GitState | None = None) -> Workshop:
        """The workshop at `project`; `git`: its git state, when the caller has just read it."""
        env = dict(os.environ if env is None else env)
        return cls(project, env, git or read_git(project.root), *_interstitials(project))

    def forget(self, changed: set[Path], git: bool = True) -> None:
        """Drop what was read from `changed` files, so that the next build reads them again.

        `git=False` keeps the git state as it is, for a caller that refreshes it later.
        """
        root = self.project.root
        gone = {os.path.relpath(p, root).replace(os.sep, "/") for p in changed}
        stale = [
            key for key, chapter in self.chapters.items()
            if any(posixpath.normpath(f) in gone for f in chapter.files)
        ]
        for key in stale:
            del self.chapters[key]
        self._parted = {k: v for k, v in self._parted.items() if k[0] not in stale}
        for rel in [r for r in self._files if posixpath.normpath(r) in gone]:
            del self._files[rel]
        self.project.forget_folders()
        if root / "interstitials.txt" in changed:
            self.interstitials, self.problems = _interstitials(self.project)
        if git:
            self.git = read_git(root)

    def local_file(self, path: str) -> Path | None:
        """The project's file at `path` (None if there is none), looked up once per build."""
        if path not in self._files:
            self._files[path] = self.project.local_file(path)
        return self._files[path]

    def input_path(self, path: str) -> Path:
        """The absolute path of a file decks are built from (`path`: from the content root)."""
        found = self._inputs.get(path)
        if found is None:  # decks share most files: each is made once
            found = self._inputs[path] = Path(os.path.normpath(os.path.join(self.project.root, path)))
        return found

    def exists(self, path: str) -> bool:
        return self.local_file(path) is not None

    def chapter(self, entry: Entry) -> Chapter:
        """A chapter parsed once per build, whatever the number of decks using it."""
        key = chapter_key(entry)
        if key not in self.chapters:
            self.chapters[key] = self._parse(entry)
        return self.chapters[key]

    def slides_in_part(self, entry: Entry) -> list[Slide]:
        """The chapter's slides, placed in the entry's part (decks often agree on the part)."""
        key = (chapter_key(entry), entry.part)
        if key not in self._parted:
            self._parted[key] = [s.in_part(entry.part) for s in self.chapter(entry).slides]
        return self._parted[key]

    def _parse(self, entry: Entry) -> Chapter:
        path, expanded = self._read(entry)
        chapter = split_chapter(path, expanded.text, expanded.locate, expanded.seams)
        warnings = unknown_directives(expanded.text, expanded.locate)
        files = tuple(dict.fromkeys([entry.source_path] + [p.path for p in expanded.pieces]))
        return replace(chapter, problems=chapter.problems + tuple(warnings), files=files)

    def _read(self, entry: Entry) -> tuple[str, Expanded]:
        """The chapter's path and its text, includes expanded."""
        if entry.path is not None:
            path, text = self.project.read_chapter(entry.path)
            first = 1
        else:
            path, text, first = entry.source_path, entry.text or "", entry.loc.line
        return path, expand_includes(path, text, self.project.read_include, first, entry.one_line)

    def deck_texts(self, names: Sequence[str]) -> Iterator[tuple[str, list[str], dict[str, str]]]:
        """For colouring ahead, each named deck: its name, the text of each chapter it uses
        (includes expanded) and its `@@` values. What cannot be read is left to the build."""
        texts: dict[str, str] = {}
        for name in names:
            try:
                manifest, _ = self.load(name)
            except DeckwrightError:
                continue
            for entry in manifest.entries:
                key = chapter_key(entry)
                if key not in texts:
                    try:
                        texts[key] = self._read(entry)[1].text
                    except DeckwrightError:
                        texts[key] = ""
            yield name, [texts[chapter_key(e)] for e in manifest.entries], directive_values(manifest)

    def load(self, manifest_path: str) -> tuple[Manifest, list[Problem]]:
        text = self.project.read_text(manifest_path)
        manifest, report = load_manifest(manifest_path, text, self.exists, self.env,
                                         self.project.why_not_a_file)
        return manifest, report.problems

    def deck(self, manifest: Manifest) -> Deck:
        """The deck as written by its authors, before any stage runs, with its chapters'
        problems: errors too (a fence left open...), so that the stages run on and one build
        reports all of its problems. A chapter that cannot be read at all raises."""
        slides = []
        problems = list(self.problems)
        excluded = set(manifest.exclude)
        for entry in manifest.entries:
            problems += self.chapter(entry).shown_problems(excluded)
            slides += self.slides_in_part(entry)
        return Deck(
            manifest=manifest,
            slides=tuple(slides),
            interstitials=self.interstitials,
            repo=repo_link(self.project, self.git, manifest.gitrepo, self.env),
            build_info=build_info(self.git),
            problems=tuple(problems),
        )


def _interstitials(project: Project) -> tuple[tuple[tuple[SourceLoc, str], ...], tuple[Problem, ...]]:
    """The pictures of interstitials.txt, or why it cannot be read: then each deck fails
    with that one message (as with a chapter it uses), and every command reports it."""
    try:
        return project.interstitials(), ()
    except DeckwrightError as exc:
        return (), tuple(exc.problems)


def chapter_key(entry: Entry) -> str:
    """A chapter's key in the cache: its path, or where its inline Markdown stands."""
    return entry.path if entry.path is not None else f"{entry.loc}"


def missing_pictures(deck: Deck, project: Project | Workshop) -> list[Problem]:
    """An error for each place the deck shows a picture that does not exist, once per place:
    a picture between chapters is at its line of interstitials.txt, however many times shown."""
    return list(dict.fromkeys(
        Problem(loc, f"picture '{path}' {_why_not(project, path)}")
        for slide in deck.slides
        for loc, path in slide.pictures
        if project.local_file(path) is None
    ))


def _why_not(project: Project | Workshop, path: str) -> str:
    """Why a picture the decks show is no file they can use: a folder or a symbolic link
    out of the content folder is said so (`ls` shows them: 'does not exist' would send
    the author looking for a typo)."""
    project = project.project if isinstance(project, Workshop) else project
    why = project.why_not_a_file(path)
    if why.startswith("leads outside") and (
            os.path.isabs(path) or os.path.normpath(path).split(os.sep)[0] == os.pardir):
        return "leaves the content folder"  # by its path, not through a link
    return why


def missing_interstitials(workshop: Workshop) -> list[Problem]:
    """An error for each local picture of interstitials.txt that does not exist, at its line,
    whether or not a deck comes to it (`check` names every one)."""
    return [
        Problem(loc, f"picture '{file_path(url)}' {_why_not(workshop, file_path(url))}")
        for loc, url in workshop.interstitials
        if is_local(url) and workshop.local_file(file_path(url)) is None
    ]


def no_slides(deck: Deck) -> list[Problem]:
    """An error for a deck left with no slide (remark would show a blank page); `check`
    and `stats` call it too, so that they fail on what the build fails on."""
    if deck.slides:
        return []
    return [Problem(SourceLoc(deck.manifest.path, 1), "the deck has no slides: its chapters are "
                    "empty, or every slide is excluded")]


def in_deck_order(problems: Iterable[Problem], workshop: Workshop, deck: Deck) -> list[Problem]:
    """A deck's problems, errors first, each by file in the order the deck uses the files
    (file_order), then by line: whichever stage found them, the first error said is the
    first a reader of the deck comes to."""
    problems = list(problems)
    rank = file_order(workshop, deck) if len(problems) > 1 else {}
    return sorted(problems, key=lambda p: (not p.is_error, rank.get(p.loc.path, len(rank)),
                                           p.loc.path, p.loc.line, p.loc.col))


def file_order(workshop: Workshop, deck: Deck) -> dict[str, int]:
    """The rank of each file of a deck: its manifest (inline Markdown), then its chapters as
    listed, each followed by the files it includes; interstitials.txt comes before the
    chapter its first picture slide is shown for."""
    files = [deck.manifest.path]
    for entry in deck.manifest.entries:
        chapter = workshop.chapters.get(chapter_key(entry))  # (none: it could not be read)
        files += chapter.files if chapter else (entry.source_path,)
    picture = next((s.loc.path for s in deck.slides if s.generated == "picture"), "")
    if picture in files:
        files.insert(files.index(picture), INTERSTITIALS)
    return {path: rank for rank, path in enumerate(dict.fromkeys(files))}


def compile_deck(workshop: Workshop, manifest: Manifest) -> tuple[Deck, list[Problem]]:
    """Run the stages (stages.PIPELINE) for one validated manifest and check the result;
    raises on errors, its chapters' and those of the deck (a missing picture, two slides
    with one name), all at once, in_deck_order."""
    deck = run_pipeline(workshop.deck(manifest), PIPELINE)
    problems = in_deck_order([*deck.problems, *missing_pictures(deck, workshop), *no_slides(deck)],
                             workshop, deck)
    if any(p.is_error for p in problems):
        raise DeckwrightError(problems)
    return deck, problems


def deck_inputs(
    workshop: Workshop, manifest_path: str, manifest: Manifest | None, deck: Deck | None
) -> frozenset[Path]:
    """The files a deck depends on (as far as its build got), to rebuild only what changed."""
    names = {manifest_path, "interstitials.txt"}
    for entry in manifest.entries if manifest else ():
        names.add(entry.source_path)
        key = chapter_key(entry)
        if key in workshop.chapters:
            names.update(workshop.chapters[key].files)
    if deck is not None:
        names.update(p for s in deck.slides for _, p in s.pictures)
    return frozenset(map(workshop.input_path, names))


def write_deck(
    deck: Deck, project: Project | Workshop, out: OutputDir, markdown: str | None = None
) -> list[str]:
    """Write the deck's HTML last, after the pictures it shows (`markdown`: already rendered).

    Returns the paths written, relative to the output folder.
    """
    html = deck_html(deck, markdown)
    mermaid = copy_mermaid(out) if draws_diagrams(deck) else []
    return copy_pictures(deck, project, out) + mermaid + [write_page(deck, out, html)]


def write_page(deck: Deck, out: OutputDir, html: str) -> str:
    """Write the deck's page, `html`; returns its path in the output folder."""
    out.write_text(deck.manifest.html, html)
    return deck.manifest.html


def copy_assets(out: OutputDir) -> None:
    """Copy our stylesheets and remark into the output's assets/, not mermaid (see copy_mermaid)."""
    out.copy_tree(ASSETS, "assets", skip=MERMAID_FILES)


def copy_mermaid(out: OutputDir) -> list[str]:
    """Copy mermaid (5 MB) into assets/, for a page that draws diagrams; returns its paths.

    Only the pages of decks with diagrams name it: an output folder with none goes without.
    """
    files = [(ASSETS / name, f"assets/{name}") for name in MERMAID_FILES]
    out.copy_files(files)
    return [rel for _, rel in files]


def copy_pictures(deck: Deck, project: Project | Workshop, out: OutputDir) -> list[str]:
    """Copy the pictures the deck shows; returns their paths, relative to the output folder."""
    pictures = pictures_shown(deck, project)
    out.copy_files(pictures)
    return [rel for _, rel in pictures]


def pictures_shown(deck: Deck, project: Project | Workshop) -> list[tuple[Path, str]]:
    """Each picture the deck shows: its file, and its path in the output folder."""
    shown = {path for slide in deck.slides for _, path in slide.pictures}
    found = ((project.local_file(path), path) for path in sorted(shown))
    return [(source, os.path.normpath(path).replace(os.sep, "/")) for source, path in found if source]


def build(
    project: Project,
    manifests: Sequence[str] | None,
    out_dir: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    strict: bool = False,
    jobs: int = 1,
    reuse: bool = False,
) -> list[DeckResult]:
    """Build each manifest (all of the root's by default); one failing never stops the others.

    See `build_into`, which also says what it removed.
    """
    return build_into(project, manifests, out_dir, env, strict, jobs, reuse).decks


@dataclass
class Built:
    """What `build_into` did: each deck's result, and what earlier builds wrote that it removed."""

    decks: list[DeckResult]
    cleared: Cleared
    stamps: Stamps  # the output folder's record, as saved


def build_into(
    project: Project,
    manifests: Sequence[str] | None,
    out_dir: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    strict: bool = False,
    jobs: int = 1,
    reuse: bool = False,
) -> Built:
    """Build each manifest (all of the root's by default); one failing never stops the others.

    With `jobs` > 1 a second process colours the decks' code (colourer.py) while this
    one parses and runs the stages; it then makes the pages while a third process copies
    the pictures (copier.py). With `reuse`, a deck whose inputs did not change since
    the last build into `out_dir` is kept as it is (see stamps.py); its warnings are
    reported again. Then what an earlier build wrote for a deck and this one did not
    (its manifest gone, its page renamed, a picture no longer shown) is removed; a failed
    deck keeps what it had.
    """
    names = list(manifests or project.manifests())
    env = dict(os.environ if env is None else env)
    started = time.time_ns()
    out = OutputDir(out_dir)
    git = read_git(project.root)  # once per build: up to five git commands
    stamps = Stamps.open(out, build_context(git, env))
    done = {}
    for name in names if reuse else ():
        if (last := stamps.fresh(name)) is not None:
            done[name] = _reused(name, last, strict)
    todo = [name for name in names if name not in done]
    helped = jobs > 1 and bool(todo) and hasattr(os, "fork")
    with _cycle_collector_paused(), _helpers(project, todo, out_dir, env, helped) as (colourer, copier):
        kept = {r.html: name for name, r in done.items() if r.ok}  # pages no deck may take
        built = build_decks(project, todo, out_dir, env, strict, git, colourer, copier, kept) if todo else []
    done.update((r.manifest, r) for r in built)
    cleared = Cleared()
    try:
        cleared = _keep_stamps(stamps, out, project, done, built, started, reuse)
    except DeckwrightError as exc:  # a full disk: every deck says so (no traceback)
        for r in done.values():
            r.problems = r.problems + exc.problems
    return Built([done[name] for name in names], cleared, stamps)


def manifest_key(project: Project, name: str) -> str:
    """A manifest in the output folder's record of what was written: its absolute path."""
    return os.path.normpath(os.path.join(project.root, name))


def _start_colourer(project: Project, names: list[str], env: Mapping[str, str]) -> Colourer | None:
    """A process colouring the code of the named decks (None if it cannot fork)."""
    from .colourer import Colourer  # here: a one-process build needs none of it

    no_git = GitState(None, None, None, None, False)  # colours do not depend on git
    return Colourer.start(lambda: Workshop.open(project, env, no_git).deck_texts(names))


def _start_copier(out_dir: str | os.PathLike[str]) -> Copier | None:
    """A process copying pictures into `out_dir` when handed them (None if it cannot fork)."""
    from .copier import Copier  # as above

    return Copier.start(out_dir)


@contextmanager
def _helpers(project: Project, names: list[str], out_dir: str | os.PathLike[str], env: Mapping[str, str],
             wanted: bool) -> Iterator[tuple[Colourer | None, Copier | None]]:
    """The colourer and the copier when `wanted` (else None, None), each stopped at the end.

    The copier first: it is forked before the colourer's thread starts (see copier.py).
    Whatever was forked is stopped, even with Ctrl-C landing as they start (forking.py).
    """
    if not wanted:
        yield None, None
        return
    from .forking import all_stopped  # here: a one-process build needs none of it

    with all_stopped(), _helping(lambda: _start_copier(out_dir)) as copier, \
            _helping(lambda: _start_colourer(project, names, env)) as colourer:
        yield colourer, copier


H = TypeVar("H", "Colourer", "Copier")


@contextmanager
def _helping(start: Callable[[], H | None]) -> Iterator[H | None]:
    """The helper process `start()` makes (None if it cannot fork), stopped at the end."""
    helper = start()
    try:
        yield helper
    finally:
        if helper is not None:
            helper.stop()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused (forked workers inherit the pause).

    A build makes some 10^5 objects (slides, steps, tokens) that hold no reference
    cycles; the collector would walk them again and again as they pile up (0.05 s of
    the corpus's cold build, with no memory given back). It runs again afterwards, on
    objects made afterwards only: what the build kept (its memos of slides and colours)
    is set aside for good with `gc.freeze`, or the collector's first pass would walk it
    all once more (0.02 s). Being reference counted, it is still freed when unused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def _keep_stamps(stamps: Stamps, out: OutputDir, project: Project, done: dict[str, DeckResult],
                 built: list[DeckResult], started: int, reuse: bool) -> Cleared:
    """Record the decks built (for `reuse`) and what was written for each (always), remove
    what earlier builds wrote and none does now, and save the record."""
    if any(r.reused and r.ok for r in done.values()):
        # In case the output folder lost them. (A kept deck with diagrams names mermaid among
        # its outputs: had it been lost, the deck would have been built again, copying it.)
        copy_assets(out)
    stat = stat_once()  # each file once, whatever the number of decks using it
    for r in built if reuse else ():  # (with --force, none is recorded as up to date)
        if r.outputs:
            stamps.record(r.manifest, started, r.html, r.slides, r.problems, r.inputs, r.outputs, stat)
        else:
            stamps.forget(r.manifest)
    for r in done.values():
        key = manifest_key(project, r.manifest)
        if r.ok and r.outputs and not (r.reused and stamps.has_written(key, BUILD)):
            stamps.wrote(key, BUILD, r.outputs, stat)
    stamps.forget_gone(BUILD)
    cleared = stamps.clear(project.root, keep=[r.html for r in done.values() if not r.ok and r.html])
    stamps.save()
    return cleared


def _reused(name: str, last: Reused, strict: bool) -> DeckResult:
    problems = last.problems
    if strict and problems:
        problems = [p.as_error() for p in problems]
    return DeckResult(name, last.html, last.slides, 0.0, problems, last.inputs, last.outputs, True)


def build_decks(
    project: Project,
    names: Sequence[str],
    out_dir: str | os.PathLike[str],
    env: Mapping[str, str],
    strict: bool = False,
    git: GitState | None = None,
    colourer: Colourer | None = None,
    copier: Copier | None = None,
    kept: Mapping[str, str] | None = None,
) -> list[DeckResult]:
    """Build the named manifests one after the other, in this process.

    Every deck is made first; then the pages, each written once its pictures are copied.
    `git`: the content folder's git state, as the build read it (read here if None).
    `colourer`: a process colouring the decks' code meanwhile (colourer.py); `copier`: a
    process copying the pictures while the pages are made (copier.py). `kept`: the pages
    of decks kept from the last build (page -> manifest), which no deck may overwrite.
    """
    workshop = Workshop.open(project, env, git)
    out = OutputDir(out_dir)
    results, made = _make_decks(workshop, names, out, strict, kept)
    _write_pages(made, out, colourer, copier)
    return results


def _make_decks(
    workshop: Workshop, names: Sequence[str], out: OutputDir, strict: bool, kept: Mapping[str, str] | None
) -> tuple[list[DeckResult], list[_Made]]:
    """Each named deck loaded, staged and checked: the result of each, and the decks to write
    (neither a failed deck nor, with `strict`, one with warnings). Our assets are copied into
    `out` as the first deck to write is found."""
    results = []
    assets_written = False
    made: list[_Made] = []
    loaded = load_all(workshop, names)
    clashes = page_clashes([m for m, _ in loaded.values() if isinstance(m, Manifest)], kept)
    for manifest_path in names:
        result = DeckResult(manifest_path)
        start = time.perf_counter()
        manifest, deck, warnings = None, None, []
        try:
            manifest, warnings = _loaded(loaded[manifest_path])
            result.html = manifest.html  # (a failed deck's too: its last good page is kept)
            if manifest_path in clashes:
                raise DeckwrightError(clashes[manifest_path])
            deck, result.problems = compile_deck(workshop, manifest)
            result.problems = warnings + result.problems
            result.html, result.slides = deck.manifest.html, deck.shown_count
            if strict and result.problems:
                result.problems = [p.as_error() for p in result.problems]
            else:
                if not assets_written:
                    copy_assets(out)
                    assets_written = True
                pictures = pictures_shown(deck, workshop)
                made.append(_Made(result, deck, pictures, draws_diagrams(deck)))
        except DeckwrightError as exc:
            result.problems = with_warnings(exc.problems, warnings)
        result.inputs = deck_inputs(workshop, manifest_path, manifest, deck)
        result.seconds = time.perf_counter() - start
        results.append(result)
    return results, made


def _write_pages(made: list[_Made], out: OutputDir, colourer: Colourer | None, copier: Copier | None) -> None:
    """Make the page of each deck in `made` (which is emptied) and write it once its pictures
    are in place: copied by the `copier` while the pages are made, else here, page by page.
    The next page made is one whose code the `colourer` has coloured (see `_next_page`)."""
    if copier is not None and not copier.copy([(m.result.manifest, m.pictures) for m in made]):
        copier = None
    ready: list[tuple[_Made, str]] = []  # pages made, waiting for their pictures
    while made:
        page = made.pop(_next_page(made, colourer))
        start = time.perf_counter()
        ready.append((page, deck_html(page.deck)))
        page.result.seconds += time.perf_counter() - start
        if copier is None or copier.ready() or not made:
            copied = copier.copied() if copier is not None else None
            for done, html in ready:
                done.write(html, copied, out)
            ready = []


def with_warnings(problems: Sequence[Problem], warnings: Sequence[Problem]) -> list[Problem]:
    """A failed deck's `problems` (errors first) with the `warnings` found before them (its
    manifest's, the first file of the deck; or the whole deck's) first among the warnings;
    each once."""
    errors = [p for p in problems if p.is_error]
    return errors + list(dict.fromkeys([*warnings, *(p for p in problems if not p.is_error)]))


Loaded = tuple[Manifest | DeckwrightError, list[Problem]]


def load_all(workshop: Workshop, names: Sequence[str]) -> dict[str, Loaded]:
    """Each named manifest validated (or why it is not), before any deck is made: which
    decks write which page must be known before the first page is written."""
    loaded: dict[str, Loaded] = {}
    for name in names:
        try:
            loaded[name] = workshop.load(name)
        except DeckwrightError as exc:
            loaded[name] = (exc, [])
    return loaded


def _loaded(loaded: Loaded) -> tuple[Manifest, list[Problem]]:
    """A manifest from `load_all`, or its error raised."""
    manifest, warnings = loaded
    if isinstance(manifest, DeckwrightError):
        raise manifest
    return manifest, warnings


@dataclass
class _Made:
    """A deck made, whose pictures and page are to be written."""

    result: DeckResult
    deck: Deck
    pictures: list[tuple[Path, str]]  # (file, path in the output folder)
    diagrams: bool = False  # its page loads mermaid

    def write(self, html: str, copied: Copied | None, out: OutputDir) -> None:
        """Write the page, after its pictures (copied here unless `copied` says they are) and
        mermaid if it draws diagrams: all are its outputs, which a later build checks are
        still there before it keeps the page."""
        start = time.perf_counter()
        try:
            if copied is None:
                out.copy_files(self.pictures)
            elif copied.get(self.result.manifest):
                raise DeckwrightError(copied[self.result.manifest])
            mermaid = copy_mermaid(out) if self.diagrams else []
            pictures = [rel for _, rel in self.pictures]
            self.result.outputs = (*pictures, *mermaid, write_page(self.deck, out, html))
        except DeckwrightError as exc:  # a full disk: this deck says so, the others go on
            self.result.problems = with_warnings(exc.problems, self.result.problems)
        self.result.seconds += time.perf_counter() - start


# Blocks left to the colourer under which the build waits for it rather than colour the
# last deck itself: about what loading Pygments here would cost (0.05 s of colouring).
STEAL_AT = 250
STALLED = 1.0  # seconds without a batch: the build stops waiting for the colourer


def _next_page(pages: list[_Made], colourer: Colourer | None) -> int:
    """Which page to write next: the first whose blocks the colourer has sent, else the last.

    The colourer goes first deck first; the last deck's blocks are coloured here
    (highlight.py colours any block it was not given) while it goes on, so that the two
    processes share what is left of the colouring; unless little is left, then the build
    waits for the colourer's next batch (for STALLED seconds at most).
    """
    if colourer is None:
        return 0
    while True:
        ready = next((i for i, page in enumerate(pages) if colourer.has_coloured(page.result.manifest)), None)
        if ready is not None:
            return ready
        if colourer.left > STEAL_AT or not colourer.wait(STALLED):
            return len(pages) - 1


def resolve_manifest(project: Project, name: str) -> str:
    """A manifest named on the command line, as a path relative to the content root."""
    path = Path(name)
    candidates = [path if path.is_absolute() else Path.cwd() / path, project.root / name]
    why = f"no such manifest in {project.root}"
    for candidate in candidates:  # the first in the content folder (both may exist)
        if candidate.is_file():
            try:
                return candidate.resolve().relative_to(project.root).as_posix()
            except ValueError:  # its chapter paths would be read from another folder
                why = f"a manifest must be in the content folder (--root {project.root})"
    # No line of the file is to blame: printed `name: error: ...`
    raise DeckwrightError(Problem(SourceLoc(name, 0), why))
