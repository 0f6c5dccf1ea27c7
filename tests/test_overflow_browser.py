"""`check --overflow` lays out each deck in Chromium and names the slides whose content does not fit.

A fixture workshop of slides that do not fit (a long list, a code line too wide, one cut by
a hair more than rounding, a table too wide, a list run into its footnote, the last step of a `--` slide, a table of contents
of many chapters) and of slides that do (a short one, a diagram, a picture slide, a picture placed
by the slide, code whose only overflow is its trailing spaces, a box and a slide made to
cut what they hold). Sizes depend on the machine's fonts: the tests say which slides and how, and
check the amounts only roughly.
"""

from __future__ import annotations

import re

import pytest

from deckwright import check as check_module
from deckwright import cli
from deckwright.check import as_json, check
from deckwright.checks.overflow import Claims, measure_page
from deckwright.chromium import open_chromium

try:  # tests/ may or may not be a package, depending on how pytest imports it
    from tests import browser as dwb
except ImportError:  # pragma: no cover
    import browser as dwb

pytestmark = pytest.mark.browser

HEAD = "title: T\nslides: https://example.org/\n"


def svg(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<rect width="{width}" height="{height}" fill="#3a7"/></svg>')


LONG = "# A long list\n\n" + "".join(f"- Point number {i}\n" for i in range(1, 26))
WIDE_CODE = "# Wide code\n\n```bash\necho short\n" + "echo " + "x" * 160 + "\n```\n"
WIDE_TABLE = ("# Wide table\n\n| " + " | ".join(f"column_{i}_with_a_long_name" for i in range(8)) + " |\n|"
              + "---|" * 8 + "\n| " + " | ".join(str(i) for i in range(8)) + " |\n")
FITS = "# Fits\n\n- One\n- Two\n\n```bash\necho fine\n```\n"
# A <pre> whose line ends with many spaces: it keeps them (remark drops those of a code
# block), and is wider than its box, but nothing shows past it.
TRAILING = "# Trailing spaces\n\n<pre>\necho fine" + " " * 200 + "\n</pre>\n"
STEPS = "# Steps\n\n- First\n\n--\n\n" + "".join(f"- More {i}\n" for i in range(1, 25))
# Not past the bottom of the slide's content area, but over the top of its footnote.
FOOTNOTE = ("# Footnote\n\n" + "".join(f"- Item {i}\n" for i in range(1, 14))
            + "\n.footnote[A footnote, low on the slide,<br>over three lines<br>of text]\n")
# A diagram of many lines: as text, far too long; drawn by mermaid, it fits (before it is measured).
DIAGRAM = ("# A diagram\n\n<pre class=\"mermaid\">\ngraph TD\n"
           + "".join(f"  N{i} --> N{i + 1}\n" for i in range(30)) + "</pre>\n")
PICTURE = "class: pic\n\n![A big picture](images/big.svg)\n"
PLACED = "class: pic\n\n.interstitial[![](images/big.svg)]\n"
CUT_ON_PURPOSE = ('# Cut on purpose\n\n<div style="height: 120px; overflow: hidden">\n\n'
                  + "".join(f"- Hidden {i}\n" for i in range(1, 30)) + "\n</div>\n")
# A slide whose class makes it cut what does not fit (an author's style sheet): it means to.
CUT_SLIDE = ("class: cut\n\n<style>.remark-slide-content.cut { overflow: hidden; }</style>\n\n# Cut slide\n\n"
             + "".join(f"- Hidden {i}\n" for i in range(1, 30)))
# A code line 2.6 px wider than its block, whose width (199.6 px) rounds up and the line's
# (202.2 px) down: the box scrolls 2 px only, yet the line is cut by more than rounding.
# And one 1.8 px wider: rounding.
HAIR = """# Cut by a hair

<style>
.hair pre { width: fit-content; padding: 0; }
.hair .remark-code { width: 199.6px; padding: 0; }
.hair .remark-code-line { width: 202.2px; text-align: right; }
.hair.close .remark-code-line { width: 201.4px; }
</style>

.hair[
```bash
echo cut
```
]

.hair.close[
```bash
echo fits
```
]
"""
REMOTE = "# Remote\n\n![](https://example.invalid/picture.png)\n\n" + "".join(
    f"- Line {i}\n" for i in range(1, 22))

CHAPTERS = {
    "long.md": LONG, "code.md": WIDE_CODE, "table.md": WIDE_TABLE, "fits.md": FITS,
    "trailing.md": TRAILING, "steps.md": STEPS, "diagram.md": DIAGRAM, "footnote.md": FOOTNOTE, "picture.md": PICTURE,
    "placed.md": PLACED, "purpose.md": CUT_ON_PURPOSE, "cut.md": CUT_SLIDE, "remote.md": REMOTE,
    "hair.md": HAIR,
}


def content(names) -> str:
    return "content:\n" + "".join(f"- {name}\n" for name in names)


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    root = tmp_path_factory.mktemp("overflow") / "slides"
    files = {f"chapters/{name}": text for name, text in CHAPTERS.items()}
    files["images/big.svg"] = svg(1600, 1200)
    files["one.yml"] = HEAD + content(f"chapters/{name}" for name in CHAPTERS)
    # A second deck shows two of the same slides: each is said once, naming both decks.
    files["two.yml"] = HEAD + content(["chapters/long.md", "chapters/fits.md", "chapters/diagram.md"])
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


@pytest.fixture(scope="module")
def result(workshop):
    with dwb.open_browser():  # skips, with the reason, when Chromium or Playwright is missing
        pass
    return check(str(workshop), env={}, overflow=True)


def overflows(result) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {str(f.loc): (f.message, f.decks) for f in result.findings if f.kind == "overflow"}


def px(message: str, pattern: str) -> int:
    m = re.search(pattern, message)
    assert m, f"{pattern!r} not in {message!r}"
    return int(m.group(1))


def test_exactly_the_slides_that_do_not_fit_are_named(result):
    assert sorted(overflows(result)) == [
        "chapters/code.md:1", "chapters/footnote.md:1", "chapters/hair.md:1", "chapters/long.md:1",
        "chapters/remote.md:1", "chapters/steps.md:1", "chapters/table.md:1",
    ]
    assert all(f.severity == "warning" for f in result.findings if f.kind == "overflow")


def test_a_long_list_runs_past_the_bottom_and_is_cut(result):
    message, decks = overflows(result)["chapters/long.md:1"]
    # 25 points of some 34 px under a title: several hundred px too long.
    assert 200 < px(message, r"^content runs (\d+) px below the slide's content area") < 800
    assert px(message, r"(\d+) px of it cut off at the slide's edge") > 100
    assert decks == ("one.yml", "two.yml")  # once, for both decks


def test_a_code_line_too_wide_is_cut_at_the_right(result):
    message, _ = overflows(result)["chapters/code.md:1"]
    assert px(message, r"a code line is (\d+) px wider than its block, cut at the right") > 200
    assert ': "echo xxxx' in message and message.endswith('…"')
    assert "below" not in message


def test_a_table_too_wide_runs_past_the_right_edge(result):
    message, _ = overflows(result)["chapters/table.md:1"]
    assert re.fullmatch(r"a table runs \d+ px past the right of the slide's content area, "
                        r"\d+ px of it cut off at the slide's edge", message)


def test_a_code_line_cut_by_a_hair_more_than_rounding_is_named(result):
    message, _ = overflows(result)["chapters/hair.md:1"]
    assert message == 'a code line is 3 px wider than its block, cut at the right: "echo cut"'


def test_the_last_step_of_a_slide_shows_the_most(result):
    message, _ = overflows(result)["chapters/steps.md:1"]
    assert "below the slide's content area" in message and message.endswith("(from its step 2 of 2)")


def test_content_run_into_its_footnote_is_named(result):
    message, _ = overflows(result)["chapters/footnote.md:1"]
    assert re.fullmatch(r"content runs \d+ px into the slide's footnote, drawn over it", message)


def test_a_picture_that_did_not_load_is_said_to_need_more_room(result):
    # Refused (from the network), it is not waited for: the slide is measured without it.
    message, _ = overflows(result)["chapters/remote.md:1"]
    assert "below the slide's content area" in message and "a picture of it did not load" in message


def test_json_has_the_overflow_kind(result):
    import json

    data = json.loads(as_json(result))
    assert data["summary"]["by_kind"]["overflow"] == 7
    long = next(f for f in data["findings"] if f["path"] == "chapters/long.md")
    assert long["kind"] == "overflow" and long["line"] == 1 and long["decks"] == ["one.yml", "two.yml"]


def test_without_the_flag_no_browser_is_used(workshop):
    assert not [f for f in check(str(workshop), env={}).findings if f.kind == "overflow"]


# A slide whose script breaks the page it is shown in, once the slide is filled: the
# page fails after it has claimed its slides, the long list among them.
BREAKS = ('# Breaks the page\n\nIts picture fails, and its handler breaks the page.\n\n'
          '<img src="data:," alt="" onerror="window.getComputedStyle = null">\n')


def test_the_slides_of_a_page_that_fails_are_measured_in_another_deck(make_project, monkeypatch):
    root = make_project({
        "chapters/breaks.md": BREAKS, "chapters/long.md": LONG, "chapters/fits.md": FITS,
        # The longer deck is measured first: with one browser, it claims the long list.
        "one.yml": HEAD + content(["chapters/breaks.md", "chapters/fits.md", "chapters/long.md"]),
        "two.yml": HEAD + content(["chapters/fits.md", "chapters/long.md"]),
    })
    monkeypatch.setattr(check_module, "MAX_WORKERS", 1)
    with dwb.open_browser():
        pass
    found = {str(f.loc): f for f in check(str(root), env={}, overflow=True).findings if f.kind == "overflow"}
    assert sorted(found) == ["chapters/long.md:1", "one.yml"]
    assert found["one.yml"].message.startswith("not checked for overflow: ")
    assert "getComputedStyle" in found["one.yml"].message
    assert found["chapters/long.md:1"].message.startswith("content runs ")
    assert found["chapters/long.md:1"].decks == ("two.yml",)


# A slide whose script breaks the page it is shown in, in the deck titled "Two" only.
BREAKS_TWO = ('# Breaks deck two\n\nIts picture fails, and its handler breaks deck two\'s page.\n\n'
              '<img src="data:," alt="" onerror="if (document.title === \'Two\') window.getComputedStyle = null">\n')


def test_a_slide_measured_in_another_deck_is_not_filled(make_project, monkeypatch):
    # one.yml, longer, measured first, measures the slide; two.yml shows it too, but leaves
    # it empty: its script never runs there, and two.yml's own slides are measured. (A deck
    # fills the slide it shows first and the next two: the slide comes after them.)
    pad = "\n---\n\n".join(f"# Pad {i}\n" for i in range(5))
    root = make_project({
        "chapters/breaks.md": BREAKS_TWO, "chapters/fits.md": FITS, "chapters/long.md": LONG,
        "chapters/pad.md": pad, "chapters/more.md": "# More\n\n---\n\n# And more\n",
        "one.yml": HEAD + content(["chapters/breaks.md", "chapters/pad.md"]),
        "two.yml": "title: Two\nslides: https://example.org/\n"
        + content(["chapters/fits.md", "chapters/long.md", "chapters/more.md", "chapters/breaks.md"]),
    })
    monkeypatch.setattr(check_module, "MAX_WORKERS", 1)
    with dwb.open_browser():
        pass
    found = {str(f.loc): f for f in check(str(root), env={}, overflow=True).findings if f.kind == "overflow"}
    assert sorted(found) == ["chapters/long.md:1"]
    assert found["chapters/long.md:1"].decks == ("two.yml",)


# A style sheet on a slide makes the pictures of class `tall` too tall for a slide.
STYLE = '# Style\n\n<style>.tall img { height: 900px; }</style>\n\nA style for the whole deck.\n'
TALL = "# Tall\n\n.tall[![A picture](images/small.svg)]\n"


def test_a_style_sheet_on_a_slide_measured_elsewhere_still_styles_the_deck(make_project, monkeypatch):
    # The style's slide is measured in one.yml, the tall picture in two.yml: it is laid
    # out with the deck's style sheet there, its slide filled though not measured (after
    # the three slides a deck fills first).
    root = make_project({
        "chapters/style.md": STYLE, "chapters/fits.md": FITS, "chapters/tall.md": TALL,
        "images/small.svg": svg(100, 100),
        "chapters/pad.md": "\n---\n\n".join(f"# Pad {i}\n" for i in range(5)),
        "chapters/more.md": "# More\n\n---\n\n# And more\n",
        "one.yml": HEAD + content(["chapters/style.md", "chapters/pad.md"]),
        "two.yml": HEAD + content(["chapters/fits.md", "chapters/more.md", "chapters/style.md", "chapters/tall.md"]),
    })
    monkeypatch.setattr(check_module, "MAX_WORKERS", 1)
    with dwb.open_browser():
        pass
    found = {str(f.loc): f for f in check(str(root), env={}, overflow=True).findings if f.kind == "overflow"}
    assert sorted(found) == ["chapters/tall.md:1"]
    assert found["chapters/tall.md:1"].decks == ("two.yml",)
    assert "px of it cut off at the slide's edge" in found["chapters/tall.md:1"].message


def test_a_slide_has_one_key_in_every_deck_but_where_its_links_differ(make_project):
    # What remark makes a slide of: its text, and the reference links it names (defined
    # by the deck's chapters). The build information on a deck's first slide is left out.
    root = make_project({
        "chapters/shared.md": "# Shared\n\nSee [the docs][docs].\n\n---\n\n# Plain\n\nSee [docs].\n",
        "chapters/a.md": "# A\n\nText\n\n[docs]: https://a.example/\n",
        "chapters/b.md": "# B\n\nText\n\n[docs]: https://b.example/\n",
        "one.yml": HEAD + content(["chapters/shared.md", "chapters/a.md"]),
        "two.yml": HEAD + content(["chapters/a.md", "chapters/shared.md"]),
        "three.yml": HEAD + content(["chapters/b.md", "chapters/shared.md"]),
    })
    out = root.parent / "out"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 0
    with dwb.open_browser():
        pass
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = open_chromium(playwright)
        one, two, three = (measure_page(browser, out / f"{name}.yml.html", Claims()).keys
                           for name in ("one", "two", "three"))
        browser.close()
    assert one[:2] == two[1:] and one[2] == two[0]  # Shared, Plain; A
    assert three[1] != one[0] and three[2] != one[1]  # [docs] leads elsewhere
    assert len(set(one + three)) == 6


@pytest.fixture(scope="module")
def toc_result(tmp_path_factory):
    # 40 chapters in one part: their table of contents, in two columns, is too long.
    root = tmp_path_factory.mktemp("toc") / "slides"
    root.mkdir()
    names = [f"c{i:02}.md" for i in range(40)]
    for i, name in enumerate(names):
        (root / name).write_text(f"# Chapter number {i}\n\nText\n")
    (root / "toc.md").write_text("# Welcome\n\n---\n\n@@TOC@@\n")
    (root / "deck.yml").write_text(HEAD + "content:\n- toc.md\n-\n" + "".join(f"  - {n}\n" for n in names))
    with dwb.open_browser():
        pass
    return check(str(root), env={}, overflow=True)


def test_a_generated_slide_is_named_at_the_line_it_is_made_for(toc_result):
    (finding,) = [f for f in toc_result.findings if f.kind == "overflow"]
    assert str(finding.loc) == "toc.md:5"  # the @@TOC@@ line
    assert finding.message.startswith("generated table of contents slide 'toc-part-1': content runs ")


@pytest.mark.corpus
def test_the_corpus_slides_seen_cut_in_chromium_are_named(corpus_root):
    # container.training's 12 decks (10,653 slides shown): each deck is measured (none is
    # left "not checked"), and the overflows seen on screen are found, by a wide margin
    # whatever the fonts: a picture cut by some 170 px, a `--` that was meant as `---`,
    # a table cut at the bottom, a code line cut by some 370 px.
    with dwb.open_browser():
        pass
    found = overflows(check(str(corpus_root / "slides"), env={}, overflow=True))
    assert not [m for m, _ in found.values() if m.startswith("not checked")]
    assert px(found["k8s/scalingdockercoins.md:1"][0], r"(\d+) px of it cut off") > 100
    assert found["containers/Multi_Stage_Builds.md:299"][0].endswith("(from its step 2 of 2)")
    assert "cut off at the slide's edge" in found["swarm/versions.md:82"][0]
    assert px(found["k8s/hpa-v2.md:509"][0], r"a code line is (\d+) px wider") > 250
    assert found["k8s/hpa-v2.md:509"][1] == ("kube-adv.yml", "kube-selfpaced.yml")
    assert len(found) < 40  # of some 4,400 different slides: no flood of false alarms
