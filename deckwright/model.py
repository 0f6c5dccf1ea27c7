"""The in-memory model of a workshop: manifests, chapters, slides and decks."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from .links import find_anchor_links, find_picture_references, find_pictures


@dataclass(frozen=True, order=True)
class SourceLoc:
    """A place in a source file: a path relative to the content root and a 1-based line
    (0: the file as a whole, or a setting from outside it, e.g. the environment)."""

    path: str
    line: int = 1
    col: int = 0

    def __str__(self) -> str:
        if not self.line:  # `out.html:0:` would send an editor to a line that is not there
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.col}" if self.col else "")

    def shifted(self, lines: int) -> SourceLoc:
        return SourceLoc(self.path, self.line + lines)  # (not `replace`: twice as quick)


@dataclass(frozen=True)
class Entry:
    """One item of a manifest's content list: a chapter file or inline Markdown."""

    loc: SourceLoc  # where the item stands in the manifest
    part: int | None  # 1-based part number; None for front matter outside parts
    path: str | None = None  # chapter file, relative to the content root
    text: str | None = None  # inline Markdown
    # Inline Markdown whose lines are not the manifest's (a quoted or folded YAML scalar:
    # `\n` escapes, folded lines): all of it is located at `loc`'s line.
    one_line: bool = False

    @property
    def source_path(self) -> str:
        return self.path if self.path is not None else self.loc.path


@dataclass(frozen=True)
class Manifest:
    """A validated workshop manifest: one deck."""

    path: str
    title: str
    chat: str
    gitrepo: str
    slides: str
    zip: str
    html: str
    slidenumberprefix: str
    lang: str  # the language of its text, a tag ('fr'); '' when not given (English)
    exclude: tuple[str, ...]
    entries: tuple[Entry, ...]
    part_count: int
    # Where `html` is set (its key's value; line 0: by OVERRIDE_html; line 1: not set).
    html_loc: SourceLoc | None = field(default=None, compare=False)
    # Where `zip` is set (its key's value; line 0: by OVERRIDE_zip; None: not set, the default).
    zip_loc: SourceLoc | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Step:
    """One `--` step of a slide: its own text, and presenter notes after `???`."""

    text: str
    loc: SourceLoc
    notes: str | None = None
    notes_loc: SourceLoc | None = None
    # Where the fenced code blocks of `text` are (remark_lexer.fenced_blocks), as found
    # when its chapter was split; None once a stage has made or changed the text.
    blocks: tuple[tuple[int, int], ...] | None = field(default=None, compare=False)
    # Where `text` goes on in another file (an @@INCLUDE's, or back after it): (offset in
    # `text`, where that offset comes from). Empty for most steps: all from one file.
    seams: tuple[tuple[int, SourceLoc], ...] = field(default=(), compare=False)

    @property
    def top(self) -> SourceLoc:
        """The line a reader is sent to: the step's first line of text, past the blank lines
        a `---` is mostly followed by (where `loc` is). A property line is text."""
        text = self.text
        if not text.startswith(("\n", " ", "\t")):  # its text starts on its first line
            return self.loc
        blank = _BLANK.match(text).end()  # type: ignore[union-attr]
        lead = text.rfind("\n", 0, blank) + 1  # the start of the line where the text starts
        return self.locate(lead) if lead and blank < len(text) else self.loc

    def with_text(self, text: str, notes: str | None = None) -> Step:
        # Stages change text within its lines (`@@TOC@@` out, values in): seams stay.
        return Step(text, self.loc, self.notes if notes is None else notes, self.notes_loc,
                    seams=self.seams)

    def extended(self, text: str) -> Step:
        """The step with `text` added after its own (whose blocks stay where they are)."""
        return Step(self.text + text, self.loc, self.notes, self.notes_loc, self.blocks, self.seams)

    def locate(self, offset: int) -> SourceLoc:
        """Where `offset` in the step's text comes from (file and line), includes counted."""
        start, loc = 0, self.loc
        for at, seam in self.seams:
            if at > offset:
                break
            start, loc = at, seam
        return loc.shifted(self.text.count("\n", start, offset))


_BLANK = re.compile(r"[ \t\n]*")  # (Step.top)
PROPERTY_LINE = re.compile(r"\n*([-\w]+):([^$\n]*)", re.ASCII)
COMMENT_PROPERTY = re.compile(r"\n*<!--\s*([-\w]+):([^$\n]*?)\s*-->", re.ASCII)


def read_properties(text: str) -> tuple[dict[str, str], str]:
    """Read slide properties the way remark does; return them and the text after them.

    remark takes `key: value` lines at the very top of a slide (blank lines allowed
    between them), and `<!-- key: value -->` comments anywhere in its first text.
    """
    props: dict[str, str] = {}
    pos = 0
    while m := PROPERTY_LINE.match(text, pos):
        props[m.group(1).strip()] = m.group(2).strip()
        pos = m.end()
    body = text[pos:]
    if "<!--" in body:
        for m in COMMENT_PROPERTY.finditer(body):
            props.setdefault(m.group(1).strip(), m.group(2).strip())
    return props, body


Ref = tuple[SourceLoc, str]  # where a slide refers to something, and to what


