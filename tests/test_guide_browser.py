"""The sample workshop is our user guide: every slide of its decks fits the slide, in Chromium.

A slide whose text runs past the bottom of remark's 16:9 box is cut off on a projector
(and the slide number is drawn over it): an edit of the guide that makes one is caught here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deckwright.builder import build
from deckwright.reader import Project

from .browser import block_external, goto_slide, load_deck, new_page, open_browser

pytestmark = pytest.mark.browser

GUIDE = Path(__file__).parent.parent / "slides"

# For the slide on screen: how far its content reaches below remark's 16:9 box, in pixels
# (elements the slide clips itself, such as a scrolled code block's lines, do not count).
OVERFLOW = """() => {
    const slide = document.querySelector('.remark-visible .remark-slide-scaler');
    const bottom = slide.getBoundingClientRect().bottom;
    let reach = bottom;
    for (const e of slide.querySelectorAll('.remark-slide-content *')) {
        const r = e.getBoundingClientRect();
        if (r.height && e.closest('.remark-slide-content') && !e.closest('pre code, .source')) {
            reach = Math.max(reach, r.bottom);
        }
    }
    return Math.round(reach - bottom);
}"""


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guide")
    results = build(Project.at(GUIDE), None, out, env={})
    assert results and all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    return out


@pytest.mark.parametrize("manifest", sorted(p.name for p in GUIDE.glob("*.yml")))
def test_every_slide_of_the_guide_fits(guide, manifest):
    with open_browser() as browser:
        page = new_page(browser)
        blocked = block_external(page)
        deck = load_deck(page, (guide / f"{manifest}.html").as_uri())
        page.evaluate("() => window.deckwrightDiagrams && window.deckwrightDiagrams.drawAll()")
        over = {}
        for number in range(1, deck["count"] + 1):
            goto_slide(page, number)
            if (reach := page.evaluate(OVERFLOW)) > 0:
                over[number] = reach
        assert deck["count"] > 100 and deck["errors"] == [] and blocked == []
        assert over == {}, f"slides running past the bottom (slide: pixels): {over}"


def test_the_guides_way_back_from_the_contents_brings_the_reader_back(guide):
    """The slide that sends the reader to the contents says how to come back: that works
    (it said 'the left arrow', which goes to the slide before the contents)."""
    with open_browser() as browser:
        page = new_page(browser)
        load_deck(page, (guide / "intro-fullday.yml.html").as_uri())
        page.evaluate("() => window.deckwrightLazy.fillAll()")
        texts = page.evaluate("() => [...document.querySelectorAll('.remark-slide-content')]"
                              ".map(e => e.innerText)")
        [number] = [i + 1 for i, t in enumerate(texts) if "the contents of part 1" in t]
        goto_slide(page, number)
        page.locator(".remark-visible a", has_text="the contents of part 1").click()
        page.wait_for_function(f"() => slideshow.getCurrentSlideIndex() + 1 !== {number}")
        way = texts[number - 1].split("the contents of part 1", 1)[1].split("\n")[0]
        if "Back button" in way:
            page.go_back()
        elif "left arrow" in way:
            page.keyboard.press("ArrowLeft")
        else:
            pytest.fail(f"the slide names no way back: {way!r}")
        page.wait_for_timeout(200)
        assert page.evaluate("() => slideshow.getCurrentSlideIndex() + 1") == number
