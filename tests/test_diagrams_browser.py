"""Mermaid diagrams in Chromium: drawn offline when their slide is shown, once; a block
mermaid cannot read stays text; drawAll() (what `deckwright pdf` awaits) draws the rest;
the corpus's mlops deck draws its diagrams, each inside its slide."""

from __future__ import annotations

import pytest

from deckwright.builder import build
from deckwright.reader import Project

from .browser import block_external, goto_slide, load_deck, new_page, open_browser
from .conftest import write_files

pytestmark = pytest.mark.browser

CHAPTER = """\
# First slide

No diagram here.

---

# Second slide

---

# Third slide

---

# A flowchart

<pre class="mermaid">
  flowchart LR
    Client["Client<br>(browser)"] --> LB["Load balancer"]
    LB --> B1["Backend"] & B2["Backend"]
</pre>

---

# A broken diagram

<pre class="mermaid">
flowchart LR
  A --> --> ((
</pre>

---

# Last slide
"""

# Slides (1-based, as remark's gotoSlide): 1-3 plain, 4 flowchart, 5 broken, 6 last.
# mermaid is loaded when a diagram is on the slide shown or the two after it.
FLOWCHART_SLIDE, BROKEN_SLIDE = 4, 5

# The state of each block in the deck's slides (the presenter's preview holds copies).
STATES = """() => Array.from(document.querySelectorAll('.remark-slides-area pre.mermaid'),
                             (b) => b.getAttribute('data-deckwright-diagram'))"""


@pytest.fixture(scope="module")
def browser():
    with open_browser() as b:
        yield b


@pytest.fixture(scope="module")
def deck_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("diagrams")
    content = write_files(root / "content" / "slides", {
        "diagrams.yml": "title: Diagrams\nchapters:\n- diagrams.md\n",
        "diagrams.md": CHAPTER,
    })
    out = root / "dist"
    assert all(r.ok for r in build(Project.at(content), None, out, env={}))
    return (out / "diagrams.yml.html").as_uri()


def open_deck(browser, url):
    """The deck as a visitor finds it (slides not filled ahead); its blocked requests; its
    requests for mermaid.min.js; its load_deck report."""
    page = new_page(browser)
    blocked = block_external(page)
    mermaid: list[str] = []
    page.on("request", lambda request: mermaid.append(request.url) if "mermaid" in request.url else None)
    return page, blocked, mermaid, load_deck(page, url, filled=False)


def wait_drawn(page, state="drawn"):
    page.wait_for_function(
        f"() => document.querySelector('.remark-visible pre.mermaid[data-deckwright-diagram={state}]')",
        timeout=20000)


def test_flowchart_is_drawn_when_its_slide_is_shown(browser, deck_url):
    page, blocked, mermaid, deck = open_deck(browser, deck_url)
    try:
        assert deck["count"] == 6
        page.wait_for_timeout(300)
        assert mermaid == [] and set(page.evaluate(STATES)) <= {None}  # nothing loaded or drawn yet
        goto_slide(page, FLOWCHART_SLIDE)
        wait_drawn(page)
        svg = page.locator(".remark-visible pre.mermaid > svg")
        assert svg.count() == 1
        assert "Load balancer" in svg.text_content()
        assert "--> LB" not in page.locator(".remark-visible pre.mermaid").text_content()  # no source
        box, slide = svg.bounding_box(), page.locator(".remark-visible .remark-slide-content").bounding_box()
        assert box["width"] > 100 and box["y"] + box["height"] <= slide["y"] + slide["height"]
        # Shown again: drawn once.
        goto_slide(page, 1)
        goto_slide(page, FLOWCHART_SLIDE)
        page.wait_for_timeout(200)
        assert page.locator(".remark-visible pre.mermaid > svg").count() == 1
        assert len(mermaid) == 1 and mermaid[0].startswith("file:")
        assert deck["errors"] == [] and deck["failed"] == [] and blocked == []
    finally:
        page.close()


def test_diagram_mermaid_cannot_read_stays_text_and_is_logged(browser, deck_url):
    page, blocked, _, deck = open_deck(browser, deck_url)
    try:
        goto_slide(page, BROKEN_SLIDE)
        wait_drawn(page, "failed")
        block = page.locator(".remark-visible pre.mermaid")
        assert "A --> --> ((" in block.text_content() and block.locator("svg").count() == 0
        assert len(deck["errors"]) == 1
        assert "deckwright: slide 5: mermaid cannot draw this diagram, shown as text" in deck["errors"][0]
        assert page.locator("body > [id^='ddeckwright-diagram']").count() == 0  # mermaid cleaned up
        goto_slide(page, FLOWCHART_SLIDE)  # the deck goes on
        wait_drawn(page)
        assert len(deck["errors"]) == 1 and blocked == []
    finally:
        page.close()


