"""Lazy slides (templates/remark.html) in headless Chromium.

A deck page makes its slide views empty and fills each one just before it is
shown, the others at idle time and all of them before printing.  Once filled,
every slide must be what remark makes when it builds them all at once (the same
page with `lazy=False`), and every way to a slide must show it filled: a `#N` or
`#name` address, a link, the keyboard, presenter mode, a clone window, printing.
Idle filling is turned off (browser.without_idle_filling) wherever a test needs
to see slides that were not shown yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deckwright.builder import Workshop, build, compile_deck
from deckwright.reader import Project
from deckwright.render import deck_html

from .browser import (
    block_external,
    current_slide,
    fill_all_slides,
    follow_link,
    load_deck,
    new_page,
    open_browser,
    visible_slide,
    without_idle_filling,
)
from .conftest import write_files

pytestmark = pytest.mark.browser

MANIFEST = "deck.yml"

DECK = """\
title: Lazy slides
slidenumberprefix: "Lazy &mdash; "
content:
- |
  class: title

  Lazy slides

  .nav[[Code](#code) | [Steps](#steps) | [Far](#far)]
- chapters/one.md
- chapters/two.md
- chapters/many.md
"""

ONE = """\
layout: true

.footnote[Under every slide of this chapter: {{part}}]

---

name: first
part: the first part
count: false
background-image: url(images/big.svg)

# First slide

A [reference link][docs] and [another one][docs].

[docs]: https://example.com/docs "The docs"

???

Notes of the first slide, with `inline code`.

---

name: steps
class: center, middle

# Steps

- one

--

- two

???

Notes of the steps

---

template: steps
name: templated

- three, from the template

---

name: code
count: false

.lab[

- Run this:
  ```bash
  docker run `--rm` alpine echo hi
  ```

]

```python
def f(x):
*   return x  # a highlighted line
```

```
*plain, highlighted
and `spanned` text
```

.warning[careful], .small[.class[nested] spans]
"""

TWO = """\
layout: false
name: second-part
what: a property

# Second part

Property: {{what}}, escaped: \\{{what}}

???

Notes of the second part

---

name: table

| key | value |
|-----|-------|
| a   | `1`   |

![a box](images/box.svg)
"""


def many(n: int = 12) -> str:
    slides = [
        f"## Slide {i}\n\nText {i}\n\n```bash\necho {i}\n```\n\n???\n\nNotes {i}\n"
        for i in range(1, n + 1)
    ]
    slides[-1] = "name: far\n\n" + slides[-1]
    return "\n---\n\n".join(slides)


def svg(width: int, height: int, colour: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="{width}" height="{height}" fill="{colour}"/></svg>'
    )


PROJECT = {
    MANIFEST: DECK,
    "chapters/one.md": ONE,
    "chapters/two.md": TWO,
    "chapters/many.md": many(),
    "images/big.svg": svg(2420, 1362, "#cde"),  # bigger than a slide
    "images/box.svg": svg(40, 20, "red"),
}

# Each slide as the page has it: the whole container (number, classes, scaling, notes).
CONTAINERS = """() => Array.from(
    document.querySelectorAll('.remark-slides-area > .remark-slide-container'),
    (box) => box.outerHTML)"""

# Each slide's content and notes, as innerHTML.
CONTENTS = """() => Array.from(
    document.querySelectorAll('.remark-slides-area > .remark-slide-container'),
    (box) => ({
        content: box.querySelector('.remark-slide-content').innerHTML,
        notes: box.querySelector('.remark-slide-notes').innerHTML,
    }))"""


def lazy_and_eager(root: Path, manifest: str, out: Path) -> tuple[Path, Path]:
    """Build `manifest` into `out`; write beside it the same page made eagerly."""
    project = Project.at(root)
    results = build(project, [manifest], out, env={})
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    workshop = Workshop.open(project, {})
    loaded, _ = workshop.load(manifest)
    deck, _ = compile_deck(workshop, loaded)
    eager = out / f"eager-{loaded.html}"
    eager.write_text(deck_html(deck, lazy=False), encoding="utf-8")
    return out / loaded.html, eager


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("lazy")
    root = write_files(tmp / "slides", PROJECT)
    return lazy_and_eager(root, MANIFEST, tmp / "out")


@pytest.fixture(scope="module")
def browser():
    with open_browser() as b:
        yield b


@pytest.fixture
def page(browser):
    """A page whose lazy decks fill slides only when they are shown (no idle filling)."""
    tab = new_page(browser)
    without_idle_filling(tab.context)
    yield tab
    tab.context.close()


def open_deck(page, path: Path, hash: str = "", filled: bool = False) -> dict:
    deck = load_deck(page, path.as_uri() + hash, filled=filled)
    assert deck["count"] > 0 and not deck["errors"] and not deck["failed"], deck
    return deck


@pytest.fixture(scope="module")
def eager(browser, pages) -> list[dict]:
    """Each slide's content and notes on the page made eagerly."""
    tab = new_page(browser)
    try:
        open_deck(tab, pages[1])
        assert tab.evaluate("() => window.deckwrightLazy") is None
        return tab.evaluate(CONTENTS)
    finally:
        tab.context.close()


def unfilled(page) -> int:
    return page.evaluate("() => window.deckwrightLazy.unfilled()")


def filled(page, eager: list[dict], index: int) -> bool:
    """Whether slide `index` (0-based) has its content and notes, as made eagerly."""
    return page.evaluate(CONTENTS)[index] == eager[index]


def shown(page, eager: list[dict]) -> int:
    """The slide on screen, checked to be filled; returns its index."""
    index = current_slide(page)
    assert visible_slide(page).inner_html() == eager[index]["content"]
    return index


def slide_named(page, name: str) -> int:
    return page.evaluate(
        "(name) => window.slideshow.getSlides().findIndex((s) => s.properties.name === name)", name
    )


# ---------- once filled, the DOM is remark's ----------


def test_a_filled_lazy_page_has_the_dom_of_the_eager_page(browser, pages):
    lazy, eager = pages
    seen = {}
    for path in (lazy, eager):
        tab = new_page(browser)
        try:
            open_deck(tab, path, filled=True)
            seen[path] = tab.evaluate(CONTAINERS)
            seen[path, "lazy"] = tab.evaluate("() => window.deckwrightLazy !== undefined")
        finally:
            tab.context.close()
    assert seen[lazy, "lazy"] and not seen[eager, "lazy"]
    assert len(seen[lazy]) == len(seen[eager]) == 20
    for index, (mine, theirs) in enumerate(zip(seen[lazy], seen[eager])):
        assert mine == theirs, f"slide {index + 1} differs"


def test_only_the_slides_around_the_one_shown_are_filled_at_first(page, pages, eager):
    open_deck(page, pages[0])
    shown_first = [i for i in range(len(eager)) if filled(page, eager, i)]
    assert shown_first == [0, 1, 2]
    assert unfilled(page) == len(eager) - 3
    assert "1/" in page.locator(".remark-visible .remark-slide-number").inner_text()


def test_slide_numbers_are_counted_once(page, pages):
    # Else remark counts them, slowly: slide numbers are checked by the DOM test above.
    open_deck(page, pages[0])
    assert page.evaluate("() => window.deckwrightLazy.countedOnce") is True


def test_idle_time_fills_every_slide(browser, pages, eager):
    tab = new_page(browser)
    try:
        open_deck(tab, pages[0])
        tab.wait_for_function("() => window.deckwrightLazy.unfilled() === 0", timeout=10000)
        assert tab.evaluate(CONTENTS) == eager
    finally:
        tab.context.close()


def test_load_deck_fills_every_slide_by_default(page, pages, eager):
    open_deck(page, pages[0], filled=True)
    assert unfilled(page) == 0
    assert page.evaluate(CONTENTS) == eager


# ---------- every way to a slide shows it filled ----------


def test_a_slide_number_in_the_address(page, pages, eager):
    open_deck(page, pages[0], "#15")
    assert shown(page, eager) == 14
    assert all(filled(page, eager, i) for i in range(12, 17))
    assert not filled(page, eager, 11) and not filled(page, eager, 17)


def test_a_slide_name_in_the_address(page, pages, eager):
    open_deck(page, pages[0], "#far")
    assert shown(page, eager) == slide_named(page, "far") == len(eager) - 1


def test_a_link_to_a_slide_name(page, pages, eager):
    open_deck(page, pages[0])
    index, name = follow_link(page, "#far")
    assert name == "far" and shown(page, eager) == index
    page.evaluate("() => window.slideshow.gotoSlide(1)")  # back to the links
    index, name = follow_link(page, "#code")
    assert name == "code" and shown(page, eager) == index


def test_the_keyboard(page, pages, eager):
    open_deck(page, pages[0], "#10")
    for key, step in [
        ("ArrowRight", 1),
        ("ArrowRight", 1),
        ("ArrowRight", 1),
        ("ArrowLeft", -1),
        ("End", None),
        ("ArrowLeft", -1),
        ("Home", None),
    ]:
        before = current_slide(page)
        page.keyboard.press(key)
        index = shown(page, eager)
        if step is not None:
            assert index == before + step
        assert filled(page, eager, min(index + 1, len(eager) - 1))
    assert current_slide(page) == 0
    page.keyboard.type("17")
    page.keyboard.press("Enter")
    assert shown(page, eager) == 16


def test_presenter_mode_shows_the_notes_and_the_next_slide(page, pages, eager):
    open_deck(page, pages[0], "#p12")
    assert page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    notes = page.locator(".remark-notes-current-area .remark-notes")
    preview = page.locator(".remark-preview-area .remark-slide-content")
    for _ in range(3):
        index = shown(page, eager)
        assert notes.inner_html() == eager[index]["notes"] and eager[index]["notes"]
        assert preview.inner_html() == eager[index + 1]["content"]
        page.keyboard.press("ArrowRight")
    page.keyboard.press("p")
    assert not page.evaluate("() => document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("p")
    assert preview.inner_html() == eager[current_slide(page) + 1]["content"]


def test_a_clone_window_follows_with_filled_slides(page, pages, eager):
    open_deck(page, pages[0])
    with page.context.expect_page() as opened:
        page.keyboard.press("c")
    clone = opened.value
    clone.wait_for_function("() => window.slideshow !== undefined")
    assert clone.evaluate("() => window.deckwrightLazy.unfilled()") > 0
    page.evaluate("() => window.slideshow.gotoSlide(18)")
    clone.wait_for_function("() => window.slideshow.getCurrentSlideIndex() === 17")
    assert shown(clone, eager) == 17
    page.keyboard.press("ArrowLeft")
    clone.wait_for_function("() => window.slideshow.getCurrentSlideIndex() === 16")
    assert shown(clone, eager) == 16


def test_printing_fills_every_slide_first(page, pages, eager):
    open_deck(page, pages[0])
    assert unfilled(page) > 0
    page.emulate_media(media="print")  # the page hears of it at its next frame
    page.wait_for_function("() => window.deckwrightLazy.unfilled() === 0", timeout=5000)
    assert page.evaluate(CONTENTS) == eager


def test_beforeprint_fills_every_slide(page, pages, eager):
    open_deck(page, pages[0])
    assert unfilled(page) > 0
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert unfilled(page) == 0
    assert page.evaluate(CONTENTS) == eager


def test_fill_all_fills_once(page, pages, eager):
    open_deck(page, pages[0])
    assert fill_all_slides(page) == len(eager) - 3
    assert fill_all_slides(page) == 0
    assert page.evaluate(CONTENTS) == eager


# ---------- fallback: remark not as expected ----------


def test_a_remark_that_does_not_look_as_expected_makes_the_deck_eagerly(page, pages, eager):
    # Our reading of remark's code finds nothing it expects: no lazy slides, no broken deck.
    page.add_init_script("Function.prototype.toString = function () { return 'function () {}'; };")
    open_deck(page, pages[0], "#12")
    assert page.evaluate("() => window.deckwrightLazy") is None
    assert page.evaluate(CONTENTS) == eager
    assert shown(page, eager) == 11


def test_the_page_without_optimisations_is_eager(browser, pages):
    lazy, _ = pages
    off = lazy.parent / "off.html"
    root = lazy.parent.parent / "slides"
    workshop = Workshop.open(Project.at(root), {})
    deck, _ = compile_deck(workshop, workshop.load(MANIFEST)[0])
    text = deck_html(deck, fast=False)
    assert "deckwrightLazy" not in text and "```deckwright-hl-" not in text
    off.write_text(text, encoding="utf-8")
    tab = new_page(browser)
    try:
        deck_info = open_deck(tab, off)
        assert deck_info["count"] == 20
        assert tab.evaluate("() => window.deckwrightLazy") is None
        assert tab.evaluate("() => document.getElementById('source') !== null")
    finally:
        tab.context.close()


# ---------- a corpus deck ----------


def test_the_biggest_corpus_deck_filled_lazily_is_the_eager_deck(corpus_root, browser, tmp_path):
    lazy, eager = lazy_and_eager(corpus_root / "slides", "kube-selfpaced.yml", tmp_path)
    seen = {}
    for path in (lazy, eager):
        tab = new_page(browser)
        try:
            block_external(tab)
            deck = load_deck(tab, path.as_uri(), timeout_ms=120_000)
            assert deck["count"] == 2653 and not deck["failed"]
            seen[path] = tab.evaluate(CONTENTS)
        finally:
            tab.context.close()
    differ = [i + 1 for i, (a, b) in enumerate(zip(seen[lazy], seen[eager])) if a != b]
    assert len(seen[lazy]) == len(seen[eager]) == 2653
    assert differ == []
