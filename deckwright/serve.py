"""`deckwright serve`: build decks, serve them, rebuild what a saved file touches, follow the edit.

The HTTP server, the watcher and the event stream live in `server.py` and know
nothing of decks. This module is the deck side: which decks a change touches,
how to rebuild them, and what to tell an open tab afterwards: the slides that
changed (so the tab swaps only those in, instead of reloading a 2,000-slide
deck) and the first shown slide whose content changed in the saved file.
"""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from .builder import (
    DeckResult,
    Workshop,
    chapter_key,
    compile_deck,
    copy_assets,
    deck_inputs,
    with_warnings,
    write_deck,
)
from .checks.load import expand_entry
from .checks.slides import pieces, unclosed_brackets
from .cli import EXIT_OK, EXIT_USAGE, add_project_arguments, open_project, out_is_a_folder
from .errors import DeckwrightError, Problem
from .model import Deck, Entry, Manifest, Slide, SourceLoc
from .reader import INTERSTITIALS, Project, read_git
from .render import ASSETS, TEMPLATES, coloured_markdown, page_values
from .server import LiveServer, PageEvent
from .stages import without_footer
from .widths import pad
from .writer import OutputDir

CLIENT_SCRIPT = TEMPLATES / "serve-client.js"  # injected by the dev server only: not in built sites
# remark properties that make a slide depend on another one: such decks reload whole.
LINKED_PROPERTIES = {"layout", "template", "continued"}
PICTURE_SOURCES = frozenset((INTERSTITIALS,))  # what a chapter's picture slide shows comes from there


class Shown(NamedTuple):  # a tuple: thousands are made at each rebuild of a big deck
    """One slide as remark shows it (one `--` step): where it comes from and what it says."""

    path: str
    signature: int  # hash(): compared within one process only
    # Other files its content may come from: those its chapter includes, or the
    # interstitials list for a picture slide. A save of one of them points here too.
    sources: frozenset[str] = frozenset()


@dataclass
class DeckState:
    """What serve remembers of a manifest between builds (its last good deck)."""

    manifest: str
    html: str
    inputs: frozenset[Path] = frozenset()
    slides: list[str] = field(default_factory=list)  # remark Markdown of each slide
    steps: list[int] = field(default_factory=list)  # shown slides in each slide
    shown: list[Shown] = field(default_factory=list)
    linked: bool = False  # some slide uses layout/template: patching is unsafe
    page: dict[str, str | bool] = field(default_factory=dict)  # render.page_values: outside the slides
    built: bool = False  # has a good build been written
    errors: str = ""  # the last build's errors ("" after a good build)
    # Files saved since the last good build (while it failed): the tab has not seen them.
    unseen: frozenset[str] = frozenset()
    # The warnings printed for this deck so far (str of each): printed again only when saved.
    warned: frozenset[str] = frozenset()
    # What `check` finds in saved chapters that the build does not (see chapter_warnings),
    # per chapter, kept until that chapter is saved again or leaves the deck.
    checked: dict[str, list[Problem]] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)  # seconds per phase, last build


def shown_slides(deck: Deck, includes: dict[str, frozenset[str]] | None = None) -> list[Shown]:
    """Each shown slide's source file and a hash of its own text (footer left out) and notes.

    `includes` maps a chapter's path to the files it includes. The footer's line
    number moves when lines are added above, even in a slide this deck does not
    show: a slide whose footer alone changed is not where the tab should go.
    """
    includes = includes or {}
    normal: dict[str, str] = {}
    shown = []
    for slide in deck.slides:
        for step in slide.steps[:_shown_steps(slide)]:
            path = normal.get(step.loc.path) or normal.setdefault(step.loc.path,
                                                                  os.path.normpath(step.loc.path))
            sources = PICTURE_SOURCES if slide.generated == "picture" else includes.get(path, frozenset())
            shown.append(Shown(path, hash((_body_hash(step.text), step.notes)), sources))
    return shown


def _body_hash(text: str) -> int:
    """The hash of a step's text without the `.source[...]` footer the build appends
    (stages.add_footers), remembered: the same texts come back rebuild after rebuild."""
    found = _BODY_HASHES.get(text)
    if found is None:
        if len(_BODY_HASHES) >= _BODY_HASHES_LIMIT:
            _BODY_HASHES.clear()
        found = _BODY_HASHES[text] = hash(without_footer(text))
    return found


