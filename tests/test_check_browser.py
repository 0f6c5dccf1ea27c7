"""What `check` says remark does, seen in remark itself (headless Chromium, a built deck)."""

from __future__ import annotations

import pytest

from deckwright.builder import build
from deckwright.check import check
from deckwright.reader import Project

from .browser import load_deck, new_page, open_browser

pytestmark = pytest.mark.browser

CHAPTER = (
    "# Links\n\nsee [Upper], then [lower], then [twice].\n\n"
    "[Upper]: https://upper.example/\n[lower]: https://lower.example/\n"
    "[twice]: https://first.example/\n"
    "---\n"
    "Note: this first line is a property\n\nShown text\n"
    "---\n"
    "# Late\nclass: extra-details\n"
    "---\n"
    "[twice]: https://second.example/\n\nend\n"
)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("content") / "slides"
    root.mkdir()
    (root / "deck.yml").write_text("title: T\ncontent:\n- a.md\n")
    (root / "a.md").write_text(CHAPTER)
    [result] = build(Project.at(root), None, root.parent / "dist", env={})
    assert result.ok, result.problems
    findings = {(f.loc.line, f.kind) for f in check(str(root), env={}).findings}
    with open_browser() as browser:
        page = new_page(browser)
        loaded = load_deck(page, (root.parent / "dist" / "deck.yml.html").as_uri())
        assert not loaded["errors"]
        html = page.evaluate(
            "() => Array.from(document.querySelectorAll('.remark-slide-container .remark-slide-content'))"
            ".slice(0, window.slideshow.getSlideCount()).map(e => e.innerHTML)"
        )
    return findings, html


def test_a_label_with_capitals_is_never_a_link(deck):
    findings, html = deck
    assert (5, "label-case") in findings
    assert "[Upper]" in html[0] and "upper.example" not in html[0]
    assert 'href="https://lower.example/"' in html[0]


def test_the_last_definition_of_a_label_wins_for_the_whole_deck(deck):
    findings, html = deck
    assert (7, "duplicate-label") in findings
    assert 'href="https://second.example/"' in html[0] and "first.example" not in html[0]


def test_a_first_line_like_a_property_is_hidden_and_a_late_property_is_shown(deck):
    findings, html = deck
    assert (9, "slide-property") in findings and (14, "slide-property") in findings
    assert "Note:" not in html[1] and "Shown text" in html[1]
    assert "class: extra-details" in html[2]
