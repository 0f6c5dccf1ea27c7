"""Load decks the way the build does, but keep going past errors so that all can be reported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..builder import (
    Workshop,
    chapter_key,
    in_deck_order,
    missing_interstitials,
    missing_pictures,
    no_slides,
)
from ..directives import Expanded, expand_includes
from ..errors import DeckwrightError, Problem
from ..model import Chapter, Deck, Entry, Manifest, SourceLoc
from ..reader import Project, build_info, repo_link
from ..stages import PIPELINE, run_pipeline, substitute_directives


@dataclass(frozen=True)
class LenientProject(Project):
    """A Project whose missing includes are noted (and left out) instead of stopping a chapter."""

    include_problems: list[Problem] = field(default_factory=list, compare=False)
    # The missing includes of each chapter parsed (by its key in the Workshop), so that
    # each deck using it is told, though the chapter is parsed once.
    chapter_includes: dict[str, list[Problem]] = field(default_factory=dict, compare=False)

    def read_include(self, target: str, loc: SourceLoc) -> tuple[str, str]:
        try:
            return super().read_include(target, loc)
        except DeckwrightError as exc:
            self.include_problems.extend(exc.problems)
            return target, ""


@dataclass
class LoadedDeck:
    """One manifest as far as it could be read: its deck before and after the stages."""

    path: str
    text: str = ""  # the manifest's text ("" when it cannot be read)
    manifest: Manifest | None = None
    authors: Deck | None = None  # the authors' slides, before any stage
    deck: Deck | None = None  # after the stages (None when the manifest is invalid)
    problems: list[Problem] = field(default_factory=list)
    # Its own among them, not those of the chapters it shares: the stages' (broken anchors...)
    # and the missing pictures of interstitials.txt it comes to (which depend on the deck).
    own: list[Problem] = field(default_factory=list)
    complete: bool = True  # False when a chapter could not be read at all
    # Errors `check` reports that do not stop the build: pictures of slides this deck excludes.
    check_only: list[Problem] = field(default_factory=list)

    @property
    def build_errors(self) -> list[Problem]:
        """The errors that stop `deckwright build` on this deck (none: it builds)."""
        check_only = set(self.check_only)
        return [p for p in self.problems if p.is_error and p not in check_only]


def open_workshop(root: str, env: Mapping[str, str] | None = None) -> Workshop:
    return Workshop.open(LenientProject.at(root), env)


def load_decks(workshop: Workshop, paths: Sequence[str]) -> list[LoadedDeck]:
    return [load_deck(workshop, path) for path in paths]


def load_deck(workshop: Workshop, path: str) -> LoadedDeck:
    """Validate, assemble and compile one manifest; every problem is kept, none is raised."""
    loaded = LoadedDeck(path)
    try:
        loaded.text = workshop.project.read_text(path)
        loaded.manifest, loaded.problems = workshop.load(path)
    except DeckwrightError as exc:
        loaded.problems = list(exc.problems)
        return loaded
    loaded.authors = _authors_deck(workshop, loaded)
    loaded.deck = run_pipeline(loaded.authors, PIPELINE)
    if loaded.complete:  # else links to the slides of the chapter it lacks would look broken
        loaded.problems += list(loaded.deck.problems)
    # Pictures of every slide, those this variant excludes too: another variant shows them.
    missing = missing_pictures(substitute_directives(loaded.authors), workshop.project)
    # A picture shown by reference is found only in a deck (its labels are the deck's).
    referring = replace(loaded.deck, slides=tuple(s for s in loaded.deck.slides if s.references))
    missing += [p for p in missing_pictures(referring, workshop.project) if p not in missing]
    # The pictures between chapters, each at its line: an error of the decks that come to it.
    between = missing_interstitials(workshop)
    missing += between
    shown = {loc for slide in loaded.deck.slides for loc, _ in slide.pictures}
    loaded.own = [*loaded.deck.problems, *(p for p in between if p.loc in shown)]
    loaded.problems += missing
    loaded.check_only = [p for p in missing if p.loc not in shown]
    if loaded.complete:  # else the deck lacks a chapter, which is said already
        loaded.problems += no_slides(loaded.deck)
    loaded.problems = in_deck_order(loaded.problems, workshop, loaded.deck)  # as the build says them
    return loaded


def _authors_deck(workshop: Workshop, loaded: LoadedDeck) -> Deck:
    """Like `Workshop.deck`, but a chapter that cannot be read is reported and left out."""
    manifest = loaded.manifest
    assert manifest is not None
    loaded.problems += workshop.problems
    slides = []
    for entry in manifest.entries:
        try:
            chapter, missing = _chapter(workshop, entry)
        except DeckwrightError as exc:
            loaded.problems += exc.problems
            loaded.complete = False
            continue
        loaded.problems += chapter.shown_problems(set(manifest.exclude)) + tuple(missing)
        slides += [replace(s, part=entry.part) for s in chapter.slides]
    project = workshop.project
    return Deck(
        manifest=manifest,
        slides=tuple(slides),
        interstitials=workshop.interstitials,
        repo=repo_link(project, workshop.git, manifest.gitrepo, workshop.env),
        build_info=build_info(workshop.git),
    )


def _chapter(workshop: Workshop, entry: Entry) -> tuple[Chapter, list[Problem]]:
    """The entry's chapter and the includes it lacks (noted while it was parsed)."""
    project = workshop.project
    if not isinstance(project, LenientProject):  # missing includes raise: there are none
        return workshop.chapter(entry), []
    key = chapter_key(entry)
    before = len(project.include_problems)
    chapter = workshop.chapter(entry)
    if len(project.include_problems) > before:
        project.chapter_includes[key] = project.include_problems[before:]
    return chapter, project.chapter_includes.get(key, [])


def expand_entry(workshop: Workshop, entry: Entry) -> Expanded:
    """An entry's text with its includes expanded, as `Workshop.chapter` parsed it."""
    if entry.path is not None:
        path, text = workshop.project.read_chapter(entry.path)
        return expand_includes(path, text, workshop.project.read_include, 1)
    return expand_includes(entry.source_path, entry.text or "", workshop.project.read_include, entry.loc.line,
                           entry.one_line)


def include_problems(workshop: Workshop) -> list[Problem]:
    project = workshop.project
    return list(project.include_problems) if isinstance(project, LenientProject) else []