_BODY_HASHES: dict[str, int] = {}
_BODY_HASHES_LIMIT = 1 << 16


def _shown_steps(slide: Slide) -> int:
    """How many slides remark shows for this one: none for a `layout: true` slide."""
    return 0 if slide.is_layout else len(slide.steps)


def first_changed(old: Sequence[Shown], new: Sequence[Shown], files: set[str]) -> int | None:
    """The 0-based shown index, in `new`, of the first slide from `files` whose content or
    file changed (the slides of a renamed chapter differ in their footers alone, yet they
    are where the tab should go, as for an edit).

    A slide is from a file when it is written there, or its content may come from it
    (an included file, the interstitials list). None when those files' slides are the
    same as before (nothing visible changed there). When slides were only removed at
    the end of a file, the file's last slide is shown. A renamed or added chapter's
    picture slide (from interstitials.txt) gives way to the chapter's first slide.
    """
    before = [(s.path, s.signature) for s in old if _comes_from(s, files)]
    after = [(i, (s.path, s.signature)) for i, s in enumerate(new) if _comes_from(s, files)]
    for k, (index, signature) in enumerate(after):
        if k >= len(before) or before[k] != signature:
            was = before[k] if k < len(before) else None
            following = after[k + 1][1] if k + 1 < len(after) else None
            if _only_moved_with(new[index], signature, was, following):
                continue
            return index
    if len(before) > len(after) and after:
        return after[-1][0]
    return None


def _only_moved_with(slide: Shown, signature: tuple[str, int], was: tuple[str, int] | None,
                     following: tuple[str, int] | None) -> bool:
    """Whether `slide` (its path and signature; `was`: before) is a picture slide before a
    chapter, found changed only because its chapter was renamed or added (what it shows is
    the same, or it is new), while the chapter's own slides follow (`following`: the next
    one): the tab goes to those, as for an edit of the chapter."""
    return (slide.sources is PICTURE_SOURCES and (was is None or was[1] == signature[1])
            and following is not None and following[0] == signature[0])


def chapter_warnings(workshop: Workshop, entry: Entry) -> list[Problem]:
    """`deckwright check`'s unclosed `.class[` and backquote findings for one chapter, as
    warnings, but for those the build reports.

    The build reports the brackets and backquotes it sees in a chapter's scan as errors
    (a deck with one is not built, so this is not run); what is left is what only a slide
    by slide reading finds, too slow for every chapter of a cold build: serve checks only
    the chapters a save changed, where the author is looking.
    """
    chapter = workshop.chapter(entry)
    expanded = expand_entry(workshop, entry)
    found = []
    for piece in pieces(chapter, expanded.text):
        found += unclosed_brackets(piece.text, lambda offset, base=piece.offset: expanded.locate(base + offset))
    said = {(p.loc, p.message) for p in chapter.problems}
    return [Problem(f.loc, f.message, "warning", f.excerpt) for f in found if (f.loc, f.message) not in said]


def _comes_from(slide: Shown, files: set[str]) -> bool:
    return slide.path in files or not slide.sources.isdisjoint(files)


def slide_hunks(state: DeckState, slides: list[str], steps: list[int]) -> list[dict]:
    """The runs of slides that differ, in shown-slide terms, for the tab to swap in place."""
    old_at = _offsets(state.steps)
    new_at = _offsets(steps)
    old, new = [hash(s) for s in state.slides], [hash(s) for s in slides]
    # Most of a deck is the same: match its two ends first, then only the middle.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, old[head:len(old) - tail], new[head:len(new) - tail],
                                      autojunk=False)
    hunks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        hunks.append({
            "start": old_at[i1],
            "remove": old_at[i2] - old_at[i1],
            "add": new_at[j2] - new_at[j1],
            "markdown": "\n---\n".join(slides[j1:j2]),
        })
    return hunks


def _errors_event(page: str, errors: str) -> PageEvent:
    """A failed build: the page keeps its last good deck and shows why, until a good build."""
    return PageEvent(page, {"type": "build", "errors": errors}, keep={"errors": errors})


