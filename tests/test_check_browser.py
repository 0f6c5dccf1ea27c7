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


# Pictures in every form the build copies and `check` looks at. A label is looked up in the
# definitions of the whole deck (here another chapter's), in lower case, never in a
# `layout: true` slide's; a reference in the notes stays text (remark gives them no table).
SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'><rect width='8' height='8'/></svg>"
PICTURES = {
    "deck.yml": "title: T\ncontent:\n- a.md\n- b.md\n",
    "a.md": "# Pictures\n\n![by reference][dot] ![shortcut]\n\n"
            "![capitals][in-capitals] ![from the layout][in-layout]\n\n"
            '<img srcset="images/one.svg 1x, images/two.svg 2x" src="images/one.svg">\n\n'
            '<video poster="images/poster.svg" width="8" height="8"></video>\n\n'
            '<object data="images/object.svg" type="image/svg+xml"></object>\n\n'
            "???\n\n![in the notes][dot] ![notes picture](images/notes.svg)\n",
    "b.md": "layout: true\n[in-layout]: images/layout.svg\n\n---\n# Definitions\n\n"
            "[dot]: images/dot.svg\n[shortcut]: images/shortcut.svg\n[In-capitals]: images/capitals.svg\n",
    **{f"images/{name}.svg": SVG
       for name in ("dot", "shortcut", "one", "two", "poster", "object", "notes", "layout", "capitals")},
}


@pytest.fixture(scope="module")
def pictures_deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("pictures") / "slides"
    for rel, text in PICTURES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    out = root.parent / "dist"
    [result] = build(Project.at(root), None, out, env={})
    assert result.ok, result.problems
    with open_browser() as browser:
        page = new_page(browser)
        loaded = load_deck(page, (out / "deck.yml.html").as_uri())
        for number in range(1, loaded["count"] + 1):  # each slide on screen: its <object> loads too
            page.evaluate("(n) => window.slideshow.gotoSlide(n)", number)
        page.wait_for_timeout(500)
        html = page.evaluate(
            "() => Array.from(document.querySelectorAll('.remark-slide-content, .remark-slide-notes'))"
            ".map(e => e.innerHTML).join('\\n')"
        )
        shown = page.evaluate(SHOWN)
    return loaded, html, shown, sorted(p.name for p in (out / "images").iterdir())


# The local pictures remark's HTML loads: src, each URL of a srcset, poster, data.
SHOWN = """() => {
    const urls = new Set();
    const scope = '.remark-slide-content, .remark-slide-notes';
    for (const e of document.querySelectorAll(`:is(${scope}) :is(img, source, video, object)`)) {
        for (const name of ['src', 'poster', 'data']) {
            if (e.getAttribute(name)) urls.add(e.getAttribute(name));
        }
        for (const candidate of (e.getAttribute('srcset') || '').split(',')) {
            if (candidate.trim()) urls.add(candidate.trim().split(/\\s+/)[0]);
        }
    }
    return Array.from(urls).filter(u => u.startsWith('images/')).map(u => u.slice(7)).sort();
}"""


def test_pictures_in_every_form_are_copied_and_load(pictures_deck):
    loaded, _, _, copied = pictures_deck
    assert not loaded["errors"] and loaded["failed"] == []
    assert copied == ["dot.svg", "notes.svg", "object.svg", "one.svg", "poster.svg", "shortcut.svg", "two.svg"]


def test_the_build_copies_the_pictures_remark_shows_and_no_other(pictures_deck):
    _, html, shown, copied = pictures_deck
    assert shown == copied
    assert '<img src="images/dot.svg" alt="by reference">' in html
    assert '<img src="images/shortcut.svg" alt="shortcut">' in html
    # Not resolved by remark: a label defined with capitals, or in a layout slide; a reference in notes.
    assert "![capitals][in-capitals]" in html and "![from the layout][in-layout]" in html
    assert "![in the notes][dot]" in html and '<img src="images/notes.svg"' in html
