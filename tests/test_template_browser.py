"""Render templates/remark.html by hand and check it in a real browser.

This exercises the page shell, the vendored remark and deckwright.css without
the compiler: a tiny deck with the awkward cases (a "</textarea>" in the
text, quotes in the title, an incremental step, an extra-details slide, a
lab box, a mermaid block) must open from file:// with no error and no
request leaving the machine.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from deckwright.render import environment

try:  # tests/ may or may not be a package, depending on how pytest imports it
    from tests import browser as dwb
    from tests.pages import page_markdown
except ImportError:  # pragma: no cover
    import browser as dwb
    from pages import page_markdown

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser

TITLE = """Deck <b>"quoted"</b> & 'single' </title>"""
BUILD_INFO = 'commit abc123, clean --> <"odd">'
PREFIX = "Test deck &mdash; "

MARKDOWN = """\
class: title

Template test deck

.nav[[Contents](#second) | [Last](#details)]

.source[generated: title slide]

---

name: second

# Second slide

- Literal closing tag: `</textarea>` stays text
- Quotes survive: '" and an entity in code: `&quot;`
- Highlighted span:
  ```bash
  docker run `--rm` alpine echo hi
  ```

--

- A step that appears later

```mermaid
graph TD; A-->B
```

.source[[slides/test.md](#second)]

---

name: details
class: extra-details

# Extra details

.lab[

- Run this command:
  ```bash
  echo hello world
  ```

- Then look at the output

]

Inline: .lab[`ls -l`] and a .warning[careful] word.

| key | value |
|-----|-------|
| a   | 1     |
| b   | 2     |

.footnote[A footnote at the bottom]

.source[[slides/details.md](#details)]
"""


# The page as remark alone would make it (its textarea; bench/bench_browser.py's "off"),
# with deckwright's load-time work but every slide made at once, and as built (lazy slides).
FORMS = {
    "remark": {"preempt": False, "lazy": False},
    "eager": {"preempt": True, "lazy": False},
    "lazy": {"preempt": True, "lazy": True},
}


def render(
    tmp_path: Path, markdown: str = MARKDOWN, vendor: bool = True, form: str = "lazy"
) -> Path:
    html = environment(ROOT / "templates").get_template("remark.html").render(
        title=TITLE,
        markdown=markdown,
        assets="assets/",
        slidenumberprefix=PREFIX,
        build_info=BUILD_INFO,
        lang="en",
        **FORMS[form],
    )
    ignore = None if vendor else shutil.ignore_patterns("remark.min.js")
    shutil.copytree(ROOT / "assets", tmp_path / "assets", ignore=ignore, dirs_exist_ok=True)
    out = tmp_path / "deck.html"
    out.write_text(html, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser():
    with dwb.open_browser() as b:
        yield b


# Each test of a deck runs on each form of the page.
@pytest.fixture(params=list(FORMS))
def deck(browser, tmp_path, request):
    page = dwb.new_page(browser)
    blocked = dwb.block_external(page)
    info = dwb.load_deck(page, render(tmp_path, form=request.param).as_uri())
    info.update(FORMS[request.param])
    yield page, info, blocked
    page.context.close()


def test_template_renders_without_browser(tmp_path):
    html = render(tmp_path).read_text(encoding="utf-8")
    # The Markdown is one JavaScript string: no "<" in it can end or change its element.
    assert "</textarea>" not in html and html.count("</script>") == html.count("<script") == 4
    assert page_markdown(html) == MARKDOWN
    assert "<title>Deck &lt;b&gt;" in html
    textarea = render(tmp_path, form="remark").read_text(encoding="utf-8")
    # The only literal </textarea> is the one that closes the source.
    assert textarea.count("</textarea>") == 1
    assert page_markdown(textarea) == MARKDOWN
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_deck_starts_cleanly_offline(deck, tmp_path):
    page, info, blocked = deck
    assert info["count"] == 4
    assert info["errors"] == []
    assert info["failed"] == []
    assert blocked == []
    assert page.title() == TITLE
    assert page.evaluate("() => window.deckwrightError") is None
    meta = page.locator('meta[name="deckwright-build"]').get_attribute("content")
    assert meta == BUILD_INFO
    assert page.evaluate("() => window.deckwrightLazy !== undefined") == info["lazy"]
    assert page.evaluate("() => window.deckwrightSource") is None  # read, then let go
    if info["preempt"] or info["lazy"]:  # the source is dropped once read
        assert page.evaluate("() => document.getElementById('source')") is None
    else:  # the browser hands remark exactly the Markdown we wrote
        assert page.evaluate("() => document.getElementById('source').value") == MARKDOWN
    page.screenshot(path=str(tmp_path / "slide-1-title.png"))


def test_remark_style_sheet_is_remarks_own(browser, tmp_path):
    """The built page has remark write its style sheet at once: the same sheet, in the same place."""
    sheets = {}
    for form in FORMS:
        page = dwb.new_page(browser)
        try:
            folder = tmp_path / form
            folder.mkdir()
            info = dwb.load_deck(page, render(folder, form=form).as_uri())
            assert info["count"] == 4 and info["errors"] == []
            sheets[form] = page.evaluate("""() => {
                const style = document.head.firstElementChild;
                return [style.title, style.innerHTML, style.sheet.cssRules.length,
                        HTMLStyleElement.prototype.hasOwnProperty('innerHTML'),
                        document.querySelectorAll('style').length,
                        typeof window.deckwrightWriteStyles];
            }""")
        finally:
            page.context.close()
    title, css, rules, hooked, styles, writer = sheets["remark"]
    assert title == "remark" and ".hljs-github .hljs" in css and rules > 100 and styles == 1
    assert not hooked and writer == "undefined"
    assert sheets["eager"] == sheets["lazy"] == sheets["remark"]


def test_text_survives_escaping(deck, tmp_path):
    page, info, _blocked = deck
    assert dwb.goto_slide(page, 2) == 1
    text = dwb.visible_slide(page).inner_text()
    assert "</textarea>" in text
    assert "'\"" in text
    assert "&quot;" in text  # inside code, so shown literally
    highlighted = dwb.visible_slide(page).locator(".remark-code-span-highlighted")
    assert highlighted.first.inner_text() == "--rm"
    page.screenshot(path=str(tmp_path / "slide-2.png"))

    assert dwb.goto_slide(page, 3) == 2
    code = dwb.visible_slide(page).locator("pre code").last.inner_text()
    assert "graph TD; A-->B" in code
    page.screenshot(path=str(tmp_path / "slide-3-step.png"))
    assert info["errors"] == []


def test_slide_number_has_prefix(deck):
    page, _info, _blocked = deck
    dwb.goto_slide(page, 2)
    number = dwb.visible_slide(page).locator(".remark-slide-number").inner_text()
    assert number == "Test deck \u2014 2/4"


def test_extra_details_mark_and_lab_box(deck, tmp_path):
    page, info, _blocked = deck
    assert dwb.goto_slide(page, 4) == 3
    content = dwb.visible_slide(page)
    assert "extra-details" in content.get_attribute("class")
    glass = content.evaluate("el => getComputedStyle(el, '::before').backgroundImage")
    assert "data:image/svg+xml" in glass

    lab = content.locator("div.lab")
    assert lab.count() == 1
    assert lab.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert content.locator("span.lab").count() == 1
    page.screenshot(path=str(tmp_path / "slide-4-extra.png"))

    source = content.locator(".source")
    assert source.evaluate("el => getComputedStyle(el).opacity") == "0"
    content.hover(position={"x": 600, "y": 300})
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector("
        "'.remark-visible .remark-slide-content .source')).opacity === '1'"
    )
    page.screenshot(path=str(tmp_path / "slide-4-hover.png"))
    assert info["errors"] == []


def test_follow_link_between_slides(deck):
    page, info, blocked = deck
    assert dwb.current_slide(page) == 0
    assert dwb.follow_link(page, "#second") == (1, "second")
    dwb.goto_slide(page, 1)
    assert dwb.follow_link(page, "#details") == (3, "details")
    assert info["errors"] == []
    assert blocked == []


@pytest.mark.parametrize(
    "markdown, vendor, expected",
    [
        ("# Fine\n", False, "remark.min.js did not load"),
        ("# Broken\n\n![:no-such-macro]\n", True, "no-such-macro"),
    ],
    ids=["remark-missing", "remark-throws"],
)
@pytest.mark.parametrize("form", list(FORMS))
def test_failure_is_shown_not_blank(browser, tmp_path, markdown, vendor, expected, form):
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown, vendor, form).as_uri())
        # What lazy slides hook while remark.create runs is undone when it throws.
        hooks = "() => ['slideViews', 'slideNumber', 'getSlides'].filter((name) => name in {})"
        assert page.evaluate(hooks) == []
        assert info["count"] == 0
        assert page.evaluate("() => window.slideshow") is None
        assert expected in page.evaluate("() => window.deckwrightError")
        box = page.locator("#deckwright-error")
        assert box.is_visible()
        assert expected in box.inner_text()
        assert any(expected in e for e in info["errors"])
        if not vendor:
            assert any("remark.min.js" in f for f in info["failed"])
    finally:
        page.context.close()


def test_a_macro_in_code_is_text(browser, tmp_path):
    """remark's lexer reads code first: a `![:name]` in code is no macro, and does not stop
    remark as one does (the build's error for those: tests/test_errors.py)."""
    markdown = "# Code\n\n`![:span]`\n\n    ![:indented]\n\n```\n![:fenced]\n```\n\n---\n\n# Next\n"
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown).as_uri())
        assert info["count"] == 2 and info["errors"] == []
        assert page.locator(".remark-visible").inner_text().count("![:") == 3
    finally:
        page.context.close()


def test_a_comment_over_a_separator_hides_nothing(browser, tmp_path):
    """remark splits slides before any HTML is read: slides 'commented out' from one slide
    to a later one still show, and so do `<!--` and `-->`, as text (the build's warning:
    tests/test_errors.py). A comment closed on its slide hides what it holds."""
    markdown = "# A\n\n<!-- hidden -->\n\n<!--\n\n---\n\n# Meant to be hidden\n\n-->\n"
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown).as_uri())
        assert info["count"] == 2 and info["errors"] == []
        first = dwb.visible_slide(page).inner_text()
        assert "<!--" in first and "hidden" not in first
        assert dwb.goto_slide(page, 2) == 1
        second = dwb.visible_slide(page).inner_text()
        assert "Meant to be hidden" in second and "-->" in second
    finally:
        page.context.close()


def test_a_comment_not_closed_in_its_box_shows_as_text(browser, tmp_path):
    """remark converts a `.class[` box's content on its own: a comment opened in a box shows
    as text unless it closes in that box, even with a `-->` after the box on its slide; a
    `-->` in a box closes no comment opened outside it (the build's warning:
    tests/test_errors.py). One closed in its box hides what it holds."""
    markdown = ("# A\n\n.lab[<!-- hidden --> shown]\n\n.lab[<!-- in the box ] still -->\n\n"
                "---\n\n# B\n\n<!-- outside .red[-->] tail\n")
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown).as_uri())
        assert info["count"] == 2 and info["errors"] == []
        first = dwb.visible_slide(page).inner_text()
        assert "hidden" not in first and "shown" in first
        assert "<!-- in the box" in first and "still -->" in first
        assert dwb.goto_slide(page, 2) == 1
        assert "<!-- outside -->" in " ".join(dwb.visible_slide(page).inner_text().split())
    finally:
        page.context.close()


def test_a_comment_opener_in_a_tag_or_a_url_is_no_comment(browser, tmp_path):
    """Markdown reads an HTML tag and a link's URL whole: a `<!--` in an attribute's value or
    a URL opens no comment (the build says nothing of it: tests/test_errors.py)."""
    markdown = "# A\n\n<a title='<!--'>link</a> [x](http://a/<!--) shown\n\n---\n\n# B\n\n-->\n"
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown).as_uri())
        assert info["count"] == 2 and info["errors"] == []
        first = dwb.visible_slide(page)
        assert "<!--" not in first.inner_text() and "shown" in first.inner_text()
        assert first.locator("a[title='<!--']").count() == 1
        assert first.locator("a[href='http://a/<!--']").count() == 1
    finally:
        page.context.close()