def _offsets(steps: list[int]) -> list[int]:
    offsets = [0]
    for count in steps:
        offsets.append(offsets[-1] + count)
    return offsets


@dataclass(frozen=True)
class NotingProject(Project):
    """A content folder whose reads of the files decks are made from are told to `note`
    (the file's real path and its bytes): serve compares them with a saved file's bytes."""

    note: Callable[[Path, bytes], None] = field(default=lambda full, raw: None, compare=False, repr=False)

    def read_raw(self, full: Path) -> bytes:
        raw = super().read_raw(full)
        self.note(full, raw)
        return raw


class Changes:
    """Changed paths, asked about fast: was this file, or a folder holding it, changed?"""

    def __init__(self, paths: set[Path]) -> None:
        self.paths = {Path(os.path.normpath(p)) for p in paths}
        self._prefixes = tuple(str(p) + os.sep for p in self.paths)

    def touch(self, path: Path) -> bool:
        # A folder renamed or deleted as a whole changes every file inside it.
        return path in self.paths or str(path).startswith(self._prefixes)


@dataclass
class Outcome:
    """One deck's build, before its page is written."""

    result: DeckResult
    manifest: Manifest | None = None
    deck: Deck | None = None
    markdown: list[str] = field(default_factory=list)
    event: PageEvent | None = None
    files: set[str] = field(default_factory=set)  # the saved files, from the content folder
    left: str | None = None  # the page the deck was built into before its `html` changed


