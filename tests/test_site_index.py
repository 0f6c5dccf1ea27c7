"""The index page: dates as people write them, index.yaml read with locations, sections, snapshots."""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest

from deckwright.model import SourceLoc
from deckwright.reader import Project
from deckwright.site import build_site
from deckwright.site_index import Workshop, date_range, duration, file_size, read_index, sections

FIXTURE = Path(__file__).parent / "fixtures" / "site"
TODAY = datetime.date(2026, 3, 1)
D = datetime.date


@pytest.mark.parametrize(
    "begin, end, text",
    [
        (D(2026, 3, 3), None, "March 3, 2026"),
        (D(2026, 3, 3), D(2026, 3, 3), "March 3, 2026"),
        (D(2026, 3, 3), D(2026, 3, 5), "March 3\u20135, 2026"),
        (D(2026, 3, 30), D(2026, 4, 2), "March 30 \u2013 April 2, 2026"),
        (D(2025, 12, 30), D(2026, 1, 2), "December 30, 2025 \u2013 January 2, 2026"),
    ],
)
def test_date_range(begin, end, text):
    assert date_range(begin, end) == text


@pytest.mark.parametrize(
    "minutes, text",
    [(0, "0 min"), (3, "3 min"), (12, "12 min"), (42, "42 min"), (60, "1 h"), (151, "2 h 31 min"),
     (597, "9 h 57 min"), (600, "10 h"), (2512, "41 h 52 min")],
)
def test_duration(minutes, text):
    assert duration(minutes) == text


def test_read_index_values_and_yaml_quirks():
    text = (
        "- date: [2026-03-03, 2026-03-05]\n"
        "  title: Two days\n"
        "  country: no\n"  # YAML 1.1 reads this as false: it is Norway
        "  city: Bergen\n"
        "- title: Self-paced\n"
        "  slides: deck.yml.html\n"
    )
    workshops, problems = read_index(text)
    assert problems == []
    first, second = workshops
    assert (first.begin, first.end, first.country, first.where) == (D(2026, 3, 3), D(2026, 3, 5), "no", "Bergen, NO")
    assert first.loc == SourceLoc("index.yaml", 1, 3)
    assert second.begin is None and second.slides == "deck.yml.html"


def test_read_index_reports_each_bad_item_with_its_line():
    text = (
        "- date: 2026-02-30\n"  # no such day
        "  title: Bad date\n"
        "- date: [2026-03-05, 2026-03-03]\n"
        "  title: Backwards\n"
        "- city: Paris\n"
        "- just text\n"
        "- date: 2026-03-10\n"
        "  title: Fine\n"
    )
    workshops, problems = read_index(text)
    assert [w.title for w in workshops] == ["Fine"]
    assert [str(p) for p in problems] == [
        "index.yaml:1:9: error: 'date' must be a date (YYYY-MM-DD) or a [begin, end] pair, not '2026-02-30'",
        "index.yaml:3:9: error: 'date' ends (2026-03-03) before it begins (2026-03-05)",
        "index.yaml:5:3: error: item has no 'title'",
        "index.yaml:6:3: error: each item must be a mapping (title, date, city…)",
    ]


NOT_A_DATE = "index.yaml:2:9: error: 'date' must be a date (YYYY-MM-DD) or a [begin, end] pair, "


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- title: A\n  city: Paris\n  title: B\n", "index.yaml:3:3: error: key 'title' is given twice (first at line 1)"),
        ("- title: {a: b}\n", "index.yaml:1:10: error: 'title' must be text, not a mapping"),
        ("- title: T\n  city: [Paris, Lyon]\n", "index.yaml:2:9: error: 'city' must be text, not a list"),
        ("- title: T\n  ? [a, b]\n  : 1\n", "index.yaml:2:5: error: a key must be a name, not a list"),
        ("- title: T\n  date: [2021-01-02, 2021-01-03, 2021-01-04]\n",
         NOT_A_DATE + "not [2021-01-02, 2021-01-03, 2021-01-04]"),
        ("- title: T\n  date: [2021-01-02, 2021-01-03, 2021-01-04, 2021-01-05]\n",
         NOT_A_DATE + "not [2021-01-02, 2021-01-03, 2021-01-04, …]"),
        ("- title: T\n  date: [{a: 1}]\n", NOT_A_DATE + "not […]"),
        ("- title: T\n  <<: [1]\n", "index.yaml:2:8: error: '<<' merges a mapping or a list of mappings, not a value"),
    ],
)
def test_read_index_leaves_out_an_item_it_cannot_read_plainly(text, expected):
    workshops, problems = read_index(text)
    assert workshops == [] and [str(p) for p in problems] == [expected]


