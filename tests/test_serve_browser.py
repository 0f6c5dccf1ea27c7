"""`deckwright serve` in headless Chromium: the tab follows the edit, shows errors, keeps its modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckwright import serve
from deckwright.reader import Project

try:  # tests/ may or may not be a package, depending on how pytest imports it
    from tests import browser as dwb
except ImportError:  # pragma: no cover
    import browser as dwb

pytestmark = pytest.mark.browser

MANIFEST = """\
title: Live test
content:
- |
  class: title

  Live test deck
- # Part one
  - chapters/intro.md
- # Part two
  - chapters/details.md
"""

INTRO = """\
# Introduction

Intro slide one

---

## Intro two

- a point
"""


def details(n: int = 8) -> str:
    slides = [f"## Detail {i}\n\nText of detail {i}\n" for i in range(1, n + 1)]
    slides[2] += "\n--\n\n- a later step of detail 3\n"
    slides[3] += "\n???\n\nNotes of detail 4\n"
    return "# Details\n\nThe details chapter\n\n---\n\n" + "\n---\n\n".join(slides)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="{}"/></svg>'
PROJECT = {
    "deck.yml": MANIFEST,
    "chapters/intro.md": INTRO + "\n---\n\n## A picture\n\n![a box](images/box.svg)\n",
    "chapters/details.md": details(),
    "images/box.svg": SVG.format("red"),
}
PAGE = "deck.yml.html"


@pytest.fixture
def live(make_project, tmp_path: Path):
    root = make_project(PROJECT)
    quiet = lambda _: None
    server, site, results = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    site.err = quiet
    assert all(r.ok for r in results)
    yield root, server
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    with dwb.open_browser() as b:
        yield b


@pytest.fixture
def browser(chromium):
    """The module's Chromium; each test's pages are closed after it (their event streams too)."""
    yield chromium
    for context in chromium.contexts:
        context.close()


def open_deck(browser, server, slide: int = 1):
    page = dwb.new_page(browser)
    deck = dwb.load_deck(page, f"{server.url}{PAGE}#{slide}")
    assert deck["count"] > 0 and not deck["failed"]
    page.wait_for_function("() => window.deckwrightServe !== undefined")
    # Connected: the server has replayed the page's state.
    page.wait_for_function("() => window.deckwrightServe.source.readyState === 1")
    return page, deck


def visible_text(page) -> str:
    return dwb.visible_slide(page).inner_text()


def wait_for_visible(page, text: str, timeout: int = 20000) -> None:
    page.wait_for_function(
        """(text) => {
            const el = document.querySelector('.remark-visible .remark-slide-content');
            return el !== null && el.innerText.includes(text);
        }""",
        arg=text,
        timeout=timeout,
    )


def slide_index_with(page, text: str) -> int:
    return page.evaluate(
        """(text) => window.slideshow.getSlides().findIndex(
               (s) => s.content.join('').includes(text))""",
        text,
    )


def test_the_tab_follows_the_edit_then_shows_and_clears_a_manifest_error(browser, live):
    root, server = live
    page, deck = open_deck(browser, server)
    count = deck["count"]
    assert dwb.current_slide(page) == 0
    page.evaluate("() => { window.notReloaded = true; }")

    # Edit a slide near the end of a chapter: the tab shows it, swapped in place.
    chapter = root / "chapters/details.md"
    chapter.write_text(details().replace("Text of detail 7", "Detail seven, edited"))
    wait_for_visible(page, "Detail seven, edited")
    assert page.evaluate("() => window.notReloaded") is True
    index = dwb.current_slide(page)
    assert index == slide_index_with(page, "Detail seven, edited") > 0
    assert page.evaluate("() => location.hash") == f"#{index + 1}"
    assert page.evaluate("() => window.slideshow.getSlideCount()") == count

    # Add a `--` step to an earlier slide: the count changes; slide numbers follow.
    chapter.write_text(details().replace("Text of detail 2\n", "Text of detail 2\n\n--\n\n- added step\n"))
    wait_for_visible(page, "added step")
    assert page.evaluate("() => window.slideshow.getSlideCount()") == count + 1
    assert page.locator(".remark-slide-container.remark-visible").count() == 1
    number = page.locator(".remark-visible .remark-slide-number").inner_text()
    assert number.endswith(f"{dwb.current_slide(page) + 1}/{count + 1}")
    last = page.evaluate("() => window.slideshow.getSlideCount()")
    dwb.goto_slide(page, last)
    assert "Detail 8" in visible_text(page)

    # Break the manifest: the error, with its line, over the last good deck.
    manifest = root / "deck.yml"
    manifest.write_text(MANIFEST.replace("- chapters/intro.md", "- [chapters/intro.md"))
    error = page.locator("#deckwright-serve-error")
    error.wait_for(state="visible", timeout=20000)
    assert "deck.yml:" in error.inner_text() and "invalid YAML" in error.inner_text()
    assert "Detail 8" in visible_text(page)

    # Fix it: the error goes, the deck is back.
    manifest.write_text(MANIFEST)
    error.wait_for(state="detached", timeout=20000)
    assert "Detail 8" in visible_text(page)
    assert page.evaluate("() => window.notReloaded") is True
    assert not deck["errors"]


def test_presenter_mode_and_notes_keep_working_after_a_swap(browser, live):
    root, server = live
    page, deck = open_deck(browser, server)
    index = slide_index_with(page, "Text of detail 4")
    dwb.goto_slide(page, index + 1)
    page.keyboard.press("p")
    assert page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    notes = page.locator(".remark-notes-current-area .remark-notes")
    assert "Notes of detail 4" in notes.inner_text()

    (root / "chapters/details.md").write_text(details().replace("Notes of detail 4", "Notes, edited"))
    page.wait_for_function(
        "() => document.querySelector('.remark-notes-current-area .remark-notes')"
        ".innerText.includes('Notes, edited')",
        timeout=20000,
    )
    assert dwb.current_slide(page) == index
    page.keyboard.press("p")
    assert not page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("p")
    assert page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    assert not deck["errors"]


def test_a_deck_that_cannot_be_swapped_reloads_at_the_edit_in_presenter_mode(browser, live):
    # A `layout: true` slide shapes the ones after it: such decks reload whole.
    root, server = live
    intro = root / "chapters/intro.md"
    intro.write_text("layout: true\n\n.footnote[layout]\n\n---\n\n" + INTRO)
    page, _ = open_deck(browser, server)
    page.keyboard.press("p")
    page.evaluate("() => { window.notReloaded = true; }")
    (root / "chapters/details.md").write_text(details().replace("Text of detail 5", "Five, edited"))
    wait_for_visible(page, "Five, edited")
    assert page.evaluate("() => window.notReloaded") is None
    assert dwb.current_slide(page) == slide_index_with(page, "Five, edited")
    assert page.evaluate("() => location.hash").startswith("#p")
    assert page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("p")
    assert not page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")


def test_a_clone_window_follows_too(browser, live):
    root, server = live
    page, _ = open_deck(browser, server)
    with page.context.expect_page() as opened:
        page.keyboard.press("c")
    clone = opened.value
    clone.wait_for_function("() => window.deckwrightServe && "
                            "window.deckwrightServe.source.readyState === 1", timeout=20000)
    (root / "chapters/details.md").write_text(details().replace("Text of detail 6", "Six, edited"))
    wait_for_visible(page, "Six, edited")
    wait_for_visible(clone, "Six, edited")
    assert dwb.current_slide(clone) == dwb.current_slide(page)


def test_a_saved_picture_is_fetched_again(browser, live):
    root, server = live
    page, _ = open_deck(browser, server)
    index = slide_index_with(page, "A picture")
    dwb.goto_slide(page, index + 1)
    picture = page.locator(".remark-visible img")
    assert picture.get_attribute("src") == "images/box.svg"
    (root / "images/box.svg").write_text(SVG.format("blue"))
    page.wait_for_function(
        "() => document.querySelector('.remark-visible img').getAttribute('src')"
        ".startsWith('images/box.svg?serve=')",
        timeout=20000,
    )
    page.wait_for_function("() => document.querySelector('.remark-visible img').complete")
    pixel = picture.evaluate("""(img) => {
        const canvas = document.createElement('canvas');
        canvas.width = 40;
        canvas.height = 20;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return Array.from(context.getImageData(5, 5, 1, 1).data);
    }""")
    assert pixel == [0, 0, 255, 255]  # the new, blue picture


def test_a_deck_whose_slides_are_not_filled_yet_takes_swaps_and_new_pictures(browser, live):
    # The deck fills slides as they are shown (no idle filling here): a swap shows the
    # edit, numbered; a picture saved again is asked anew on slides not filled yet too.
    root, server = live
    page = dwb.new_page(browser)
    dwb.without_idle_filling(page.context)
    deck = dwb.load_deck(page, f"{server.url}{PAGE}#1", filled=False)
    page.wait_for_function("() => window.deckwrightServe.source.readyState === 1")
    count = deck["count"]
    picture = slide_index_with(page, "A picture")
    pictures = "(src) => document.querySelectorAll(`.remark-slides-area img[src^='${src}']`).length"
    assert page.evaluate("() => window.deckwrightLazy.unfilled()") > 0
    assert page.evaluate(pictures, "images/box.svg") == 0

    chapter = root / "chapters/details.md"
    chapter.write_text(details().replace("Text of detail 7", "Detail seven, edited"))
    wait_for_visible(page, "Detail seven, edited")
    index = dwb.current_slide(page)
    number = page.locator(".remark-visible .remark-slide-number").inner_text()
    assert index > picture + 2 and number.endswith(f"{index + 1}/{count}")
    page.keyboard.press("ArrowRight")
    assert "Detail 8" in visible_text(page)

    (root / "images/box.svg").write_text(SVG.format("blue"))
    page.wait_for_function(f"() => ({pictures})('images/box.svg?serve=') === 1", timeout=20000)
    dwb.goto_slide(page, picture + 1)
    assert "box.svg?serve=" in page.locator(".remark-visible img").get_attribute("src")
    assert not deck["errors"]


def test_a_slide_added_before_the_one_on_screen_leaves_one_slide_shown(browser, live):
    root, server = live
    page, deck = open_deck(browser, server)
    count = deck["count"]
    dwb.goto_slide(page, count)  # the last slide, in another file than the edit
    assert "Detail 8" in visible_text(page)
    intro = root / "chapters/intro.md"
    intro.write_text(PROJECT["chapters/intro.md"].replace("- a point\n", "- a point\n\n--\n\n- one more\n"))
    wait_for_visible(page, "one more")
    assert page.evaluate("() => window.slideshow.getSlideCount()") == count + 1
    assert page.locator(".remark-slide-container.remark-visible").count() == 1
    dwb.goto_slide(page, count + 1)
    assert "Detail 8" in visible_text(page)
    assert page.locator(".remark-slide-container.remark-visible").count() == 1


def test_removing_the_slides_at_the_end_while_the_last_one_is_shown_keeps_the_tab_working(browser, live):
    # remark hides the slide it had on screen before showing another: that slide is gone.
    root, server = live
    page, deck = open_deck(browser, server)
    count = deck["count"]
    dwb.goto_slide(page, count)
    assert "Detail 8" in visible_text(page)
    page.evaluate("() => { window.notReloaded = true; }")
    (root / "chapters/details.md").write_text(details(6))
    page.wait_for_function(f"() => window.slideshow.getSlideCount() === {count - 2}", timeout=20000)
    wait_for_visible(page, "Detail 6")
    assert page.evaluate("() => window.notReloaded") is True
    assert not deck["errors"]
    assert page.locator(".remark-slide-container.remark-visible").count() == 1
    assert dwb.current_slide(page) == count - 3
    number = page.locator(".remark-visible .remark-slide-number").inner_text()
    assert number.endswith(f"{count - 2}/{count - 2}")
    page.keyboard.press("ArrowLeft")
    assert "Detail 5" in visible_text(page)
    page.keyboard.press("ArrowRight")
    assert "Detail 6" in visible_text(page)
    assert dwb.current_slide(page) == count - 3
    assert not deck["errors"]


def test_a_chapter_taken_out_of_the_manifest_while_its_last_slide_is_shown(browser, live):
    root, server = live
    page, deck = open_deck(browser, server)
    dwb.goto_slide(page, deck["count"])
    (root / "deck.yml").write_text(MANIFEST.replace("- # Part two\n  - chapters/details.md\n", ""))
    page.wait_for_function(f"() => window.slideshow.getSlideCount() < {deck['count']}", timeout=20000)
    count = page.evaluate("() => window.slideshow.getSlideCount()")
    page.wait_for_function(f"() => window.slideshow.getCurrentSlideIndex() < {count}")
    assert not deck["errors"]
    assert page.locator(".remark-slide-container.remark-visible").count() == 1
    index = dwb.current_slide(page)
    number = page.locator(".remark-visible .remark-slide-number").inner_text()
    assert number.endswith(f"{index + 1}/{count}")
    page.keyboard.press("ArrowLeft")
    assert dwb.current_slide(page) == index - 1
    page.keyboard.press("ArrowRight")
    assert dwb.current_slide(page) == index
    assert not deck["errors"]


def test_a_tab_left_open_while_serve_restarts_reloads_with_what_changed_meanwhile(
        browser, make_project, tmp_path: Path):
    # Both runs start counting versions at 1: the tab must not take the new run's
    # version 1 for the one it shows.
    root = make_project(PROJECT)
    quiet = lambda _: None
    first, _, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    port = first.httpd.server_address[1]
    try:
        page, deck = open_deck(browser, first, slide=3)
        page.evaluate("() => { window.notReloaded = true; }")
    finally:
        first.stop()
    (root / "chapters/intro.md").write_text(PROJECT["chapters/intro.md"].replace("- a point", "- edited while stopped"))
    second, _, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", port, log=quiet)
    try:
        page.wait_for_function("() => window.notReloaded === undefined && window.slideshow"
                               " && window.deckwrightServe", timeout=20000)
        dwb.fill_all_slides(page)
        assert slide_index_with(page, "edited while stopped") >= 0
        assert dwb.current_slide(page) == 2
        assert not deck["errors"]
    finally:
        second.stop()


def test_an_unclosed_exercise_box_is_shown_in_the_tab_until_fixed(browser, live):
    # What the user guide's exercise asks: delete an exercise box's ']', read the message.
    root, server = live
    page, deck = open_deck(browser, server)
    chapter = root / "chapters/details.md"
    chapter.write_text(details().replace("Text of detail 5", ".lab[\n\n- Text of detail 5"))
    error = page.locator("#deckwright-serve-error")
    error.wait_for(state="visible", timeout=20000)
    assert "chapters/details.md:" in error.inner_text()
    assert error.inner_text().count("'.lab[' is not closed") == 1  # the build's error, said once
    assert page.locator("#deckwright-serve-warnings").count() == 0
    chapter.write_text(details().replace("Text of detail 5", ".lab[\n\n- Text of detail 5\n\n]"))
    error.wait_for(state="detached", timeout=20000)
    assert not deck["errors"]


def test_a_new_slide_number_prefix_and_title_reload_the_tab_at_its_slide(browser, live):
    root, server = live
    page, deck = open_deck(browser, server, slide=4)
    page.evaluate("() => { window.notReloaded = true; }")
    # Lines added below the slides written in the manifest: their footers stay the same.
    manifest = MANIFEST.replace("title: Live test", "title: Live, renamed") + "slidenumberprefix: 'Prefixed '\n"
    (root / "deck.yml").write_text(manifest)
    page.wait_for_function("() => window.notReloaded === undefined && window.slideshow"
                           " && document.title === 'Live, renamed'", timeout=20000)
    assert dwb.current_slide(page) == 3
    number = page.locator(".remark-visible .remark-slide-number").inner_text()
    assert number.startswith("Prefixed ") and number.endswith(f"4/{deck['count']}")
    assert not deck["errors"]


def test_a_deck_that_never_built_says_so_in_the_tab(browser, make_project, tmp_path: Path):
    root = make_project({**PROJECT, "deck.yml": MANIFEST.replace("- chapters/intro.md", "- [oops")})
    quiet = lambda _: None
    server, site, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    site.err = quiet
    try:
        page = dwb.new_page(browser)
        page.goto(f"{server.url}{PAGE}")
        error = page.locator("#deckwright-serve-error")
        error.wait_for(state="visible", timeout=20000)
        assert error.inner_text().startswith("This deck did not build yet.")
        assert "last good build" not in error.inner_text()
    finally:
        server.stop()


def test_a_deck_whose_manifest_is_renamed_says_it_is_no_longer_served(browser, live):
    root, server = live
    page, deck = open_deck(browser, server, slide=3)
    (root / "deck.yml").rename(root / "renamed.yml")
    error = page.locator("#deckwright-serve-error")
    error.wait_for(state="visible", timeout=20000)
    text = error.inner_text()
    assert text.startswith("This deck is no longer served; showing its last build.")
    assert "deck.yml: the manifest was renamed or deleted" in text
    assert dwb.current_slide(page) == 2  # what it showed stays
    assert not deck["errors"]
    page.reload()  # the page is gone (404): the tab still says why
    error.wait_for(state="visible", timeout=20000)
    assert error.inner_text().startswith("This deck is no longer served.")