class DeckSite:
    """The decks of one content folder, built into `out`, rebuilt as their sources change."""

    def __init__(
        self,
        project: Project,
        manifests: Sequence[str] | None,
        out: Path,
        env: dict[str, str] | None = None,
        log=print,
        err=None,
    ) -> None:
        # The bytes each file had when it was read into what the next build reuses (its
        # chapters, manifests, interstitials), by real path; None: reads of it disagreed.
        self._read: dict[Path, bytes | None] = {}
        project = NotingProject(project.root, project.repo_root, note=self._note_read)
        self.project, self.selected, self.root = project, list(manifests or []), Path(out)
        self.out = OutputDir(self.root)
        self.workshop = Workshop.open(project, env)
        self.states: dict[str, DeckState] = {}
        self.log = log
        self.err = err or (lambda text: print(text, file=sys.stderr))
        self.built_count: dict[str, int] = {}  # manifest -> builds so far (tests and benches)
        self._manifests: dict[str, tuple[Manifest, list[Problem], frozenset[Path]]] = {}
        self._aliases: dict[Path, set[Path]] = {}  # a symlink's target -> inputs naming it
        self._lock = threading.Lock()
        # The problems printed by this round of builds (at start, or after a save): a chapter
        # that decks share fails or warns each of them, and is said once, as `build` says it.
        self._said: set[str] = set()

    # -- what the server asks ---------------------------------------------------

    def watched(self) -> list[tuple[Path, bool]]:
        """The content folder and the templates and assets, whole; the folders of other inputs."""
        root = self.project.root
        folders = {(root, True), (TEMPLATES, True), (ASSETS, True)}
        paths = [p for state in self.states.values() for p in state.inputs] + list(self._aliases)
        folders |= {(p.parent, False) for p in paths if not p.is_relative_to(root)}
        return sorted(folders)

    def vanished(self, changed: set[Path]) -> bool:
        """Whether a changed path is gone now and some deck reads it (a manifest is an input too).

        Asked before each rebuild: an ordinary save costs one lookup per changed path.
        """
        gone = {Path(os.path.normpath(p)) for p in changed if not os.path.lexists(p)}
        if not gone:
            return False
        gone |= {alias for p in gone for alias in self._aliases.get(p, ())}
        return any(not gone.isdisjoint(state.inputs) for state in self.states.values())

    def manifests(self) -> list[str]:
        return self.selected or self.project.manifests()

    def build_all(self) -> list[DeckResult]:
        self._said = set()
        copy_assets(self.out)
        results = []
        for path in self.manifests():
            outcome = self._compile(path, set(), full_reload=True)
            self._write(outcome)
            results.append(outcome.result)
        return results

    def rebuild(self, changed: set[Path], open_pages: frozenset[str] = frozenset()) -> Iterator[PageEvent]:
        """Rebuild the decks that use a changed file; new manifests build, deleted ones drop.

        Decks open in a tab go first. Each deck's event is sent as soon as it is
        compiled; its page is written right after (a tab that reloads waits for that).
        """
        with self._lock:
            # A file saved with the bytes the decks were built from changes nothing: an
            # editor's or watcher's late event for a save already built, a save of an
            # unchanged file. Building again would only print "built" and reload nothing.
            changes = Changes({p for p in changed if not self._unchanged(Path(os.path.normpath(p)))})
            changes = Changes(changes.paths.union(*(self._aliases.get(p, ()) for p in changes.paths)))
            everything = any(
                p.is_relative_to(TEMPLATES) or p.is_relative_to(ASSETS) for p in changes.paths
            )
            yield from self._drop_deleted()
            # A failed deck tries again on any change: the file it missed may have come.
            todo = [
                m for m in self.manifests()
                if everything or m not in self.states or self.states[m].errors
                or any(changes.touch(i) for i in self.states[m].inputs)
            ]
            if not todo:
                return
            self._said = set()
            todo.sort(key=lambda m: m not in self.states or self.states[m].html not in open_pages)
            # git is asked after the tabs are told (see _refresh_git): it takes a while.
            forgotten = changes.paths | self._inputs_under(changes)
            for path in forgotten:  # nothing kept comes from it now: its next read says
                self._read.pop(path, None)
            self.workshop.forget(forgotten, git=False)  # (reads interstitials.txt again now)
            self._forget_manifests(changes)
            if everything:
                copy_assets(self.out)
            files = {os.path.normpath(os.path.relpath(p, self.project.root)) for p in changes.paths}
            yield from self._build_each(todo, files, everything)
            yield from self._refresh_git()

    def _build_each(self, todo: list[str], files: set[str], full_reload: bool) -> Iterator[PageEvent]:
        for path in todo:
            outcome = self._compile(path, files, full_reload)
            if outcome.event is not None:
                yield outcome.event
            failed = self._write(outcome)
            if failed is not None:
                yield failed
            elif outcome.left is not None:
                yield self._take_down(outcome.left, f"{path} now builds {self.states[path].html}")

    def _refresh_git(self) -> Iterator[PageEvent]:
        """Read git's state; if it moved (first edit after a commit), rebuild for the build info."""
        git = read_git(self.project.root)
        if git == self.workshop.git:
            return
        self.workshop.git = git
        yield from self._build_each([m for m in self.manifests() if m in self.states], set(), False)

    # -- building one deck ----------------------------------------------------------

    def _note_read(self, full: Path, raw: bytes) -> None:
        """Keep the bytes of a file read; if they differ from those of an earlier read that
        something kept still comes from (a chapter parsed before it changed), none are known."""
        if full not in self._read:
            self._read[full] = raw
        elif self._read[full] != raw:
            self._read[full] = None

    def _unchanged(self, path: Path) -> bool:
        """Whether `path` holds the very bytes the decks were built from (a link: never said)."""
        known = self._read.get(path)
        if known is None or os.path.islink(path):
            return False
        try:
            with open(path, "rb") as file:
                return file.read(len(known) + 1) == known
        except OSError:
            return False

    def _inputs_under(self, changes: Changes) -> set[Path]:
        """Inputs inside changed folders (a folder renamed or deleted as a whole)."""
        inputs = {i for s in self.states.values() for i in s.inputs}
        return {i for i in inputs if changes.touch(i)}

    def _note_links(self, inputs: frozenset[Path]) -> None:
        """Inputs reached through symlinks: the watcher reports their targets' paths."""
        for path in inputs:
            real = Path(os.path.realpath(path))
            if real != path:
                self._aliases.setdefault(real, set()).add(path)

    def _forget_manifests(self, changes: Changes) -> None:
        """Validate a manifest again when it changed, or when a file it lists came or went."""
        root = self.project.root
        for path, (_, _, deps) in list(self._manifests.items()):
            if changes.touch(root / path) or any(changes.touch(d) and not d.is_file() for d in deps):
                del self._manifests[path]

    def _load(self, path: str) -> tuple[Manifest, list[Problem]]:
        """A validated manifest, read again only when it or a file it lists changed."""
        if path not in self._manifests:
            manifest, warnings = self.workshop.load(path)
            root = self.project.root
            deps = {root / path} | {root / e.source_path for e in manifest.entries}
            self._manifests[path] = (manifest, warnings,
                                     frozenset(Path(os.path.normpath(d)) for d in deps))
        manifest, warnings, _ = self._manifests[path]
        return manifest, list(warnings)

    def _drop_deleted(self) -> list[PageEvent]:
        """Forget the decks whose manifest was renamed or deleted, and take their pages down.

        A page left in the folder would stay in the listing and keep answering as if
        its deck were still there; an open tab keeps what it shows and says why.
        """
        events = []
        for path in [m for m in self.states if m not in self.manifests()]:
            state = self.states.pop(path)
            self._manifests.pop(path, None)
            events.append(self._take_down(state.html, f"{path}: the manifest was renamed or deleted"))
        return events

    def _take_down(self, page: str, why: str) -> PageEvent:
        """Delete a page no deck builds any more; tell its tabs why (they keep what they show)."""
        if all(state.html != page for state in self.states.values()):
            (self.root / page).unlink(missing_ok=True)
        text = f"{why}; {page} is no longer served"
        self.log(text)
        return PageEvent(page, {"type": "build", "errors": text, "gone": True},
                         keep={"errors": text, "gone": True}, removed=True)

    def _compile(self, path: str, files: set[str], full_reload: bool) -> Outcome:
        state = self.states.get(path) or DeckState(path, html=f"{path}.html")
        self.states[path] = state
        files = files | state.unseen
        outcome = Outcome(DeckResult(path, html=state.html), files=files)
        result = outcome.result
        start = time.perf_counter()
        manifest = deck = None
        warnings: list[Problem] = []
        try:
            manifest, warnings = self._load(path)
            deck, problems = compile_deck(self.workshop, manifest)
            result.problems = warnings + problems
        except DeckwrightError as exc:
            result.problems = with_warnings(exc.problems, warnings)
        except OSError as exc:  # a file vanished mid-build (git checkout, editor swap files)
            result.problems = [self._vanished(path, exc)]
        except Exception as exc:  # noqa: BLE001 - a bug of ours: say so, keep serving
            traceback.print_exc()
            result.problems = [Problem(SourceLoc(path, 0), f"internal error: {exc!r}")]
        compiled = time.perf_counter()
        outcome.manifest = manifest
        self.built_count[path] = self.built_count.get(path, 0) + 1
        state.errors = "\n".join(str(p) for p in result.problems if p.is_error)
        state.unseen = frozenset(files) if not result.ok or deck is None else frozenset()
        if not result.ok or deck is None:
            outcome.event = _errors_event(state.html, state.errors)
            result.seconds = compiled - start
            return outcome
        result.problems += self._check_saved(state, manifest, files)
        outcome.deck, outcome.markdown = deck, [coloured_markdown(s) for s in deck.slides]
        result.html, result.slides = deck.manifest.html, deck.shown_count
        if state.built and state.html != deck.manifest.html:
            outcome.left = state.html
        outcome.event = self._update(state, deck, self._includes(manifest), outcome.markdown, files,
                                     full_reload)
        warnings = "\n".join(str(p) for found in state.checked.values() for p in found) or None
        outcome.event.data["warnings"] = warnings
        outcome.event.keep = {"errors": None, "warnings": warnings}
        prepared = time.perf_counter()
        state.timing = {"compile": compiled - start, "prepare": prepared - compiled}
        outcome.event.data["timing"] = dict(state.timing)
        return outcome

    def _check_saved(self, state: DeckState, manifest: Manifest, files: set[str]) -> list[Problem]:
        """The deck's check warnings, found anew in the chapters `files` changed."""
        keys = set()
        for entry in manifest.entries:
            key = chapter_key(entry)
            keys.add(key)
            if files.intersection(self.workshop.chapter(entry).files):
                state.checked[key] = chapter_warnings(self.workshop, entry)
        state.checked = {k: v for k, v in state.checked.items() if k in keys and v}
        return [p for found in state.checked.values() for p in found]

    def _write(self, outcome: Outcome) -> PageEvent | None:
        """Write a compiled deck's page and pictures, after its tabs were told; note its inputs.

        Returns an error event if writing fails.
        """
        result, deck = outcome.result, outcome.deck
        state = self.states[result.manifest]
        inputs = deck_inputs(self.workshop, result.manifest, outcome.manifest, deck)
        # After a failure, what the last good build read still counts (a fix may be there).
        state.inputs = inputs if result.ok else inputs | state.inputs
        self._note_links(state.inputs)
        if deck is None:
            self._report(result, outcome.files)
            return None
        start = time.perf_counter()
        try:
            write_deck(deck, self.workshop, self.out, "\n---\n".join(outcome.markdown))
        except DeckwrightError as exc:
            result.problems += exc.problems
        except OSError as exc:
            result.problems.append(self._vanished(result.manifest, exc))
        state.timing["write"] = time.perf_counter() - start
        result.seconds = sum(state.timing.values())
        self._report(result, outcome.files)
        if result.ok:
            return None
        state.errors = "\n".join(str(p) for p in result.problems if p.is_error)
        state.built = False  # what the tab has is not on disk: it must reload next time
        return _errors_event(state.html, state.errors)

    def _vanished(self, path: str, exc: OSError) -> Problem:
        name = os.path.relpath(exc.filename, self.project.root) if exc.filename else path
        return Problem(SourceLoc(name, 0), f"cannot read: {exc.strerror or exc}")

    def _includes(self, manifest: Manifest) -> dict[str, frozenset[str]]:
        """The files each chapter of the deck includes, by the chapter's path (none: left out)."""
        found: dict[str, frozenset[str]] = {}
        for entry in manifest.entries:
            files = self.workshop.chapter(entry).files
            if len(files) > 1:
                path = os.path.normpath(entry.source_path)
                found[path] = found.get(path, frozenset()).union(os.path.normpath(f) for f in files)
        return found

    def _update(self, state: DeckState, deck: Deck, includes: dict[str, frozenset[str]],
                markdown: list[str], files: set[str], full_reload: bool) -> PageEvent:
        """Remember the new deck; say what changed since the last good one."""
        steps = [_shown_steps(s) for s in deck.slides]
        shown = shown_slides(deck, includes)
        linked = any(LINKED_PROPERTIES.intersection(s.properties) for s in deck.slides)
        old_html, state.html = state.html, deck.manifest.html
        # A file new to the deck (a chapter added to the manifest) changed as if saved.
        added = {s.path for s in shown}.difference(s.path for s in state.shown)
        target = first_changed(state.shown, shown, files | added) if state.built else None
        hunks = slide_hunks(state, markdown, steps) if state.built else []
        patchable = state.built and not full_reload and not linked and not state.linked
        page = page_values(deck)
        # What the page reads as it starts (title, numbers' prefix, mermaid or not): reload.
        reload = state.built and page != state.page
        patchable = patchable and old_html == state.html and not reload
        if patchable and sum(h["add"] for h in hunks) > max(200, len(shown) // 2):
            patchable = False  # as slow as a reload: reload
        same = state.built and not hunks and not full_reload and not reload
        data = {
            "type": "build",
            "errors": None,
            "target": target,
            "total": len(shown),
            "patch": hunks if patchable else None,
            # Saved pictures: the same slides, but the tab must fetch the files again.
            "pictures": sorted({
                p for s in deck.slides for _, p in s.pictures if os.path.normpath(p) in files
            }),
        }
        state.slides, state.steps, state.shown, state.linked = markdown, steps, shown, linked
        state.page = page
        state.built = True
        return PageEvent(state.html, data, changed=not same, keep={"errors": None})

    def _report(self, result: DeckResult, files: set[str]) -> None:
        """Print the errors, the warnings worth reading again, and how the build went."""
        fresh, others = self._warnings_to_print(self.states[result.manifest], result, files)
        for problem in result.problems:
            if (problem.is_error or problem in fresh) and str(problem) not in self._said:
                self._said.add(str(problem))
                self.err(str(problem))
        unchanged = f"  ({others} other warning{'s' * (others != 1)}, unchanged)" if others else ""
        if result.ok:
            self.log(f"built  {pad(result.html, 28)} {result.slides:>5} slides  {result.seconds:6.2f} s"
                     + unchanged)
        else:
            self.err(f"FAILED {result.manifest} ({self._kept(result.html)})" + unchanged)

    def _warnings_to_print(self, state: DeckState, result: DeckResult,
                           files: set[str]) -> tuple[list[Problem], int]:
        """The deck's warnings that are new since its last build or in a saved file; how many others.

        On a large project the same warnings come back on every save, for every deck
        rebuilt: printed again, they hide what the save did. A failed build forgets
        none of those printed before (they come back once it is fixed).
        """
        warnings = [p for p in result.problems if not p.is_error]
        fresh = [w for w in warnings
                 if str(w) not in state.warned or os.path.normpath(w.loc.path) in files]
        state.warned = frozenset(map(str, warnings)) | (frozenset() if result.ok else state.warned)
        return fresh, len(warnings) - len(fresh)

    def _kept(self, page: str) -> str:
        """What the tab shows of a deck that failed: its last good page, if one was written."""
        if (self.root / page).is_file():
            return "the page keeps its last good build"
        return "no good build yet: the page waits for one"


# -- the command ----------------------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="build decks, serve them and rebuild on every save",
        description="Build the decks into a temporary folder, serve it over HTTP and watch the "
        "sources: a saved file rebuilds the decks that use it, and an open tab shows the first "
        "slide that changed. Problems are printed as path:line: message and shown in the tab; "
        "saved chapters are also checked slide by slide for brackets and backquotes left open "
        "that the build does not report (warnings).",
    )
    add_project_arguments(p)
    p.add_argument("--out", metavar="DIR", help="output folder (default: a temporary folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the first deck in a web browser")
    p.set_defaults(func=run)


