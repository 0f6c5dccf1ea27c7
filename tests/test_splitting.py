"""Splitting chapters into slides, steps and notes (fixtures/stages/splitting.md)."""

from __future__ import annotations

import pytest

from deckwright.model import Slide
from deckwright.slides import split_chapter

from .golden import cases_of, check


def dump(slides: tuple[Slide, ...]) -> str:
    out = []
    for number, slide in enumerate(slides, 1):
        props = "".join(f" {k}={v!r}" for k, v in sorted(slide.properties.items()))
        title = f" title={slide.title!r}" if slide.title else ""
        out.append(f"slide {number} (line {slide.loc.line}){props}{title}")
        for step in slide.steps:
            top = f", text from line {step.top.line}" if step.top != step.loc else ""
            out.append(f"  step (line {step.loc.line}{top}): {step.text!r}")
            if step.notes is not None:
                out.append(f"    notes (line {step.notes_loc.line}): {step.notes!r}")
    return "\n".join(out)


@pytest.mark.parametrize("case", cases_of("stages/splitting.md"))
def test_splitting(case):
    chapter = split_chapter("chapter.md", case.input)
    check(case, dump(chapter.slides))


def test_round_trip_keeps_every_line():
    text = "a\n---\nb\n--\nc\n???\nn\n---\n```\n---\n```\nd\n"
    chapter = split_chapter("c.md", text)
    rebuilt = "\n---\n".join(
        "\n--\n".join(s.text + (f"\n???\n{s.notes}" if s.notes is not None else "") for s in sl.steps)
        for sl in chapter.slides
    )
    assert rebuilt == text


def test_lines_of_spaces_and_tabs_are_blank_before_a_steps_text():
    slides = split_chapter("c.md", "# One\n---\n  \n\t\n# Two\n--\n \n").slides
    assert [(st.loc.line, st.top.line) for st in slides[1].steps] == [(3, 5), (7, 7)]
