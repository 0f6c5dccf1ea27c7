"""The build stages: small functions from Deck to Deck, with no I/O, run in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from .anchors import unique_anchor
from .directives import directive_values, substitute
from .errors import Problem
from .links import file_path, is_local, names_a_slide, reference_table, referenced_pictures
from .memo import SameObjectMemo
from .model import Deck, RepoLink, Slide, SourceLoc, Step, kept, make_slide, read_properties

Stage = Callable[[Deck], Deck]


def exclude_slides(deck: Deck) -> Deck:
    """Leave out the slides whose classes this variant excludes, and `exclude: true` ones."""
    excluded = set(deck.manifest.exclude)
    slides, left_out = [], []
    for slide in deck.slides:
        if kept(slide, excluded):
            slides.append(slide)
        elif slide.name:
            left_out.append(slide.name)
    return replace(deck, slides=tuple(slides), left_out=deck.left_out.union(left_out))


def assign_anchors(deck: Deck) -> Deck:
    """Give each chapter title in a part a unique anchor for its generated title slide."""
    taken = {s.name for s in deck.slides if s.name}
    tried: dict[str, int] = {}
    slides = tuple(
        s.with_anchor(unique_anchor(s.title, taken, tried)) if s.title and s.part else s
        for s in deck.slides
    )
    return replace(deck, slides=slides)


def _chapters(deck: Deck) -> list[Slide]:
    return [s for s in deck.slides if s.anchor]


TOC_ONE_COLUMN = 14  # titles a table of contents holds in one column, set close together


def toc_slides(deck: Deck, made_for: Step) -> list[Slide]:
    """One slide per part, `toc-part-N`, listing its chapter titles as links."""
    by_part: dict[int | None, list[Slide]] = {}  # (not each part's looked for among all chapters)
    for s in _chapters(deck):
        by_part.setdefault(s.part, []).append(s)
    count = deck.manifest.part_count
    slides = []
    for part in range(1, count + 1):
        titles = by_part.get(part, [])
        gap = "\n\n" if len(titles) < 10 else "\n"
        # More titles than fit one under the other: two columns (deckwright.css).
        classes = "toc, long-toc" if len(titles) > TOC_ONE_COLUMN else "toc"
        heading = "Table of contents" if count == 1 else f"Part {part}"
        items = gap.join(f"- [{s.title}](#{s.anchor})" for s in titles)
        name = f"toc-part-{part}"
        text = f"name: {name}\nclass: {classes}\n\n## {heading}\n\n{items}\n"
        slides.append(_generated(text, made_for, "table of contents", {"name": name, "class": classes}))
    return slides


def insert_toc(deck: Deck) -> Deck:
    """Replace each slide holding `@@TOC@@` by the tables of contents (its other text stays)."""
    slides: list[Slide] = []
    problems: list[Problem] = []
    for slide in deck.slides:
        if not any("@@TOC@@" in step.text for step in slide.steps):
            slides.append(slide)
            continue
        steps = tuple(st.with_text(st.text.replace("@@TOC@@", "")) for st in slide.steps)
        rest = make_slide(steps, part=slide.part)
        if any(_has_body(st.text) for st in rest.steps):
            slides.append(rest)
        slides += toc_slides(deck, slide.steps[0])
        problems += _empty_tocs(deck, slide.steps[0])
    return replace(deck, slides=tuple(slides), problems=deck.problems + tuple(problems))


def _empty_tocs(deck: Deck, made_for: Step) -> list[Problem]:
    """A warning for each part whose table of contents lists nothing: remark shows it blank
    but for its heading (the part lists no chapter, or none it shows has a title)."""
    shown = {s.part for s in _chapters(deck)}
    return [
        Problem(made_for.top, f"an empty slide: the table of contents of part {part} lists no chapter "
                "(none of that part's chapters that this deck shows has a '# ' title)", "warning")
        for part in range(1, deck.manifest.part_count + 1)
        if part not in shown
    ]


def _has_body(text: str) -> bool:
    """Whether `text` holds more than slide properties (what is left of a `@@TOC@@` slide)."""
    return bool(read_properties(text)[1].strip())


def insert_title_slides(deck: Deck) -> Deck:
    """Before each chapter title: a picture slide (with interstitials) and a title slide."""
    chapters = _chapters(deck)
    pictures = deck.interstitials
    # The tables of contents there are (a deck without @@TOC@@ has none): a title slide
    # links back only to one of these, not to a slide that is not there.
    tocs = {s.properties["name"] for s in deck.slides
            if s.properties and s.properties.get("name", "").startswith("toc-part-")}
    slides: list[Slide] = []
    number = -1
    for slide in deck.slides:
        if slide.anchor:
            number += 1
            if pictures:
                # Its picture is where interstitials.txt lists it: a missing one is that line's error.
                listed, url = pictures[number % len(pictures)]
                text = f"class: pic\n\n.interstitial[![]({url})]\n"
                shown = ((listed, file_path(url)),) if is_local(url) else ()
                slides.append(_generated(text, slide.steps[0], "picture", {"class": "pic"}, shown))
            prev = chapters[number - 1] if number > 0 else None
            nxt = chapters[number + 1] if number + 1 < len(chapters) else None
            slides.append(_title_slide(slide, prev, nxt, f"toc-part-{slide.part}" in tocs))
        slides.append(slide)
    return replace(deck, slides=tuple(slides))


def _title_slide(chapter: Slide, prev: Slide | None, nxt: Slide | None, toc: bool) -> Slide:
    links = []
    if prev:
        links.append(f"[Previous chapter](#{prev.anchor})")
    if toc:
        links.append(f"[Back to table of contents](#toc-part-{chapter.part})")
    if nxt:
        links.append(f"[Next chapter](#{nxt.anchor})")
    nav = "\n|\n".join(links)
    text = f"name: {chapter.anchor}\nclass: title\n\n{chapter.title}\n"
    if nav:  # (a lone chapter in a deck without a table of contents has none)
        text += f"\n.nav[\n{nav}\n]\n"
    return _generated(text, chapter.steps[0], "title slide", {"name": chapter.anchor, "class": "title"})


def _generated(
    text: str, made_for: Step, what: str, properties: dict[str, str], shown: tuple = ()
) -> Slide:
    """A slide the build makes: its properties and pictures are known, not read. It is
    located at the first line of text of the slide it is made for (`made_for`: its first step)."""
    step = Step(text, made_for.top)
    return Slide((step,), generated=what, properties=properties, pictures=shown)


def substitute_directives(deck: Deck) -> Deck:
    """Replace `@@TITLE@@`, `@@LINK[...]` and the other value directives in every step."""
    values = directive_values(deck.manifest)

    def fill(slide: Slide) -> Slide:
        for st in slide.steps:
            if "@@" in st.text or (st.notes and "@@" in st.notes):
                break
        else:
            return slide
        return slide.with_steps(tuple(
            st.with_text(
                substitute(st.text, values, deck.repo),
                substitute(st.notes, values, deck.repo) if st.notes else None,
            )
            for st in slide.steps
        ))

    return replace(deck, slides=tuple(fill(s) for s in deck.slides))


def resolve_picture_references(deck: Deck) -> Deck:
    """Add the local pictures slides show by reference (`![alt][label]`) to their pictures,
    each label looked up as remark does: in the definitions of the whole deck as shown
    (links.reference_table), so after the variant's exclusions and the directives."""
    table = reference_table(deck.slides)
    if not table:  # no slide shows a picture by reference, or no label is defined
        return deck

    def resolved(slide: Slide) -> Slide:
        shown = tuple((loc, file_path(url)) for loc, url in referenced_pictures(slide, table) if is_local(url))
        return slide.with_pictures(slide.pictures + shown) if shown else slide

    return replace(deck, slides=tuple(resolved(s) if s.references else s for s in deck.slides))


