"""Headless Chromium for `pdf` and `check --overflow`: a built deck opened with every slide ready.

The system's Chromium is driven through Playwright (neither is needed by the build).
A deck is opened from file:// with every other request refused (a picture from the web
stays blank, so nothing depends on the network); once remark has started, every slide is
filled (the template fills them lazily; `check --overflow` has only those it measures
filled) and every mermaid diagram drawn.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
SLIDE_WIDTH, SLIDE_HEIGHT = 1210, 681  # remark's 16:9 slide, in CSS px
LOAD_TIMEOUT_MS = 300_000  # remark lays out every slide before it starts: big decks take a while

_START = "() => window.slideshow !== undefined || window.deckwrightError !== undefined"
# A deck fills its slides lazily (templates/remark.html): all of them, here.
_FILL_ALL = "() => window.deckwrightLazy ? window.deckwrightLazy.fillAll() : 0"
# A deck holding mermaid diagrams draws them as they are shown: all of them, here.
# (The promise resolves once they are drawn; one mermaid cannot read stays text.)
_DRAW_DIAGRAMS = "(filledOnly) => window.deckwrightDiagrams ? window.deckwrightDiagrams.drawAll(filledOnly) : 0"

# Wait for what slides [first, last) show: their pictures (loaded or failed: a picture from
# the web fails at once, its request refused), their background pictures, the fonts.
# A picture the page would load only when scrolled to (loading="lazy") is loaded now.
_PICTURES_READY = """async ([first, last]) => {
  const slides = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  const waits = [];
  const settled = (img) => new Promise((done) => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  });
  for (const slide of Array.from(slides).slice(first, last)) {
    for (const img of slide.querySelectorAll('img')) {
      if (img.loading === 'lazy') img.loading = 'eager';
      if (!img.complete) waits.push(settled(img));
    }
    for (const el of slide.querySelectorAll('.remark-slide-content, [style*="background"]')) {
      const m = /url\\(["']?([^"')]+)["']?\\)/.exec(getComputedStyle(el).backgroundImage);
      if (m) {
        const img = new Image();
        waits.push(settled(img));
        img.src = m[1];
      }
    }
  }
  await Promise.all(waits);
  await document.fonts.ready;
  return slides.length;
}"""


def is_local(url: str) -> bool:
    return url.startswith(("file:", "data:", "blob:", "about:"))


def open_chromium(playwright, executable: str = CHROMIUM):
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def missing_tools(chromium: str, modules: Sequence[str], install: str) -> str | None:
    """Why Chromium cannot be driven here (`install`: how to get the Python `modules`), or None."""
    if not os.access(chromium, os.X_OK):
        return f"no Chromium at {chromium} (Debian: apt-get install chromium)"
    for module in modules:
        try:
            __import__(module)
        except ImportError as exc:
            return f"{(exc.name or module).partition('.')[0]} is not installed ({install})"
    return None


@contextlib.contextmanager
def opened_deck(browser, html: Path, height: int = SLIDE_HEIGHT, diagrams: bool = True,
                fill: bool = True) -> Iterator[object]:
    """A Playwright page showing the built deck `html` at scale 1, every slide filled (with
    `fill`; else only those shown, and those `window.deckwrightLazy.fillOnly(indices)`
    fills) and every diagram drawn (with `diagrams`, else see draw_diagrams); RuntimeError
    when the deck does not start."""
    context = browser.new_context(viewport={"width": SLIDE_WIDTH, "height": height})
    try:
        if not fill:  # the page fills no slide at idle time (templates/remark.html)
            context.add_init_script("window.deckwrightFillOnDemand = true;")
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        page.goto(html.as_uri())
        page.wait_for_function(_START, timeout=LOAD_TIMEOUT_MS)
        error = page.evaluate("() => window.deckwrightError || null")
        if error:
            raise RuntimeError(f"the deck did not start: {error}")
        if fill:
            page.evaluate(_FILL_ALL)
        if diagrams:
            draw_diagrams(page)
        yield page
    finally:
        context.close()


def draw_diagrams(page, filled_only: bool = False) -> int:
    """Draw the page's mermaid diagrams not drawn yet (a block whose `data-deckwright-diagram`
    is set is left as it is), with `filled_only` those of the slides filled; returns how
    many were drawn."""
    return page.evaluate(_DRAW_DIAGRAMS, filled_only)


def pictures_ready(page, first: int = 0, last: int | None = None) -> int:
    """Wait for the pictures and fonts of slides [first, last) (all by default); returns
    the number of slides of the page."""
    return page.evaluate(_PICTURES_READY, [first, 1 << 30 if last is None else last])