def test_read_index_merge_keys_share_what_workshops_have_in_common():
    text = (
        "- &paris {title: Kubernetes, city: Paris, country: fr, date: 2026-03-03}\n"
        "- <<: *paris\n"
        "  date: 2026-04-07\n"
        "- {<<: *paris, title: Docker}\n"
    )
    workshops, problems = read_index(text)
    assert problems == []
    assert [(w.title, w.where, w.begin) for w in workshops] == [
        ("Kubernetes", "Paris, FR", D(2026, 3, 3)),
        ("Kubernetes", "Paris, FR", D(2026, 4, 7)),
        ("Docker", "Paris, FR", D(2026, 3, 3)),
    ]


def test_read_index_bad_yaml_and_wrong_shape():
    _, problems = read_index("- title: [unclosed\n")
    assert len(problems) == 1 and str(problems[0]).startswith("index.yaml:2:1: error: invalid YAML")
    _, problems = read_index("title: not a list\n")
    assert [str(p) for p in problems] == ["index.yaml:1: error: index.yaml must be a list of workshops"]


def _w(title, begin=None, end=None, video=""):
    return Workshop(SourceLoc("index.yaml", 1), title, begin, end or begin, video=video)


def test_sections_split_and_order():
    workshops = [
        _w("past", D(2025, 1, 1)),
        _w("later", D(2026, 5, 1)),
        _w("ends today", D(2026, 2, 27), D(2026, 3, 1)),
        _w("self", None),
        _w("recorded", D(2024, 1, 1), video="https://v.example.org/1"),
        _w("older", D(2023, 6, 1)),
    ]
    got = {s.key: [w.title for w in s.workshops] for s in sections(workshops, TODAY)}
    assert got == {
        "upcoming": ["ends today", "later"],
        "self-paced": ["self"],
        "recorded": ["recorded"],
        "past": ["past", "older"],
    }


# ---------- snapshots ----------

# A bundle's size depends on the assets (stylesheet, remark), which change for reasons
# of their own: the snapshot shows it as "(SIZE)", and a test checks the real text.
ZIP_SIZE = re.compile(r'(<a href="[^"]+\.zip">[^<]+</a>) \([0-9.]+ (?:bytes|KB|MB)\)')


def _site(tmp_path: Path, keep_index: bool = True) -> str:
    root = tmp_path / "workshops" / "slides"
    shutil.copytree(FIXTURE / "slides", root)
    if not keep_index:
        (root / "index.yaml").unlink()
    out = tmp_path / "dist"
    result = build_site(Project.at(root), None, out, env={}, today=TODAY)
    assert all(r.ok for r in result.decks)
    page = (out / "index.html").read_text(encoding="utf-8")
    for name, size in result.zips.items():
        assert f'<a href="{name}">{name}</a> ({file_size(size)})' in page
    return ZIP_SIZE.sub(r"\1 (SIZE)", page)


def _check_snapshot(actual: str, name: str) -> None:
    expected = FIXTURE / "expected" / name
    if os.environ.get("DECKWRIGHT_UPDATE_GOLDEN"):
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8"), (
        f"{expected.relative_to(FIXTURE.parent.parent)} differs: review, then rerun with "
        "DECKWRIGHT_UPDATE_GOLDEN=1 to accept"
    )


def test_index_page_snapshot(tmp_path):
    _check_snapshot(_site(tmp_path), "index.html")


def test_index_page_without_index_yaml_lists_the_decks(tmp_path):
    page = _site(tmp_path, keep_index=False)
    _check_snapshot(page, "index-decks-only.html")
    assert "Upcoming workshops" not in page
    assert '<a class="deck" href="demo.yml.html">Demo workshop</a>' in page