def without_footer(text: str) -> str:
    """A step's text as it was before `add_footers` appended its `.source[...]` footer."""
    end = text.rfind(_FOOTER_START)
    return text[:end] if end >= 0 else text


_FOOTER_START = "\n\n.source[\n"  # as `_footed` appends `_footer`'s block


def _footer(loc: SourceLoc, generated: str, file_url: str | None) -> str:
    """The `.source[...]` footer of a step whose text starts at `loc`: its file and line,
    linked to the file in the repository (`file_url`) when there is one."""
    link = f"{loc.path}:{loc.line}"
    if file_url:
        link = f"[{link}]({file_url}#L{loc.line})" if loc.line else f"[{link}]({file_url})"
    if generated:
        link = f"generated: {generated}, for {link}"
    # A block (not a span), so that CSS can show only the last one of a `--` sequence:
    # remark repeats the earlier steps' text, footers included, on each continued slide.
    return f".source[\n{link}\n]"


def add_footers(deck: Deck) -> Deck:
    """Append a source footer to every step (never inside notes); build info goes on the first.

    A `layout: true` slide is not shown: remark puts its text before each slide that
    follows, so it gets no footer (a block there would also end right above those
    slides' first line, where remark would then not see a heading).
    """
    repo = deck.repo
    if repo not in _FOOTED:
        by_steps = SameObjectMemo(lambda steps: _footed(steps, "", repo))
        _FOOTED[repo] = SameObjectMemo(lambda s: s if s.is_layout else s.with_steps(
            _footed(s.steps, s.generated, repo) if s.generated else by_steps(s.steps)))
    slides = list(map(_FOOTED[repo], deck.slides))
    first = next((at for at, slide in enumerate(slides) if not slide.is_layout), None)
    if first is not None:
        steps = slides[first].steps
        info = steps[0].extended(f"\n.build-info[\n{deck.build_info}\n]\n")
        slides[first] = slides[first].with_steps((info,) + steps[1:])
    return replace(deck, slides=tuple(slides))


