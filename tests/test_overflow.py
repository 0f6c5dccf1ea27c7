"""`check --overflow` without a browser: its command line when Chromium or Playwright is
missing, which slides of a deck the page shows, and how measures become one warning per slide."""

from __future__ import annotations

import argparse
import sys

import pytest

from deckwright import check as check_module
from deckwright.checks.overflow import Claims, Measured, PageMeasure, _Overflow, shown_slides
from deckwright.chromium import missing_tools
from deckwright.model import SourceLoc, Step, make_slide

HEAD = "title: T\nslides: https://example.org/\n"


def run_cli(argv):
    parser = argparse.ArgumentParser()
    check_module.add_parser(parser.add_subparsers())
    args = parser.parse_args(["check", *argv])
    return args.func(args)


def test_no_chromium_is_one_error_and_status_2(make_project, tmp_path, capsys):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "# A\n"})
    assert run_cli(["--root", str(root), "--overflow", "--chromium", str(tmp_path / "no-chromium")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"deckwright: error: --overflow: no Chromium at {tmp_path / 'no-chromium'} (Debian: apt-get install chromium)\n"


def test_no_playwright_is_one_error_and_status_2(make_project, tmp_path, capsys, monkeypatch):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "# A\n"})
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # `import` raises ImportError
    assert run_cli(["--root", str(root), "--overflow", "--chromium", str(chromium)]) == 2
    assert capsys.readouterr().err == "deckwright: error: --overflow: playwright is not installed (pip install playwright)\n"


def test_without_overflow_chromium_is_not_needed(make_project, tmp_path, capsys):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "# A\n"})
    assert run_cli(["--root", str(root), "--chromium", str(tmp_path / "no-chromium")]) == 0
    assert capsys.readouterr().out == "checked 1 deck(s): 0 error(s), 0 warning(s)\n"


def test_missing_tools_names_the_package_not_its_module(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pypdf", None)
    assert missing_tools(sys.executable, ("pypdf",), "pip install x") == "pypdf is not installed (pip install x)"
    assert missing_tools(sys.executable, ("json",), "pip install x") is None


def slide(*texts: str, line: int = 1):
    steps = tuple(Step(text, SourceLoc("a.md", line + 2 * i)) for i, text in enumerate(texts))
    return make_slide(steps)


def test_each_step_is_a_slide_shown_and_a_layout_slide_none():
    layout, two, one = slide("layout: true\n\nHead\n"), slide("A\n", "B\n", line=5), slide("C\n", line=9)
    assert shown_slides([layout, two, one]) == [(two, 1), (two, 2), (one, 1)]


def test_a_slide_is_said_once_with_its_worst_and_every_deck():
    o = _Overflow(SourceLoc("a.md", 3), "", steps=3, first_step=3)
    o.add(Measured(7, bottom=40.0, edge=-4.0), 3, "one.yml")
    o.add(Measured(2, bottom=25.0, code=30.0, line="echo long"), 2, "two.yml")
    o.add(Measured(9, bottom=40.0, edge=-4.0), 3, "two.yml")
    f = o.finding()
    assert (str(f.loc), f.kind, f.severity, f.decks) == ("a.md:3", "overflow", "warning", ("one.yml", "two.yml"))
    assert f.message == (
        "content runs 40 px below the slide's content area, into the strip of its number and footer, which move up to the top; "
        'a code line is 30 px wider than its block, cut at the right: "echo long" (from its step 2 of 3)'
    )


def test_what_runs_past_the_right_says_whether_it_is_cut():
    o = _Overflow(SourceLoc("a.md", 1), "generated table of contents slide 'toc-part-1'", 1, 1)
    o.add(Measured(0, right=30.4, cut=-33.6, what="a table"), 1, "d.yml")
    assert o.finding().message == ("generated table of contents slide 'toc-part-1': a table runs 30 px past "
                                   "the right of the slide's content area, into its margin")
    o.add(Measured(0, right=80.0, cut=16.0, what="a picture"), 1, "d.yml")
    assert o.finding().message.endswith("a picture runs 80 px past the right of the slide's content area, "
                                        "16 px of it cut off at the slide's edge")


@pytest.mark.parametrize("long_line", [40, 200])
def test_a_long_code_line_is_shortened(long_line):
    o = _Overflow(SourceLoc("a.md", 1), "", 1, 1)
    o.add(Measured(0, code=9.0, line="x" * long_line), 1, "d.yml")
    shown = o.finding().message.split('"')[1]
    assert shown == ("x" * 40 if long_line == 40 else "x" * 39 + "…")


def test_each_slide_is_measured_by_the_first_page_to_claim_it():
    claims = Claims()
    assert claims.claim(["a", "b", "a", "c"]) == [0, 1, 3]
    assert claims.claim(["c", "d", "b"]) == [1]


def test_claims_given_back_are_claimed_again():
    claims = Claims()
    assert claims.claim(["a", "b", "c"]) == [0, 1, 2]
    claims.release(["a", "c"])
    assert claims.unclaimed(["b", "c"]) and not claims.unclaimed(["b"])
    assert claims.claim(["c", "b", "a"]) == [0, 2]


def test_the_slides_a_failed_page_had_claimed_are_measured_in_another_page(monkeypatch):
    from pathlib import Path

    from deckwright.checks import overflow

    shows = {"a.yml": ["k1", "k2"], "b.yml": ["k0", "k2", "k3"], "c.yml": ["k1"]}
    rounds = []

    def measure_round(pages, claims, chromium, workers):  # side by side: all claim, then a.yml fails
        rounds.append([name for name, _ in pages])
        claimed = {name: claims.claim(shows[name]) for name, _ in pages}
        if "a.yml" in claimed:
            claims.release(shows["a.yml"][i] for i in claimed.pop("a.yml"))
        results = {name: PageMeasure(shows[name], [Measured(i, bottom=9.0) for i in only])
                   for name, only in claimed.items()}
        return {"a.yml": "the page crashed", **results} if len(rounds) == 1 else results

    monkeypatch.setattr(overflow, "missing_tools", lambda *args: None)
    monkeypatch.setattr(overflow, "_measure_round", measure_round)
    results = overflow.measure_pages([(name, Path(name)) for name in shows])
    assert rounds == [["a.yml", "b.yml", "c.yml"], ["b.yml", "c.yml"]]
    assert results["a.yml"] == "the page crashed"
    assert [m.index for m in results["b.yml"].found] == [0, 2, 1]  # k2, once a.yml failed
    assert [m.index for m in results["c.yml"].found] == [0]  # k1


def test_no_chromium_is_started_when_no_deck_builds(make_project, monkeypatch):
    from deckwright.checks import overflow

    root = make_project({"deck.yml": HEAD + "content:\n- missing.md\n"})
    started = []
    monkeypatch.setattr(overflow, "missing_tools", lambda *args: None)  # as if all were there
    monkeypatch.setattr(overflow, "open_chromium", lambda *args: started.append(args) or 1 / 0)
    result = check_module.check(str(root), env={}, overflow=True)
    assert [f.kind for f in result.findings] == ["manifest"]
    assert started == []
