"""`deckwright stats`: counts per deck, part and chapter; durations; where used; what a change affects."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re

import pytest

from deckwright import stats as stats_module
from deckwright.stats import Pace, parse_duration


def run_cli(argv):
    parser = argparse.ArgumentParser()
    stats_module.add_parser(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return args.func(args)


def stats_json(root, capsys, *extra):
    assert run_cli(["--root", str(root), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


DECK = {
    "deck.yml": (
        "title: Workshop\n"
        "exclude: [self-paced]\n"
        "content:\n"
        "- |\n"
        "  # Welcome\n"
        "- toc.md\n"
        "- - a.md\n"
        "  - b.md\n"
        "- - c.md\n"
    ),
    "interstitials.txt": "https://pictures.example/1.jpg\n",
    "toc.md": "## Contents\n\n@@TOC@@\n",
    "a.md": (
        "# Chapter A\n\nintro\n--\nmore\n"  # 2 shown
        "---\nclass: extra-details\n\nDeep\n--\ndeeper\n"  # 2 shown, extra details
        "---\n.lab[\nDo it\n]\n"  # a lab
        "---\nclass: self-paced\n\nexcluded\n"  # not shown
    ),
    "b.md": "# Chapter B\n\n.exercise[\n.small[try]\n]\n\n```\n.lab[ in code is no lab ]\n```\n",
    "c.md": "# Chapter C\n\nlast\n",
}


def test_counts_per_deck_part_and_chapter(make_project, capsys):
    data = stats_json(make_project(DECK), capsys)
    deck = data["decks"][0]
    # toc.md: 1 TOC slide per part, and its "Contents" slide; each chapter: picture + title slides
    assert (deck["shown"], deck["generated"], deck["extra_details"], deck["labs"]) == (
        1 + 3 + (2 + 5) + (2 + 1) + (2 + 1), {"toc": 2, "title": 3, "picture": 3}, 2, 2)
    parts = [(p["part"], p["shown"], [(c["chapter"], c["shown"]) for c in p["chapters"]]) for p in deck["parts"]]
    assert parts == [
        (None, 4, [("deck.yml:5", 1), ("toc.md", 3)]),
        (1, 10, [("a.md", 7), ("b.md", 3)]),
        (2, 3, [("c.md", 3)]),
    ]
    assert deck["parts"][1]["chapters"][0]["generated"] == {"toc": 0, "title": 1, "picture": 1}
    assert deck["parts"][1]["labs"] == 2 and deck["parts"][1]["extra_details"] == 2


def test_a_layout_slide_counts_for_nothing(make_project, capsys):
    # remark shows 3 slides (1/3 to 3/3): the layout's text goes on the ones after it.
    deck = stats_json(make_project({
        "deck.yml": "title: T\ncontent:\n- a.md\n",
        "a.md": "# L\n---\nlayout: true\nclass: extra-details\n.lab[x]\n---\nA\n---\nB\n",
    }), capsys)["decks"][0]
    assert (deck["shown"], deck["extra_details"], deck["labs"]) == (3, 0, 0)


def test_a_title_slide_counts_with_its_chapter_when_the_chapter_starts_on_a_later_slide(make_project, capsys):
    # The deck excludes a.md's first slide: its title is on the second, after `---` and a
    # blank line. The title slide (and its picture) made for it are a.md's, not toc.md's.
    deck = stats_json(make_project({
        "deck.yml": "title: T\nexclude: [in-person]\ncontent:\n- toc.md\n- - a.md\n",
        "interstitials.txt": "https://pictures.example/1.jpg\n",
        "toc.md": "## Contents\n\n@@TOC@@\n",
        "a.md": "class: in-person\n\n# In person\n\n---\n\nclass: self-paced\n\n# At home\n\nhi\n",
    }), capsys)["decks"][0]
    rows = [(c["chapter"], c["shown"], c["generated"]) for p in deck["parts"] for c in p["chapters"]]
    assert rows == [
        ("toc.md", 2, {"toc": 1, "title": 0, "picture": 0}),
        ("a.md", 3, {"toc": 0, "title": 1, "picture": 1}),
    ]


def test_minutes_follow_the_pace(make_project, capsys):
    data = stats_json(make_project(DECK), capsys, "--minutes-per-slide", "2", "--minutes-per-lab", "10")
    deck = data["decks"][0]
    assert deck["minutes"] == 2 * (17 - 8) + 10 * 2
    assert data["pace"] == {"minutes_per_slide": 2.0, "minutes_per_lab": 10.0, "hours_per_day": 6.0}
    assert sum(p["minutes"] for p in deck["parts"]) == deck["minutes"]


def test_defaults_are_stated_in_help(capsys):
    with pytest.raises(SystemExit):
        run_cli(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 0.4)" in text and "(default: 1)" in text and "(default: 6)" in text


@pytest.mark.parametrize("text, minutes", [
    ("1 day", 360), ("2 days", 720), ("half day", 180), ("half-day", 180), ("4h", 240),
    ("3h30", 210), ("3 hours 30 minutes", 210), ("90 min", 90), ("1.5 days", 540),
    ("soon", None), ("", None), ("4 parsecs", None),
])
def test_durations(text, minutes):
    assert parse_duration(text, 6) == minutes


def test_text_output_compares_the_estimate_with_the_manifests_length(make_project, capsys):
    files = dict(DECK)
    files["deck.yml"] = files["deck.yml"].replace("title: Workshop\n", "title: Workshop\nduration: 10 min\n")
    root = make_project(files)
    assert run_cli(["--root", str(root), "--minutes-per-slide", "1", "--minutes-per-lab", "0"]) == 0
    out = capsys.readouterr().out
    assert "  17 slides shown (8 generated: 2 toc, 3 title, 3 picture; 2 extra details; 2 labs), about 0h09\n" in out
    assert "  length: 10 min = 0h10; the estimate is 10% under\n" in out
    assert "\n  part 1 " in out and "\n    a.md " in out


def test_text_columns_line_up_whatever_the_chapter_paths(make_project, capsys):
    files = dict(DECK)
    long_path = "chapters/" + "a-rather-long-folder-name/" * 2 + "c.md"
    files[long_path] = files.pop("c.md")
    files["deck.yml"] = files["deck.yml"].replace("- - c.md", f"- - {long_path}")
    assert run_cli(["--root", str(make_project(files))]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if re.search(r"( time| \d+h\d\d)$", line) and "shown (" not in line]
    assert any(long_path in row for row in rows)
    assert len({len(row) for row in rows}) == 1, rows  # numbers right-aligned in the same columns


@pytest.mark.parametrize("name", ["日本語の章.md", "emoji 🐳.md", "cafe\u0301.md"], ids=["wide", "emoji", "combining"])
def test_text_columns_line_up_with_wide_and_combining_characters(make_project, capsys, name):
    """A terminal shows a CJK character or an emoji two columns wide, a combining accent in
    none: the columns are padded by what shows, not by the number of characters."""
    files = dict(DECK)
    files[name] = files.pop("c.md")
    files["deck.yml"] = files["deck.yml"].replace("- - c.md", f"- - {name}")
    assert run_cli(["--root", str(make_project(files))]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if re.search(r"( time| \d+h\d\d)$", line) and "shown (" not in line]
    assert any(name in row for row in rows)
    assert len({shown_width(row) for row in rows}) == 1, rows


def shown_width(text: str) -> int:
    """Columns a terminal gives `text` (unicodedata, independent of deckwright's own count)."""
    import unicodedata

    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def test_csv_has_a_row_per_deck_part_and_chapter(make_project, capsys):
    assert run_cli(["--root", str(make_project(DECK)), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["level"], r["part"], r["chapter"], r["shown"]) for r in rows] == [
        ("deck", "", "", "17"), ("part", "", "", "4"), ("chapter", "", "deck.yml:5", "1"),
        ("chapter", "", "toc.md", "3"), ("part", "1", "", "10"), ("chapter", "1", "a.md", "7"),
        ("chapter", "1", "b.md", "3"), ("part", "2", "", "3"), ("chapter", "2", "c.md", "3"),
    ]


def test_a_deck_that_does_not_build_is_reported_and_the_others_counted(make_project, capsys):
    root = make_project({"good.yml": "content:\n- a.md\n", "bad.yml": "content:\n- missing.md\n", "a.md": "A\n"})
    assert run_cli(["--root", str(root), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert [d["manifest"] for d in json.loads(captured.out)["decks"]] == ["good.yml"]
    assert "bad.yml:2:3: error: chapter file 'missing.md' does not exist" in captured.err


@pytest.mark.parametrize("chapter, message", [
    ("# T\n\n@@INCLUDE[slides/nope.md]\n", "a.md:3: error: @@INCLUDE[slides/nope.md]: no such file in the repository (the folder above the content folder 'slides')"),
    ("# T\n\n@@INCLUDE[slides/a.md]\n", "a.md:3: error: @@INCLUDE[slides/a.md] includes itself"),
    ("# T\n\n```bash\necho hi\n", "a.md:3: error: code fence is never closed"),
    ("# T\n\n![p](images/nope.png)\n", "a.md:3: error: picture 'images/nope.png' does not exist"),
    ("class: hidden\n\n# T\n",
     "bad.yml:1: error: the deck has no slides: its chapters are empty, or every slide is excluded"),
])
def test_a_deck_whose_chapter_does_not_build_is_reported_not_counted(make_project, capsys, chapter, message):
    root = make_project({
        "good.yml": "content:\n- b.md\n", "bad.yml": "exclude: [hidden]\ncontent:\n- a.md\n",
        "a.md": chapter, "b.md": "B\n",
    })
    assert run_cli(["--root", str(root), "--format", "json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [d["manifest"] for d in data["decks"]] == ["good.yml"]
    assert captured.err.splitlines()[0] == message
    path, line, _, text = message.split(":", 3)
    assert data["problems"] == [{"path": path, "line": int(line), "severity": "error", "message": text[1:]}]
    assert run_cli(["--root", str(root)]) == 1
    captured = capsys.readouterr()
    assert "bad.yml" not in captured.out and captured.err.splitlines()[0] == message


def test_a_missing_picture_on_an_excluded_slide_does_not_stop_the_count(make_project, capsys):
    root = make_project({
        "deck.yml": "exclude: [hidden]\ncontent:\n- a.md\n",
        "a.md": "A\n---\nclass: hidden\n\n![p](images/nope.png)\n",
    })
    assert [d["manifest"] for d in stats_json(root, capsys)["decks"]] == ["deck.yml"]


def test_a_chapter_whose_slides_are_all_excluded_has_its_row_as_where_used_lists_it(make_project, capsys):
    root = make_project({
        "selfpaced.yml": "exclude: [in-person]\ncontent:\n- - a.md\n- - cluster.md\n  - c.md\n",
        "a.md": "# A\n", "c.md": "# C\n",
        "cluster.md": "class: in-person\n\n# Cluster\n---\nclass: in-person\n\nroom\n",
    })
    parts = stats_json(root, capsys)["decks"][0]["parts"]
    assert [(p["part"], p["shown"], [(c["chapter"], c["shown"]) for c in p["chapters"]]) for p in parts] == [
        (1, 2, [("a.md", 2)]), (2, 2, [("cluster.md", 0), ("c.md", 2)])]
    assert run_cli(["--root", str(root), "--format", "csv"]) == 0
    assert "selfpaced.yml,chapter,2,cluster.md,0,0,0,0,0,0,0.0\n" in capsys.readouterr().out
    assert run_cli(["--root", str(root), "--where-used", "cluster.md"]) == 0
    assert capsys.readouterr().out == "cluster.md: 1 deck(s)\n  selfpaced.yml:4: part 2\n"


def test_where_used_lists_decks_parts_and_includes(make_project, capsys, tmp_path):
    root = make_project({
        "one.yml": "content:\n- a.md\n- - b.md\n",
        "two.yml": "content:\n- - c.md\n- - a.md\n",
        "a.md": "A\n", "b.md": "```\n@@INCLUDE[slides/shared/snippet.md]\n```\n", "c.md": "C\n",
        "shared/snippet.md": "echo hi\n", "nowhere.md": "old\n",
    })
    assert run_cli(["--root", str(root), "--where-used", "a.md", "shared/snippet.md", "nowhere.md"]) == 0
    assert capsys.readouterr().out == (
        "a.md: 2 deck(s)\n"
        "  one.yml:2: front matter\n"
        "  two.yml:3: part 2\n"
        "shared/snippet.md: 1 deck(s)\n"
        "  one.yml:3: part 1, included by b.md\n"
        "nowhere.md: not used by any deck\n"
    )


def test_where_used_of_a_file_that_does_not_exist_is_a_usage_error(make_project, capsys):
    root = make_project({"one.yml": "content:\n- a.md\n", "a.md": "A\n"})
    assert run_cli(["--root", str(root), "--where-used", "a.md", "nope.md"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "deckwright: error: --where-used: no such file: nope.md\n"


@pytest.mark.parametrize("option, value", [
    ("--minutes-per-slide", "nan"), ("--minutes-per-slide", "-1"), ("--minutes-per-lab", "inf"),
    ("--hours-per-day", "0"), ("--hours-per-day", "-6"),
])
def test_a_pace_that_cannot_be_is_a_usage_error(make_project, capsys, option, value):
    # nan stopped on a traceback ('cannot convert float NaN to integer'); -1 minute per
    # slide printed negative durations, 0 hours a day a deck of 'inf days'.
    root = make_project({"one.yml": "content:\n- a.md\n", "a.md": "A\n"})
    with pytest.raises(SystemExit) as exc:
        run_cli(["--root", str(root), option, value])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err and f"argument {option}: " in err


def test_changed_files_list_the_decks_they_affect(make_project, capsys, monkeypatch):
    root = make_project({
        "one.yml": "content:\n- a.md\n", "two.yml": "content:\n- b.md\n", "broken.yml": "content: [\n",
        "a.md": "![p](images/p.png)\n", "b.md": "```\n@@INCLUDE[k8s/pod.yaml]\n```\n",
        "images/p.png": "png", "unused.md": "",
    })
    (root.parent / "k8s").mkdir()
    (root.parent / "k8s" / "pod.yaml").write_text("kind: Pod\n")
    monkeypatch.chdir(root.parent)  # the repository's top, where CI lists changed files from
    assert run_cli(["--root", "slides", "--changed", "slides/images/p.png", "k8s/pod.yaml", "slides/unused.md"]) == 0
    assert capsys.readouterr().out == (
        "broken.yml: (the deck does not build)\n"
        "one.yml: images/p.png\n"
        "two.yml: ../k8s/pod.yaml\n"
        "3 of 3 deck(s) affected\n"
    )
    assert run_cli(["--root", "slides", "--changed", "one.yml", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "deck,file\nbroken.yml,(the deck does not build)\none.yml,one.yml\n"


def test_where_used_and_changed_are_one_or_the_other(make_project, capsys):
    with pytest.raises(SystemExit):
        run_cli(["--where-used", "a.md", "--changed", "b.md"])
    assert "not allowed with" in capsys.readouterr().err


# --- the corpus ------------------------------------------------------------------------------

@pytest.mark.corpus
def test_corpus_slide_counts_match_the_browsers_and_parts_add_up(corpus_root, capsys):
    from .conftest import CORPUS_COUNTS

    data = stats_json(corpus_root / "slides", capsys)
    counts = {d["manifest"]: d["shown"] for d in data["decks"]}
    assert counts == CORPUS_COUNTS
    for deck in data["decks"]:
        assert sum(p["shown"] for p in deck["parts"]) == deck["shown"], deck["manifest"]
        for part in deck["parts"]:
            assert sum(c["shown"] for c in part["chapters"]) == part["shown"], (deck["manifest"], part["part"])
            assert sum(c["labs"] for c in part["chapters"]) == part["labs"]


@pytest.mark.corpus
def test_corpus_where_used_and_changed(corpus_root, capsys, monkeypatch):
    root = corpus_root / "slides"
    assert run_cli(["--root", str(root), "--where-used", "k8s/rollout.md", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    decks = {r["deck"] for r in rows}
    manifests = {p.name for p in root.glob("*.yml") if "k8s/rollout.md" in _content_lines(p)}
    assert decks == manifests and len(decks) == 4
    monkeypatch.chdir(corpus_root)
    assert run_cli(["--root", "slides", "--changed", "slides/swarm/intro.md", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["deck"] for r in rows} == {p.name for p in root.glob("*.yml") if "swarm/intro.md" in _content_lines(p)}


def _content_lines(manifest):
    return {line.strip().lstrip("- ").strip() for line in manifest.read_text().splitlines()
            if not line.strip().startswith("#")}


def test_pace_defaults():
    assert Pace() == Pace(0.4, 1.0, 6.0)


def test_duration_is_a_known_manifest_key(make_project):
    from deckwright.check import check

    root = make_project({"deck.yml": "duration: 2 days\ncontent:\n- a.md\n", "a.md": "A\n"})
    assert check(str(root), env={}).findings == []