# Slides with footers, per repository. The same slide objects come back build after
# build (see memo.py); footers depend on the steps only, and a chapter's slides keep
# their steps (the same tuple) in every part and deck that shows them: the corpus's
# 12 decks show 10,000 slides made of 3,600 such tuples.
_FOOTED: dict[RepoLink | None, SameObjectMemo[Slide, Slide]] = {}


def with_footers(slide: Slide, repo: RepoLink | None) -> Slide:
    """The slide as `add_footers` leaves it (but for the build info)."""
    return slide.with_steps(_footed(slide.steps, slide.generated, repo))


@lru_cache(maxsize=1 << 14)
def _footed(steps: tuple[Step, ...], generated: str, repo: RepoLink | None) -> tuple[Step, ...]:
    # Also by value: generated slides are made again for each deck, and a rebuild
    # parses a changed chapter again, whose other slides come back equal.
    footed = []
    for st in steps:
        top = st.top
        url = _file_url(repo, top.path) if repo else None
        text = st.text.rstrip("\n") + f"\n\n{_footer(top, generated, url)}\n"
        # (No block ends in "\n": the blocks stay where they are.)
        footed.append(Step(text, st.loc, st.notes, st.notes_loc, st.blocks, st.seams))
    return tuple(footed)


@lru_cache(maxsize=1 << 12)
def _file_url(repo: RepoLink, path: str) -> str:
    return repo.file_url(path)  # a few hundred files for thousands of steps


def check_slide_names(deck: Deck) -> Deck:
    """An error for each slide whose `name:` another slide of the deck has (a generated one
    too: `toc-part-1`): remark sends every `#name` link to the last of them, so the links to
    the others (the chapters' way back to their table of contents, say) go astray. A
    `layout: true` slide is no link target: its name is only for `template:`."""
    by_name: dict[str, list[Slide]] = {}
    for slide in deck.slides:
        if slide.name and not slide.is_layout:
            by_name.setdefault(slide.name, []).append(slide)
    problems = sorted((problem for name, slides in by_name.items() if len(slides) > 1
                       for problem in _same_names(name, slides)), key=lambda p: p.loc)
    return replace(deck, problems=deck.problems + tuple(problems)) if problems else deck


def _same_names(name: str, slides: list[Slide]) -> list[Problem]:
    """The errors for the authors' slides among `slides`, which share `name`."""
    authors = [s for s in slides if not s.generated]
    generated = [s for s in slides if s.generated]
    if generated:
        pairs = [(s, f"a generated {generated[0].generated} slide") for s in authors]
    else:
        pairs = [(s, f"the slide at {_name_loc(authors[0])}") for s in authors[1:]]
    return [Problem(_name_loc(slide), f"slide name '{name}' is also the name of {other}: "
                    f"remark sends every #{name} link to the last of them")
            for slide, other in pairs]


def _name_loc(slide: Slide) -> SourceLoc:
    """Where the slide's `name:` property line is."""
    step = slide.steps[0]
    m = _NAME_LINE.search(step.text)
    return step.locate(m.start()) if m else slide.loc


_NAME_LINE = re.compile(r"^name:", re.MULTILINE)


def check_anchor_links(deck: Deck) -> Deck:
    """Warn about links to `#name` anchors that no slide of this deck carries (`check` says
    the same: it is its broken-anchor). A warning: the deck shows all it should, but for
    where that link goes; and a chapter shared by decks may link to a slide that one of
    them leaves out. A `layout: true` slide's name is no target: remark shows no such slide."""
    names = {s.name for s in deck.slides if s.name and not s.is_layout}
    nowhere = [
        (loc, target)
        for slide in deck.slides
        if not slide.generated
        for loc, target in slide.links
        if not names_a_slide(target, names)
    ]
    if not nowhere:  # (most decks)
        return deck
    layouts = {s.name for s in deck.slides if s.name and s.is_layout}
    problems = tuple(Problem(loc, f"link to #{target} goes nowhere: {_why_nowhere(deck, target, layouts)}",
                             "warning") for loc, target in nowhere)
    return replace(deck, problems=deck.problems + problems)


def _why_nowhere(deck: Deck, target: str, layouts: set[str]) -> str:
    """`layouts`: the names of the deck's `layout: true` slides."""
    if target in deck.left_out:
        return f"its slide is left out by this deck's exclude ({', '.join(deck.manifest.exclude)})"
    if target in layouts:
        return "only a layout: true slide is named so, and remark does not show one"
    return "no slide of this deck is named so"


PIPELINE: tuple[Stage, ...] = (
    exclude_slides,
    assign_anchors,
    insert_toc,
    insert_title_slides,
    substitute_directives,
    resolve_picture_references,
    check_slide_names,
    check_anchor_links,
    add_footers,
)


def run_pipeline(deck: Deck, stages: tuple[Stage, ...] = PIPELINE) -> Deck:
    for stage in stages:
        deck = stage(deck)
    return deck
