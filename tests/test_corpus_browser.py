"""The corpus decks in Chromium: they load cleanly, remark counts markmaker's slides,
and every table-of-contents and title-slide link lands on the slide it names."""

from __future__ import annotations

import pytest

from deckwright.builder import build
from deckwright.reader import Project

from .browser import block_external, load_deck, new_page, open_browser
from .conftest import CORPUS_COUNTS

pytestmark = pytest.mark.browser

# Clicks every link of TOC and title slides, in the page, and reports where each landed.
FOLLOW_LINKS = """async () => {
  const slides = window.slideshow.getSlides();
  const names = slides.map((s) => s.properties.name || null);
  const containers = document.querySelectorAll('.remark-slide-container');
  const results = [];
  // A link never targets the slide it stands on, so the index changes once it is followed.
  const settle = async (before) => {
    for (let waited = 0; waited < 3000; waited += 1) {
      if (window.slideshow.getCurrentSlideIndex() !== before) return;
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  for (let i = 0; i < slides.length; i++) {
    const cls = slides[i].properties['class'] || '';
    if (!/\\b(toc|title)\\b/.test(cls) || !names[i]) continue;
    for (const a of containers[i].querySelectorAll('a[href^="#"]')) {
      const before = window.slideshow.getCurrentSlideIndex();
      a.click();
      await settle(before);
      const landed = names[window.slideshow.getCurrentSlideIndex()];
      results.push({from: names[i], target: a.getAttribute('href').slice(1), landed: landed});
    }
  }
  return results;
}"""


@pytest.fixture(scope="module")
def corpus_site(corpus_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus-site")
    results = build(Project.at(corpus_root / "slides"), None, out, env={})
    assert all(r.ok for r in results)
    return out


@pytest.fixture(scope="module")
def browser():
    with open_browser() as b:
        yield b


@pytest.mark.parametrize("manifest", sorted(CORPUS_COUNTS))
def test_deck_in_browser(corpus_site, browser, manifest):
    page = new_page(browser)
    try:
        external = block_external(page)
        loaded = load_deck(page, (corpus_site / f"{manifest}.html").as_uri(), timeout_ms=60000)
        assert loaded["count"] == CORPUS_COUNTS[manifest]
        assert loaded["failed"] == []
        # The only requests that leave the machine are pictures the authors link to
        # (interstitials.txt, chapters): blocked here, each logs a failed load; nothing else may.
        blocked = "console: Failed to load resource: net::ERR_FAILED"
        assert [e for e in loaded["errors"] if e != blocked] == []
        assert loaded["errors"].count(blocked) <= len(external)
        html = (corpus_site / f"{manifest}.html").read_text()
        assert [url for url in external if url.replace("&", "&amp;") not in html] == []
        landed = page.evaluate(FOLLOW_LINKS)
        assert landed, "no TOC or title-slide links found"
        wrong = [r for r in landed if r["landed"] != r["target"]]
        assert wrong == []
    finally:
        page.close()