def test_draw_all_draws_slides_not_shown(browser, deck_url):
    page, blocked, _, deck = open_deck(browser, deck_url)
    try:
        assert page.evaluate("() => window.deckwrightDiagrams.drawAll()") >= 2
        assert page.evaluate(STATES) == ["drawn", "failed"]
        goto_slide(page, FLOWCHART_SLIDE)
        svg = page.locator(".remark-visible pre.mermaid > svg").bounding_box()
        assert svg["width"] > 100 and svg["height"] > 50  # laid out right while hidden
        assert len(deck["errors"]) == 1 and blocked == []
    finally:
        page.close()


def test_ctrl_p_draws_every_diagram_before_the_print_dialog(browser, deck_url):
    page, blocked, _, _ = open_deck(browser, deck_url)
    try:
        assert page.evaluate(STATES) == [None, None]  # slide 1 shown: none drawn
        # What the page's window.print() sees: the state of each block when it is called.
        page.evaluate("""() => { window.printedWith = null;
            window.print = () => { window.printedWith = Array.from(
                document.querySelectorAll('.remark-slides-area pre.mermaid'),
                (b) => b.getAttribute('data-deckwright-diagram')); }; }""")
        page.keyboard.press("Control+p")
        page.wait_for_function("() => window.printedWith !== null", timeout=20000)
        assert page.evaluate("() => window.printedWith") == ["drawn", "failed"]
        # The key was ours alone: remark did not take it as `p` (presenter mode).
        assert not page.evaluate("() => document.querySelector('.remark-container').classList"
                                 ".contains('remark-presenter-mode')")
        assert blocked == []
    finally:
        page.close()


def test_corpus_mlops_draws_its_diagrams(browser, corpus_root, tmp_path):
    out = tmp_path / "dist"
    assert all(r.ok for r in build(Project.at(corpus_root / "slides"), ["mlops.yml"], out, env={}))
    page, _, _, deck = open_deck(browser, (out / "mlops.yml.html").as_uri())
    try:
        page.evaluate("() => window.deckwrightLazy.fillAll()")
        slides = page.evaluate("""() => Array.from(document.querySelectorAll('pre.mermaid'), (b) => {
            const slide = b.closest('.remark-slide-container');
            return Array.prototype.indexOf.call(slide.parentNode.children, slide) + 1;
        })""")
        assert len(slides) == 7
        for number in slides:
            goto_slide(page, number)
            wait_drawn(page)
            fits = page.evaluate("""() => {
                const slide = document.querySelector('.remark-visible .remark-slide-content').getBoundingClientRect();
                const svg = document.querySelector('.remark-visible pre.mermaid > svg').getBoundingClientRect();
                return svg.width > 100 && svg.left >= slide.left && svg.right <= slide.right &&
                  svg.bottom <= slide.bottom;
            }""")
            assert fits, f"the diagram of slide {number} does not fit it"
        assert page.evaluate(STATES) == ["drawn"] * 7
        blocked = "console: Failed to load resource: net::ERR_FAILED"  # the authors' remote pictures
        assert [e for e in deck["errors"] if e != blocked] == []
    finally:
        page.close()


def tall_flowchart(*nodes: str) -> str:
    return '<pre class="mermaid">\nflowchart TD\n  ' + " --> ".join(nodes) + "\n</pre>\n"


# Diagrams that alone take the most height a diagram may have: stacked on one slide they
# share it. (The second slide's second diagram comes in a `--` step.)
SHARED = f"""\
## Two diagrams

{tall_flowchart("A", "B", "C", "D", "E", "F")}
{tall_flowchart("G", "H", "I", "J", "K", "L")}
---

## Three diagrams, in two steps

{tall_flowchart("M", "N", "O", "P", "Q")}
--

{tall_flowchart("R", "S", "T", "U", "V")}
{tall_flowchart("W", "X", "Y", "Z", "Z2")}
"""

# Each diagram's box and the slide's (remark's 16:9 box: its content, a table cell, grows
# past it with what it holds), where the slide is shown.
BOXES = """() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const slide = document.querySelector('.remark-visible .remark-slide-scaler');
    return {slide: box(slide),
            diagrams: Array.from(slide.querySelectorAll('pre.mermaid > svg'), box)};
}"""


def test_diagrams_on_one_slide_share_its_height(browser, tmp_path):
    content = write_files(tmp_path / "content" / "slides", {
        "shared.yml": "title: Shared\nchapters:\n- shared.md\n", "shared.md": SHARED})
    out = tmp_path / "dist"
    assert all(r.ok for r in build(Project.at(content), None, out, env={}))
    page, blocked, _, deck = open_deck(browser, (out / "shared.yml.html").as_uri())
    try:
        for number, count in ((1, 2), (3, 3)):  # slide 3: the second step of the second slide
            goto_slide(page, number)
            page.wait_for_function(
                "(n) => document.querySelectorAll('.remark-visible pre.mermaid > svg').length === n",
                arg=count, timeout=20000)
            boxes = page.evaluate(BOXES)
            left, top, right, bottom = boxes["slide"]
            assert len(boxes["diagrams"]) == count
            for x0, y0, x1, y1 in boxes["diagrams"]:
                assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (number, boxes)
                assert y1 - y0 > 100, (number, boxes)  # shared, not squashed
        assert deck["errors"] == [] and blocked == []
    finally:
        page.close()