def _port(text: str) -> int:
    """`--port`: a TCP port, checked before any deck is built (bind() raises no OSError
    for one out of range)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {text!r}")
    return int(text)


def start(project: Project, manifests: Sequence[str], out: Path, host: str, port: int,
          log=print) -> tuple[LiveServer, DeckSite, list[DeckResult]]:
    """Build every deck, then serve and watch in background threads (tests use this too)."""
    site = DeckSite(project, manifests, out, log=log)
    server = LiveServer(site, CLIENT_SCRIPT, host=host, port=port, log=log)  # fails fast
    try:
        results = site.build_all()
    except BaseException:
        server.stop()
        raise
    for state in site.states.values():
        if state.errors:  # a tab opened now shows why
            server.publish(_errors_event(state.html, state.errors))
    server.start()
    return server, site, results


def run(args: argparse.Namespace) -> int:
    opened = open_project(args)
    if opened is None or not out_is_a_folder(args.out):
        return EXIT_USAGE
    project, manifests = opened
    # SIGTERM stops as cleanly as Ctrl-C: both raise KeyboardInterrupt, caught once below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = None
    with tempfile.TemporaryDirectory(prefix="deckwright-serve-") as temp:
        out = Path(args.out) if args.out else Path(temp)
        try:
            server, site, _ = start(project, manifests, out, args.host, args.port)
            _announce(server, site)
            if args.open and site.states:
                webbrowser.open(page_url(server, next(iter(site.states.values())).html))
            server.closed.wait()
        except KeyboardInterrupt:
            print("\nstopping")
        except OSError as exc:  # the address is taken, or not ours
            print(f"deckwright: error: cannot listen on {args.host}:{args.port}: {exc.strerror}",
                  file=sys.stderr)
            return EXIT_USAGE
        finally:
            if server is not None:
                server.stop()
    return EXIT_OK


def _announce(server: LiveServer, site: DeckSite) -> None:
    print(f"serving {site.root} at {server.url} (Ctrl-C stops)")
    for state in site.states.values():
        print(f"  {page_url(server, state.html)}")
    print("watching for changes")


def page_url(server: LiveServer, html: str) -> str:
    """A deck page's address, its name quoted (`my%20deck.yml.html`): a link a terminal or
    a browser takes whole."""
    return server.url + quote(html)
