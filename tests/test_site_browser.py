"""The corpus site in Chromium: served from 127.0.0.1, unzipped on disk, and as single files.

What is counted: every request the page makes. Requests to the loopback server (or
file:// for a bundle, data: for a single file) are the site's own; any other request
is blocked and recorded. The only ones allowed are pictures that authors link to on
the web (interstitials.txt, chapters): each must be an image whose URL is written in
the deck, and each logs one "Failed to load resource" console error, which is all the
console may say.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deckwright import site
from deckwright.builder import Workshop, compile_deck
from deckwright.reader import Project

from .browser import is_local_url, load_deck, new_page, open_browser, visible_slide
from .conftest import CORPUS_COUNTS

pytestmark = pytest.mark.browser

BLOCKED = "console: Failed to load resource: net::ERR_FAILED"
CHAPTER = "k8s/rollout.md"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def corpus(corpus_root, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("corpus") / "container.training"
    shutil.copytree(corpus_root, copy)
    return copy / "slides"


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = site.build_site(Project.at(corpus), None, out, env={})
    assert all(r.ok for r in result.decks)
    return result, out


@pytest.fixture(scope="module")
def server(built):
    _, out = built
    handler = functools.partial(Quiet, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with open_browser() as b:
        yield b


def record_requests(page) -> tuple[list[tuple[str, str]], list[str]]:
    """Block every request that leaves the machine; return (blocked, local) as live lists.

    `blocked` holds (url, resource type); `local` every URL the page loaded itself.
    """
    blocked: list[tuple[str, str]] = []
    local: list[str] = []

    def on_route(route) -> None:
        request = route.request
        if is_local_url(request.url):
            local.append(request.url)
            route.continue_()
        else:
            blocked.append((request.url, request.resource_type))
            route.abort()

    page.route("**/*", on_route)
    return blocked, local


def check_deck(page, url: str, html: str, slides: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Open a deck; it must start with `slides` slides, show text, load its pictures."""
    blocked, local = record_requests(page)
    loaded = load_deck(page, url, timeout_ms=120_000)
    assert loaded["count"] == slides, url
    assert loaded["failed"] == [], url
    assert [e for e in loaded["errors"] if e != BLOCKED] == [], url
    assert loaded["errors"].count(BLOCKED) <= len(blocked)
    assert visible_slide(page).inner_text().strip(), f"{url}: the first slide shows nothing"
    for target, kind in blocked:
        assert kind == "image", f"{url} asked the network for a {kind}: {target}"
        assert target.replace("&", "&amp;") in html, f"{url}: {target} is not a picture in the deck"
    broken = page.evaluate(
        """() => Array.from(document.images)
            .filter((img) => !/^https?:\\/\\/(?!127\\.0\\.0\\.1)/.test(img.src))
            .filter((img) => !(img.complete && img.naturalWidth > 0))
            .map((img) => img.src.slice(0, 80))"""
    )
    assert broken == [], f"{url}: local pictures did not load"
    return blocked, local


def test_index_page_links_to_every_deck_and_each_renders(built, server, browser):
    result, out = built
    page = new_page(browser, 1200, 900)
    blocked, _ = record_requests(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "index.html")
    assert page.title() == "container.training"
    assert page.locator("li.workshop").count() == result.workshops == 119  # each listed once
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map((a) => a.getAttribute('href'))")
    assert blocked == [] and errors == []
    page.context.close()

    decks = sorted({h for h in hrefs if h.endswith(".yml.html") and not urlsplit(h).scheme})
    assert decks == sorted(f"{m}.html" for m in CORPUS_COUNTS)
    for href in decks:
        deck_page = new_page(browser)
        try:
            html = (out / href).read_text(encoding="utf-8")
            check_deck(deck_page, server + href, html, CORPUS_COUNTS[href.removesuffix(".html")])
        finally:
            deck_page.context.close()


def _chapter_slides(corpus: Path, path: str) -> tuple[int, str, str]:
    """(slides remark shows, owner deck's page, chapter title) for a chapter page."""
    project = Project.at(corpus)
    workshop = Workshop.open(project, {})
    for name in project.manifests():
        manifest, _ = workshop.load(name)
        deck, _ = compile_deck(workshop, manifest)
        slides = site.slides_by_chapter(workshop, manifest, deck).get(path)
        if slides:
            title = next(s.title for s in slides if s.title)
            return sum(len(s.steps) for s in slides), manifest.html, title
    raise AssertionError(f"no deck shows {path}")


def test_chapter_page_shows_that_chapter_and_links_back_to_its_deck(built, server, browser, corpus):
    _, out = built
    rel = site.chapter_page(CHAPTER)
    assert rel == "chapters/k8s/rollout.md.html"
    count, owner, title = _chapter_slides(corpus, CHAPTER)
    page = new_page(browser)
    try:
        check_deck(page, server + rel, (out / rel).read_text(encoding="utf-8"), count)
        assert page.title().startswith(f"{title} \u2014 ")
        names = page.evaluate("() => slideshow.getSlides().map((s) => s.properties.name || '')")
        title_slide = names.index("toc-rolling-updates")
        page.evaluate("(n) => slideshow.gotoSlide(n)", title_slide + 1)
        assert title in visible_slide(page).inner_text()
        # "Back to table of contents" leaves the chapter for its deck, at that slide.
        link = visible_slide(page).locator("a", has_text="Back to table of contents")
        href = link.get_attribute("href")
        assert re.fullmatch(rf"\.\./\.\./{re.escape(owner)}#toc-part-\d+", href)
        link.click()
        page.wait_for_url(f"**/{owner}#toc-part-*")
        page.wait_for_function("() => window.slideshow !== undefined")
        here = page.evaluate("() => slideshow.getSlides()[slideshow.getCurrentSlideIndex()].properties.name")
        assert here == href.split("#")[1]
    finally:
        page.context.close()


def test_unzipped_bundle_works_from_file_urls(built, browser, tmp_path):
    result, out = built
    assert list(result.zips) == ["slides.zip"]
    with zipfile.ZipFile(out / "slides.zip") as z:
        z.extractall(tmp_path)
    folder = tmp_path / "slides"
    for manifest, count in sorted(CORPUS_COUNTS.items()):
        page = new_page(browser)
        try:
            deck = folder / f"{manifest}.html"
            _, local = check_deck(page, deck.as_uri(), deck.read_text(encoding="utf-8"), count)
            outside = [u for u in local if not u.startswith(folder.as_uri() + "/") and not u.startswith("data:")]
            assert outside == [], f"{manifest} loaded files from outside the bundle"
        finally:
            page.context.close()


def test_single_file_deck_needs_nothing_but_itself(corpus, browser, tmp_path):
    result = site.build_site(Project.at(corpus), ["mlops.yml"], tmp_path / "site", env={}, single_file=True)
    assert result.singles == ["single/mlops.yml.html"]
    alone = tmp_path / "alone" / "mlops.yml.html"  # no assets/ or images/ beside it
    alone.parent.mkdir()
    shutil.copy(tmp_path / "site" / result.singles[0], alone)
    page = new_page(browser)
    try:
        _, local = check_deck(page, alone.as_uri(), alone.read_text(encoding="utf-8"), CORPUS_COUNTS["mlops.yml"])
        assert [u for u in local if not u.startswith("data:")] == [alone.as_uri()]
        shown = page.evaluate("() => Array.from(document.images).filter((i) => i.src.startsWith('data:')).length")
        assert shown > 0  # its local pictures, inside the page
    finally:
        page.context.close()