@dataclass(frozen=True, slots=True)
class Slide:
    """A remark slide (`---` to `---`), with its steps and what the build knows of it."""

    steps: tuple[Step, ...]
    part: int | None = None
    title: str | None = None  # the `# Title` this slide opens a chapter with
    anchor: str | None = None  # the name of the generated title slide for `title`
    generated: str = ""  # what generated this slide ("" for an author's slide)
    properties: dict[str, str] = field(default_factory=dict, compare=False)
    pictures: tuple[Ref, ...] = ()  # local pictures it shows
    links: tuple[Ref, ...] = ()  # `#anchor` links it makes
    # The labels of the pictures it shows by reference (`![alt][label]`): the deck
    # resolves them (stages.resolve_picture_references adds the local ones to `pictures`).
    references: tuple[Ref, ...] = ()

    @property
    def loc(self) -> SourceLoc:
        return self.steps[0].loc

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.properties.get("class", "").split(",") if c.strip())

    @property
    def name(self) -> str | None:
        return self.properties.get("name") or None

    @property
    def is_layout(self) -> bool:
        """Whether remark keeps the slide out of the deck (`layout: true`), putting its text
        before each slide that follows instead: it is neither shown nor a link target."""
        return self.properties.get("layout") == "true"

    # Direct constructors: dataclasses.replace is several times slower, and big decks
    # make tens of thousands of slides per build.
    def with_steps(self, steps: tuple[Step, ...]) -> Slide:
        return Slide(steps, self.part, self.title, self.anchor, self.generated,
                     self.properties, self.pictures, self.links, self.references)

    def in_part(self, part: int | None) -> Slide:
        return Slide(self.steps, part, self.title, self.anchor, self.generated,
                     self.properties, self.pictures, self.links, self.references)

    def with_anchor(self, anchor: str) -> Slide:
        return Slide(self.steps, self.part, self.title, anchor, self.generated,
                     self.properties, self.pictures, self.links, self.references)

    def with_pictures(self, pictures: tuple[Ref, ...]) -> Slide:
        return Slide(self.steps, self.part, self.title, self.anchor, self.generated,
                     self.properties, pictures, self.links, self.references)


def make_slide(steps: tuple[Step, ...], properties: dict[str, str] | None = None, **fields: object) -> Slide:
    """A slide whose properties, pictures, links and picture references are read from its text,
    as remark would.

    `properties`: those of the first step, when the caller has read them already.
    """
    props = read_properties(steps[0].text)[0] if properties is None else properties
    return Slide(
        steps=steps,
        properties=props,
        pictures=tuple(find_pictures(steps, props)),
        links=tuple(find_anchor_links(steps)),
        references=find_picture_references(steps),
        **fields,  # type: ignore[arg-type]
    )


def kept(slide: Slide, excluded: set[str]) -> bool:
    """Whether a variant excluding the classes `excluded` keeps the slide (remark gets it)."""
    props = slide.properties
    if not props:  # most slides have no properties at all
        return True
    if props.get("exclude", "").lower() == "true":
        return False
    classes = props.get("class", "")
    return not (classes and any(c in classes for c in excluded) and excluded.intersection(slide.classes))


@dataclass(frozen=True)
class Chapter:
    """A chapter file (or inline Markdown) split into slides, shared by every deck using it."""

    path: str
    slides: tuple[Slide, ...]
    problems: tuple = ()  # Problems found while parsing (deck-independent)
    files: tuple[str, ...] = ()  # every file read for it (root-relative; includes too)
    # Problems of what remark gets only if the deck keeps one of the slides they are on (a
    # slide left out never reaches remark): a macro's error, a comment's warning; each with the
    # indices of its first and last slides. See `shown_problems`.
    on_slides: tuple = ()

    def shown_problems(self, excluded: set[str]) -> tuple:
        """Its problems for a deck excluding the classes `excluded`."""
        if not self.on_slides:
            return self.problems
        return self.problems + tuple(p for first, last, p in self.on_slides
                                     if any(kept(s, excluded) for s in self.slides[first:last + 1]))


@dataclass(frozen=True)
class RepoLink:
    """Where the sources live online, to link each slide to its file and line."""

    url: str  # e.g. https://github.com/owner/name
    branch: str
    prefix: str  # the content root's folder inside the repository ("" at its top)

    def file_url(self, path: str) -> str:
        """The page of a file (`path`: from the content root); a footer adds its line (`#L12`)."""
        full = posixpath.normpath(f"{self.prefix}/{path}") if self.prefix else path
        return f"{self.url}/blob/{self.branch}/{full}"

    def tree_url(self, path: str) -> str:
        return f"{self.url}/tree/{self.branch}/{path}"


@dataclass(frozen=True)
class BuildInfo:
    """The commit a deck is built from, and whether the tree had uncommitted changes."""

    commit: str | None
    dirty: bool = False

    def __str__(self) -> str:
        if self.commit is None:
            return "built outside a git repository"
        state = "with uncommitted changes" if self.dirty else "clean tree"
        return f"built from commit {self.commit} ({state})"


@dataclass(frozen=True)
class Deck:
    """One manifest's slides as they move through the build stages."""

    manifest: Manifest
    slides: tuple[Slide, ...]
    interstitials: tuple[Ref, ...] = ()  # the pictures between chapters, at their lines
    repo: RepoLink | None = None
    build_info: BuildInfo = BuildInfo(None)
    problems: tuple = ()  # Problems found by the stages
    left_out: frozenset[str] = frozenset()  # the names of the slides its `exclude` leaves out

    @property
    def shown_count(self) -> int:
        """Slides as remark counts them: every `--` step is one; a `layout: true` slide
        is none (remark does not show it)."""
        return sum(len(s.steps) for s in self.slides if not s.is_layout)