def test_a_picture_after_a_comment_opener_in_a_tag_or_a_url_is_loaded(browser, tmp_path):
    """`[x](http://a/<!--) ![p](images/p.png) -->`: the link is read first, the picture after it
    is shown and loaded, the `-->` is text; so after a tag's `<!--`. One in a comment is not
    loaded (the build wants the first two to exist, not the third: tests/test_errors.py)."""
    markdown = ("# A\n\n[x](http://a/<!--) ![p](images/p.png) -->\n\n"
                "<a title='<!--'>t</a> ![q](images/q.png) -->\n\n<!-- ![s](images/s.png) -->\n")
    page = dwb.new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url.rsplit("/", 1)[-1]))
    try:
        info = dwb.load_deck(page, render(tmp_path, markdown).as_uri())
        assert info["count"] == 1
        slide = dwb.visible_slide(page)
        assert [slide.locator(f"img[src='images/{name}.png']").count() for name in "pqs"] == [1, 1, 0]
        assert {"p.png", "q.png"} <= set(requested) and "s.png" not in requested
        assert slide.inner_text().count("-->") == 2
    finally:
        page.context.close()


def test_leading_newline_of_markdown_is_kept(tmp_path):
    html = render(tmp_path, "\n\n# Late start\n", form="remark").read_text(encoding="utf-8")
    assert '<textarea id="source" hidden>\n\n\n# Late start\n</textarea>' in html
    html = render(tmp_path, "\n\n# Late start\n").read_text(encoding="utf-8")
    assert page_markdown(html) == "\n\n# Late start\n"


