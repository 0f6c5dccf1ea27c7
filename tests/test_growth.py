"""Odd inputs are read in time that grows with their length, not with its square.

Runs of brackets, `![`, `.class[` and the like, each thousands long: where each one of a run
was read on to the run's end (or its line's, or its line was copied whole for each), the work
grew as the square of the run. Each case is timed at n and 4n repeats, the best of three
runs each, taken in turn: 4 times the work for a reading in linear time, 16 for one in
quadratic time. The bound (8) leaves room for a busy machine, and times are compared, never
taken on their own. The time is the process's CPU time, not the clock's: on a busy machine
the clock also counts the time slices other processes take, and the best of three short
runs may dodge them all when a long one cannot (with 2 cores for 15 busy processes, the
clock gave a linear reading 28 times the time for 4 times the text; CPU time, 3.5 to 4.2).
A case past the bound is measured once more and the lower growth counts: a quadratic reading
cannot come under the bound twice by chance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deckwright import check as check_module
from deckwright import stages
from deckwright.builder import Workshop, build
from deckwright.checks.load import load_decks, open_workshop
from deckwright.directives import expand_includes
from deckwright.model import Deck
from deckwright.raw_html import in_tag_or_url
from deckwright.reader import Project
from deckwright.slides import split_chapter

from .conftest import write_files

RUNS: dict[str, Callable[[int], str]] = {
    "brackets": lambda n: "[" * n,
    "pictures opened": lambda n: "![" * n,
    "pictures by reference opened": lambda n: "![a][" * n,
    "links opened": lambda n: "[a](" * n,
    "boxes opened": lambda n: ".lab[" * n,
    "boxes opened, one closed": lambda n: ".lab[" * n + "]",
    "macros opened": lambda n: "![:" * n,
    "macros with arguments opened": lambda n: "![:a](" * n,
    "lines opening a definition": lambda n: "[x\n" * n,
    "class names": lambda n: ".a" * n,
    "pictures shown": lambda n: "![](a.png) " * n,
    "pictures with spaces opened": lambda n: "![a](x y " * n,
    "pictures with many spaces opened": lambda n: "![a](x y z w v u t s r q p o " * n,
    "links with many spaces opened": lambda n: "[a](x y z w v u t s r q p o " * n,
    "pictures by reference shown": lambda n: "![a] " * n,
    "comments left open in boxes": lambda n: ".lab[<!-- ]" * n,
    "comment closers in boxes": lambda n: "<!-- .a[-->]" * n,
    "comment openers in tags": lambda n: "<a title='<!--'> " * n,
    "comment openers in URLs": lambda n: "[x](<!--) " * n,
    "comments left open, boxes opened": lambda n: "<!-- .lab[" * n,
    "listings left open, boxes opened": lambda n: "<pre> .lab[" * n,
}
N = 4000
GROWTH = 8  # at most, from n to 4n repeats (linear: 4; quadratic: 16)


def timed(work: Callable[[], object]) -> float:
    """The CPU time `work` takes (this process's threads; `build` here runs in one process)."""
    start = time.process_time()
    work()
    return time.process_time() - start


def growth(run: Callable[[int], str], work: Callable[[str], object], n: int = N) -> float:
    """How many times longer the work takes on the run repeated 4n times than n times."""
    texts = {k: f"# A\n\n{run(k)}\n\n---\n\nAfter\n" for k in (n, 4 * n)}
    return growth_of(lambda k: work(texts[k]), n)


def growth_of(work: Callable[[int], object], n: int = N) -> float:
    """How many times longer work(4n) takes than work(n) (the best of three runs each, in
    turn; measured again if that passes the bound)."""
    work(n)  # (modules and expressions made ready)
    ratios = []
    for _ in range(2):
        times = [(timed(lambda: work(n)), timed(lambda: work(4 * n))) for _ in range(3)]
        ratios.append(min(t[1] for t in times) / min(t[0] for t in times))
        if ratios[-1] < GROWTH:
            break
    return min(ratios)


@pytest.mark.parametrize("name", RUNS)
def test_a_chapter_is_split_in_linear_time(name):
    """What the build does with a chapter: its scan, slides, pictures, links and the
    problems it finds in it (each bracket left open an error, with its line)."""
    assert growth(RUNS[name], lambda text: split_chapter("a.md", text)) < GROWTH


@pytest.mark.parametrize("name", RUNS)
def test_a_deck_is_built_and_checked_in_linear_time(name, tmp_path):
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": ""})
    project = Project.at(root)

    def build_and_check(text: str) -> None:
        (root / "a.md").write_text(text, encoding="utf-8")
        build(project, None, tmp_path / "out", env={})
        check_module.check(str(root))

    assert growth(RUNS[name], build_and_check) < GROWTH


def test_boxes_nested_thousands_deep_are_read_without_a_crash(tmp_path):
    """Each box's content is read on its own, as remark does: box by box from a list, not by
    a call for each (Python's stack ends at 1,000 calls: it was a traceback)."""
    depth = 1100  # (more calls than Python allows)
    chapter = "# A\n\n" + ".a[" * depth + "\n---\n\n```\ncode\n```\n" + "]" * depth + "\n"
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": chapter})
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert [str(p).split("\n")[0] for p in result.problems] == [
        ("a.md:3: error: '.a[' is not closed on its slide: its ']' is at line 9, so remark takes 1 "
        "separator(s) ('---', '--', '???') into the block")]
    found = check_module.check(str(root)).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:3", "unclosed-bracket")]


def test_boxes_nested_thousands_deep_are_read_in_linear_time(tmp_path):
    """Each box's content is read on its own, as remark does: its tokens, fences, separator
    lines, comments and macros. Each box's `]` is looked up in the brackets of the text, matched
    once for it, and whether a box holds a fence mark, a separator line, a `<!--`, a `-->` or a
    `![:` in lists of them made once: matched and looked for again in each box, the brackets
    and marks of all the boxes in it were read again (3.4 s for a build at depth 2,000)."""
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": ""})
    project = Project.at(root)
    inner = "\n---\n<pre>x</pre>\n```\ncode\n```\n<!-- x\n![:m a]\n"

    def build_and_check(text: str) -> None:
        (root / "a.md").write_text(text, encoding="utf-8")
        build(project, None, tmp_path / "out", env={})
        check_module.check(str(root))

    assert growth(lambda n: ".a[" * n + inner + "]" * n, build_and_check, n=250) < GROWTH


def test_places_are_located_in_linear_time_in_any_order():
    """A message names places out of order: a comment cut in a `.class[` box, then where the
    box ends; boxes read last first. Each place is found in time that does not grow with the
    text (its lines were counted from the start of its file at each step back: CI once timed
    a deck of such comments at 8.7 times the work for 4 times the text)."""
    def locate_backwards(text: str) -> None:
        expanded = expand_includes("a.md", text, read=lambda name, loc: ("", ""))
        for offset in range(len(text) - 1, 0, -33):
            expanded.locate(offset)

    assert growth(lambda n: ("x" * 32 + "\n") * n, locate_backwards) < GROWTH


def test_a_comment_opener_on_a_long_line_is_judged_in_linear_time():
    """Whether a `<!--` is in a tag or a URL is looked for around it, within REACH: not from
    the start of its line (a line thousands of tags long was searched back to its start for
    each)."""
    def judge_each(text: str) -> None:
        pos = 0
        while (pos := text.find("<!--", pos + 1)) >= 0:
            assert in_tag_or_url(text, pos)

    assert growth(lambda n: ("<a title='<!--'> " + "a" * 400) * n, judge_each) < GROWTH


def deck_reader(root: Path, manifest: str) -> Callable[[str], Deck]:
    """The deck of `manifest` (a project at `root`) with a chapter `a.md` of a given text, as
    the build reads it before its stages; each text read once (a stage alone is timed)."""
    decks: dict[str, Deck] = {}
    write_files(root, {"deck.yml": manifest})

    def deck_of(text: str) -> Deck:
        if text not in decks:
            (root / "a.md").write_text(text, encoding="utf-8")
            workshop = Workshop.open(Project.at(root), {})
            decks[text] = workshop.deck(workshop.load("deck.yml")[0])
        return decks[text]

    return deck_of


def test_chapters_of_one_title_are_given_anchors_in_linear_time(tmp_path):
    """Each chapter title of a part is given an anchor, `toc-t`, then `toc-t-2`, `toc-t-3`...
    for the same title again: the number is tried on from the last given for that title (it
    was tried from 2 on for each, the work growing as the square of the titles)."""
    deck_of = deck_reader(tmp_path / "slides", "title: A\ncontent:\n- - a.md\n")
    deck = stages.assign_anchors(deck_of("# T\n\n---\n\n# T\n\n---\n\n# T-2\n\n---\n\n# T\n"))
    assert [s.anchor for s in deck.slides] == ["toc-t", "toc-t-2", "toc-t-2-2", "toc-t-3"]
    assert growth(lambda n: "# T\n\n---\n\n" * n, lambda text: stages.assign_anchors(deck_of(text)),
                  n=1000) < GROWTH


def test_links_to_no_slide_are_said_in_linear_time(tmp_path):
    """Why a link goes nowhere (its slide left out, or only a `layout: true` slide named so)
    is looked up in sets made once for the deck: the layout slides were looked for among all
    the slides, for each link (the work grew as the slides times the links)."""
    deck_of = deck_reader(tmp_path / "slides", "title: A\ncontent:\n- a.md\n")
    deck = stages.check_anchor_links(deck_of("layout: true\nname: l\n\n---\n\n[a](#l)\n"))
    assert [p.message for p in deck.problems] == [
        "link to #l goes nowhere: only a layout: true slide is named so, and remark does not show one"]
    assert growth(lambda n: "[a](#nowhere)\n\n---\n\n" * n,
                  lambda text: stages.check_anchor_links(deck_of(text)), n=1000) < GROWTH


def test_broken_anchors_are_checked_in_linear_time(tmp_path):
    """Each broken anchor is a problem of its deck's own (not of a chapter it shares): whether
    it is one was looked for in a list of them, for each problem of the deck (the work grew
    as the square of the links)."""
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": ""})

    def check(text: str) -> None:
        (root / "a.md").write_text(text, encoding="utf-8")
        found = check_module.check(str(root)).findings
        assert found[-1].kind == "broken-anchor" and found[-1].decks == ("deck.yml",)

    assert growth(lambda n: "[a](#nowhere)\n" * n, check, n=400) < GROWTH


def test_pictures_of_left_out_slides_are_told_from_build_errors_in_linear_time(tmp_path):
    """A missing picture on a slide the deck leaves out is an error of `check` only, not one that
    stops the build (`stats` fails on the latter): each error was looked for in a list of the
    former (the work grew as the square of the pictures)."""
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": ""})

    def build_errors(text: str) -> None:
        (root / "a.md").write_text(text, encoding="utf-8")
        [loaded] = load_decks(open_workshop(str(root)), ["deck.yml"])
        assert not loaded.build_errors

    assert growth(lambda n: "---\n\nexclude: true\n\n![](nowhere.png)\n\n" * n, build_errors, n=600) < GROWTH


def test_tables_of_contents_of_many_parts_are_made_in_linear_time(tmp_path):
    """A deck of thousands of parts: each part's chapters were looked for among all the
    deck's chapters (the work grew as the square of the parts)."""
    root = write_files(tmp_path / "slides", {"toc.md": "@@TOC@@\n"})
    decks: dict[int, Deck] = {}

    def deck_of(parts: int) -> Deck:  # (read once: the stages alone are timed)
        if parts not in decks:
            content = "".join(f'- - "# Part {k}\\n"\n' for k in range(parts))
            (root / "deck.yml").write_text(f"title: A\ncontent:\n- toc.md\n{content}", encoding="utf-8")
            workshop = Workshop.open(Project.at(root), {})
            decks[parts] = stages.assign_anchors(workshop.deck(workshop.load("deck.yml")[0]))
        return decks[parts]

    tocs = stages.insert_toc(deck_of(2)).slides[:2]
    assert [st.text for s in tocs for st in s.steps] == [
        f"name: toc-part-{k}\nclass: toc\n\n## Part {k}\n\n- [Part {k - 1}](#toc-part-{k - 1})\n" for k in (1, 2)]
    assert growth_of(lambda parts: stages.insert_toc(deck_of(parts)), n=1500) < GROWTH


INVISIBLE = {
    "zero-width spaces, one a line": lambda n: "a\u200bb\n" * n,
    "no-break spaces in code spans": lambda n: "`a\u00a0b` " * n,
}


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_characters_are_checked_in_linear_time(name, tmp_path):
    """Each invisible character's line was counted (and the text split into lines) from the
    step's start, and each in code was looked for among all the code spans of the step."""
    root = write_files(tmp_path / "slides", {"deck.yml": "title: A\ncontent:\n- a.md\n", "a.md": ""})

    def check(text: str) -> None:
        (root / "a.md").write_text(text, encoding="utf-8")
        found = check_module.check(str(root)).findings
        assert found[-1].kind == "invisible-character"

    assert growth(INVISIBLE[name], check, n=1000) < GROWTH


def test_fence_marks_on_a_long_line_are_read_in_linear_time():
    """Whether a fence mark after a space starts its line is read back over the spaces before
    it only: its line was read back to its start, for each mark of a line of thousands (a
    quadratic reading of a small constant, 9 times the work for 4 times the line at 32,000)."""
    assert growth(lambda n: "a ``` " * n, lambda text: split_chapter("a.md", text), n=16000) < GROWTH
