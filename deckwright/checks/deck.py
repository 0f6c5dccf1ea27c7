"""Checks of one compiled deck: reference labels, remark's slide count."""

from __future__ import annotations

import bisect
from collections import defaultdict

from ..directives import directive_values
from ..links import definitions
from ..model import Deck, Slide, SourceLoc
from ..remark_lexer import Token, scan, separators
from ..render import slide_markdown
from ..slides import line_text
from ..stages import exclude_slides
from . import Finding
from .text import blank_code, may_run_on

SEPARATOR = "\n---\n"  # how render joins slides


def check_deck(authors: Deck, deck: Deck) -> list[Finding]:
    """Findings in `deck` (after the stages); `authors` is the same deck before them."""
    return (
        duplicate_labels(exclude_slides(authors))
        + swallowed_slides(authors, deck)
    )


def duplicate_labels(deck: Deck) -> list[Finding]:
    """`[label]: url` defined twice with different URLs: remark keeps the last for the whole deck.

    `deck` is the authors' deck, less what its variant excludes (the text is as they wrote it).
    """
    defs: dict[str, list[tuple[SourceLoc, str]]] = defaultdict(list)
    for slide in deck.slides:
        if slide.generated:
            continue
        for step in slide.steps:
            for start, label, url in definitions(step.text, blank_code(step.text)):
                if label == label.lower():  # labels with capitals never resolve (label-case)
                    defs[label].append((step.locate(start), url))
    found = []
    for label, places in defs.items():
        last_loc, last_url = places[-1]
        for loc, url in places[:-1]:
            if url != last_url:
                found.append(Finding(
                    loc, "duplicate-label",
                    f"reference label [{label}] is defined again at {last_loc} with another URL: "
                    f"remark uses the last definition in the deck, so [{label}] links here go to {last_url}",
                ))
    return found


def _may_run_on(authors: Deck, deck: Deck) -> bool:
    """Whether some slide of `deck` leaves something open that could take the next slides.

    Reading each slide alone (remembered across decks) is much faster than reading the
    deck; only when a slide may run on is the whole deck read as remark reads it.
    """
    values = directive_values(deck.manifest).values()
    if any(may_run_on(v) for v in values):
        return True
    texts = [t for s in authors.slides for st in s.steps for t in (st.text, st.notes or "")]
    texts += [st.text for s in deck.slides if s.generated for st in s.steps]
    return any(may_run_on(t) for t in texts)


def swallowed_slides(authors: Deck, deck: Deck) -> list[Finding]:
    """Where remark, reading the whole deck, would find fewer slides than the build made.

    An unclosed `.class[` can stay text on its own slide yet, in the assembled deck, find a
    `]` in some later slide; remark then takes every slide in between into the block.
    """
    if not _may_run_on(authors, deck):
        return []
    texts = [slide_markdown(s) for s in deck.slides]
    markdown = SEPARATOR.join(texts)
    steps = 1 + sum(1 for t in separators(markdown) if t.text in ("---", "--"))
    made = sum(len(s.steps) for s in deck.slides)  # `layout: true` slides too: this counts separators
    if steps == made:
        return []
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + len(SEPARATOR)
    found = []
    pos = 0
    while (culprit := _first_run_on(markdown, starts, pos)) is not None:
        index, tok = culprit
        found.append(_culprit(deck.slides[index], markdown, starts[index], tok))
        pos = starts[index + 1]  # read on as if that slide were mended: what follows is its doing
    if not found:
        found.append(Finding(SourceLoc(deck.manifest.path, 1), "build",
                             f"remark would count {steps} slides where the build made {made}"))
    return found


# What can run on past the end of a slide, the kind of finding it is, and what it is.
RUNS_ON = {
    "content": ("unclosed-bracket", "'{}[' is not closed on its slide"),
    "fences": ("unclosed-fence", "code fence is never closed on its slide"),
    "inline_code": ("unclosed-backtick", "a backquote (`) is not closed on its slide"),
}


def _first_run_on(markdown: str, starts: list[int], pos: int) -> tuple[int, Token] | None:
    """The first token from `pos` on that runs past the end of its slide, and that slide."""
    for tok in scan(markdown, pos=pos):
        if tok.kind in RUNS_ON:
            index = _slide_at(starts, tok.start)
            if index + 1 < len(starts) and tok.end > starts[index + 1]:
                return index, tok
    return None


def _slide_at(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _culprit(slide: Slide, markdown: str, start: int, tok: Token) -> Finding:
    """The finding at the line where `tok`, which runs past its slide (at `start` in
    `markdown`), opens: in the text of one of the slide's steps, or in its notes."""
    opener = tok.start + (1 if markdown.startswith("\n", tok.start) else 0)
    line = line_text(markdown, opener)
    kind, what = RUNS_ON[tok.kind]
    return Finding(_source_of(slide, opener - start), kind, what.format(tok.text) + ": in the deck, "
                   "remark takes the slides after it in, up to a match in a later slide", excerpt=line)


def _source_of(slide: Slide, offset: int) -> SourceLoc:
    """Where `offset` in the slide's Markdown (render.slide_markdown) comes from."""
    pos = 0
    for step in slide.steps:
        if slide.generated:  # made by the build: located at the slide it is made for
            return step.top
        text = step.text if step.notes is None else step.text.rstrip("\n")
        if offset <= pos + len(text):
            return step.locate(offset - pos)
        pos += len(text)
        if step.notes is not None and step.notes_loc is not None:
            pos += len("\n???\n")
            if offset <= pos + len(step.notes):
                return step.notes_loc.shifted(step.notes.count("\n", 0, offset - pos))
            pos += len(step.notes)
        pos += len("\n--\n")
    return slide.steps[-1].top