def test_printing_gives_one_white_16_9_page_per_slide(deck):
    """Ctrl+P: each slide on its own page, the slide's size, without the dark screen surround."""
    page, info, _ = deck
    page.evaluate("() => window.deckwrightLazy && window.deckwrightLazy.fillAll()")
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", printed)
    assert len(boxes) == info["count"] == 4
    for width, height in boxes:
        assert float(width) / float(height) == pytest.approx(16 / 9, rel=0.01)
    page.emulate_media(media="print")
    surround = page.evaluate("() => getComputedStyle(document.querySelector('.remark-container')).backgroundColor")
    assert surround == "rgb(255, 255, 255)"


@pytest.mark.parametrize("form", list(FORMS))
def test_links_to_names_in_any_script(browser, tmp_path, form):
    """A `name:` of accented or other letters (`café`, `設定`): the browser hands remark
    the link's `#name` percent-encoded (`#caf%C3%A9`), which remark alone finds no slide
    for (it shows the first); a page opened at such an address starts at that slide."""
    markdown = ("# Start\n\n[to café](#café) [to 設定](#設定)\n\n---\n\nname: café\n\n# Café\n\n"
                "[back](#start)\n\n---\n\nname: 設定\n\n# Settings\n\n---\n\nname: start\n\n# End\n")
    path = render(tmp_path, markdown, form=form)
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, path.as_uri())
        assert dwb.follow_link(page, "#café") == (1, "café")
        dwb.goto_slide(page, 1)
        assert dwb.follow_link(page, "#設定") == (2, "設定")
        dwb.goto_slide(page, 2)
        assert dwb.follow_link(page, "#start") == (3, "start")
        assert info["errors"] == []
    finally:
        page.context.close()
    page = dwb.new_page(browser)
    try:
        info = dwb.load_deck(page, path.as_uri() + "#設定")
        assert dwb.current_slide(page) == 2
        assert info["errors"] == []
    finally:
        page.context.close()


