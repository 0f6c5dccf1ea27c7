"""Helpers for tests that open built decks in headless Chromium.

Only Debian's Chromium is used (never a browser downloaded by Playwright),
and only local pages are expected: file:// URLs or a server on the loopback
interface.  Typical use::

    from browser import open_browser, new_page, block_external, load_deck

    with open_browser() as browser:
        page = new_page(browser)
        blocked = block_external(page)
        deck = load_deck(page, path.as_uri())
        assert deck["count"] == 4 and not deck["errors"] and not blocked

Tests are skipped, with the reason, when Chromium or the ``playwright``
package is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

# remark 0.14 lays a 16:9 slide out as 1210 x 681 px; a viewport of that size
# shows slides at scale 1, so screenshots are sharp and sizes are exact.
SLIDE_WIDTH = 1210
SLIDE_HEIGHT = 681

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Schemes that never leave the machine.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome-error"}


def is_local_url(url: str) -> bool:
    """True for file:// (and in-page data:, blob:, about:) URLs and loopback servers."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    if parts.scheme in ("http", "https", "ws", "wss"):
        return (parts.hostname or "") in LOCAL_HOSTS or (parts.hostname or "").startswith("127.")
    return False


def _is_loaded_from_here(url: str) -> bool:
    # Requests whose failure means the deck is broken (missing asset, bad
    # relative path), as opposed to something we blocked on purpose.
    parts = urlsplit(url)
    if parts.scheme == "file":
        return True
    return parts.scheme in ("http", "https") and is_local_url(url)


@contextlib.contextmanager
def open_browser(headless: bool = True) -> Iterator[object]:
    """Launch Debian's Chromium through Playwright; yield the Browser.

    Calls pytest.skip() when /usr/bin/chromium or the playwright package is
    missing, so it can be used directly inside a fixture.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=headless,
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, width: int = SLIDE_WIDTH, height: int = SLIDE_HEIGHT):
    """A fresh page in its own context, sized so one slide fills it at scale 1."""
    context = browser.new_context(viewport={"width": width, "height": height})
    return context.new_page()


def block_external(page) -> list[str]:
    """Abort every request that is not local; return the (live) list of their URLs.

    Call before navigating.  The list keeps filling as the page runs, so a
    test can check it at the end.
    """
    attempted: list[str] = []

    def on_request(request) -> None:
        if not is_local_url(request.url):
            attempted.append(request.url)

    def on_route(route) -> None:
        if is_local_url(route.request.url):
            route.continue_()
        else:
            route.abort()

    page.on("request", on_request)
    page.route("**/*", on_route)
    return attempted


def load_deck(page, url: str, timeout_ms: int = 15000, filled: bool = True) -> dict:
    """Open a deck and wait for remark to start.

    Returns ``{"count": int, "errors": [...], "failed": [...]}``:
    ``count`` is ``slideshow.getSlideCount()`` (0 if the deck failed to start),
    ``errors`` collects console errors, uncaught page errors and the template's
    ``window.deckwrightError``; ``failed`` lists local requests (file:// or a
    loopback server) that failed or answered with an HTTP error.  Both lists
    stay live: errors raised later (while changing slides) are appended too.

    A deck built by deckwright fills its slides lazily (templates/remark.html);
    with ``filled`` (the default) every slide is filled before this returns, and
    the pictures that brought are loaded, as when remark made every slide at
    once: the DOM of each slide is then final.  ``filled=False`` leaves the page
    as a visitor finds it, with only the slides around the first one filled.
    """
    errors: list[str] = []
    failed: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def on_page_error(error) -> None:
        errors.append(f"pageerror: {error}")

    def on_request_failed(request) -> None:
        if _is_loaded_from_here(request.url):
            failed.append(f"{request.url} ({request.failure})")

    def on_response(response) -> None:
        if response.status >= 400 and _is_loaded_from_here(response.url):
            failed.append(f"{response.url} (HTTP {response.status})")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)

    page.goto(url)
    page.wait_for_function(
        "() => window.slideshow !== undefined || window.deckwrightError !== undefined",
        timeout=timeout_ms,
    )
    started = page.evaluate(
        """() => ({
            count: window.slideshow ? window.slideshow.getSlideCount() : 0,
            error: window.deckwrightError || null,
        })"""
    )
    if started["error"]:
        errors.append(f"deckwrightError: {started['error']}")
    elif filled:
        fill_all_slides(page, timeout_ms)
    return {"count": started["count"], "errors": errors, "failed": failed}


# Added before a page's scripts: a lazy deck then fills only the slides it shows.
NO_IDLE_FILLING = "window.requestIdleCallback = function () { return 0; };"


def without_idle_filling(target) -> None:
    """Keep lazy decks opened later in this page or context (clone windows) from filling
    slides at idle time, so a test sees which slides showing them filled."""
    target.add_init_script(NO_IDLE_FILLING)


def fill_all_slides(page, timeout_ms: int = 15000) -> int:
    """Fill every slide a lazy deck has not filled yet; wait for their pictures.

    Returns how many slides were filled (0 for a deck made eagerly).
    """
    filled = page.evaluate("() => window.deckwrightLazy ? window.deckwrightLazy.fillAll() : 0")
    page.wait_for_function(
        "() => Array.from(document.images).every((img) => img.complete)", timeout=timeout_ms
    )
    return filled


def goto_slide(page, number: int) -> int:
    """Show slide ``number`` (1-based, as remark's gotoSlide); return the 0-based index."""
    return page.evaluate(
        """(n) => {
            window.slideshow.gotoSlide(n);
            return window.slideshow.getCurrentSlideIndex();
        }""",
        number,
    )


def current_slide(page) -> int:
    """The 0-based index of the slide on screen (remark's getCurrentSlideIndex)."""
    return page.evaluate("() => window.slideshow.getCurrentSlideIndex()")


def slide_name(page, index: int) -> str | None:
    """The ``name:`` property of the slide at 0-based ``index``, or None."""
    return page.evaluate(
        """(i) => {
            const slide = window.slideshow.getSlides()[i];
            return (slide && slide.properties.name) || null;
        }""",
        index,
    )


def visible_slide(page):
    """Locator for the content element of the slide on screen."""
    return page.locator(".remark-slide-container.remark-visible .remark-slide-content")


def follow_link(page, href: str, timeout_ms: int = 5000) -> tuple[int, str | None]:
    """Click the first visible ``<a href=href>`` on the current slide.

    ``href`` is an in-deck link such as ``"#toc-part-1"``.  Waits for the
    browser's hashchange and remark's reaction to it; returns
    ``(new 0-based slide index, that slide's name or None)``.
    """
    link = visible_slide(page).locator(f"a[href={json.dumps(href, ensure_ascii=False)}]:visible").first
    page.evaluate(
        """(ms) => {
            window.__deckwrightHashChanged = new Promise((resolve) => {
                const done = () => setTimeout(resolve, 0);
                window.addEventListener('hashchange', done, {once: true});
                setTimeout(resolve, ms);
            });
        }""",
        timeout_ms,
    )
    link.click(timeout=timeout_ms)
    page.evaluate("() => window.__deckwrightHashChanged")
    index = current_slide(page)
    return index, slide_name(page, index)