def test_tab_right_after_a_slide_change_reaches_the_slide_shown(deck):
    """For a second after leaving a slide, remark keeps it laid out under the new one (its
    'fading' slide): Tab went to its links first, unseen, and Enter followed one of them."""
    page, info, _ = deck
    assert dwb.goto_slide(page, 3) == 2  # its footer links to #second, the next one's to #details
    page.wait_for_timeout(1200)  # (the first slide has stopped fading)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    focused = "() => { const a = document.activeElement; return [a.tagName, !!a.closest('.remark-visible')]; }"
    assert page.evaluate(focused) == ["A", True]
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert dwb.current_slide(page) == 3
    assert info["errors"] == []


def test_a_footer_link_shows_when_the_keyboard_reaches_it(deck):
    """A slide's footer (its source file and line) shows only under the mouse: a link in it
    reached with Tab was focused unseen."""
    page, info, _ = deck
    assert dwb.goto_slide(page, 4) == 3
    page.wait_for_timeout(1200)
    page.keyboard.press("Tab")
    footer = """() => {
        const source = document.activeElement.closest('.source');
        return source && getComputedStyle(source).opacity;
    }"""
    page.wait_for_timeout(400)  # (its fading in)
    assert page.evaluate(footer) == "1"
    assert info["errors"] == []
