"""What the page adds to every slide (its number, its source footer) never covers what it shows.

A presenter's pointer rests on the slide, which shows the source footer; the number is
always there. Both must stay clear of a picture that fills the slide (`class: pic`, the
pictures between chapters, a slide that is only a big picture) and of a code block that
runs to the bottom of the slide. Boxes are measured in Chromium, the slide at scale 1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deckwright.render import environment

try:  # tests/ may or may not be a package, depending on how pytest imports it
    from tests import browser as dwb
except ImportError:  # pragma: no cover
    import browser as dwb

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser

SLIDE = {"left": 0, "top": 0, "right": dwb.SLIDE_WIDTH, "bottom": dwb.SLIDE_HEIGHT}

# Pictures of known proportions (an SVG's width and height are its natural size).
PICTURES = {"wide.svg": (1600, 900), "four-three.svg": (1600, 1200), "banner.svg": (1800, 900)}


def footer(n: int) -> str:
    # As the build appends it (stages.add_footers): a block, linked to the file and line.
    return f".source[\n[chapters/pictures.md:{n}](#slide-{n})\n]"


PICTURE_SLIDES = {
    "pic 16:9": "class: pic\n\n![A 16:9 diagram](images/wide.svg)",
    "pic 4:3": "class: pic\n\n![A 4:3 diagram](images/four-three.svg)",
    "pic 2:1": "class: pic\n\n![A wide banner](images/banner.svg)",
    "pic with a title": "class: pic\n\n## A titled picture\n\n![A 16:9 diagram](images/wide.svg)",
    "between chapters": "class: pic\n\n.interstitial[![](images/wide.svg)]",
    "only a big picture": "![A big 4:3 picture, alone on its slide](images/four-three.svg)",
}

# A code block of as many lines as each slide names: the longest run past the slide's bottom.
CODE_LINES = list(range(8, 22))
CODE_SLIDES = {
    f"{n} lines of code": "# Code to the bottom\n\n```bash\n"
    + "".join(f"echo line {i}\n" for i in range(1, n + 1))
    + "```"
    for n in CODE_LINES
}

# Text too long for the slide, and a footnote: the footnote stays where it is on any slide.
LONG_SLIDES = {
    "long with a footnote": "# Long\n\n" + "".join(f"- Point {i}\n" for i in range(1, 21))
    + "\n.footnote[A footnote, low on the slide]",
}

SLIDES = {**PICTURE_SLIDES, **CODE_SLIDES, **LONG_SLIDES}

# The drawn box of each picture on the slide shown: for `object-fit: contain` the picture
# is smaller than its element (bars on two sides), for `cover` it fills it (cropped).
PICTURE_BOXES = """() => {
    const content = document.querySelector('.remark-visible .remark-slide-content');
    return Array.from(content.querySelectorAll('img')).map((img) => {
        const r = img.getBoundingClientRect();
        const fit = getComputedStyle(img).objectFit;
        let w = r.width, h = r.height;
        if (fit === 'contain' || fit === 'scale-down') {
            const scale = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);
            w = img.naturalWidth * scale;
            h = img.naturalHeight * scale;
        }
        const left = r.left + (r.width - w) / 2, top = r.top + (r.height - h) / 2;
        return {left, top, right: left + w, bottom: top + h, loaded: img.naturalWidth > 0};
    });
}"""

# The boxes of the slide shown: its number, its source footer (with its opacity), and
# each element of its content; the height of its content element (more than the slide's
# when the content is too long for it).
SLIDE_BOXES = """() => {
    const content = document.querySelector('.remark-visible .remark-slide-content');
    const box = (e) => {
        const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, tag: e.tagName};
    };
    const source = content.querySelector('.source');
    const blocks = content.querySelectorAll('h1, h2, p, li, pre, img, table');
    return {
        height: content.getBoundingClientRect().height,
        number: box(content.querySelector('.remark-slide-number')),
        source: {...box(source), opacity: getComputedStyle(source).opacity},
        content: Array.from(blocks).filter((e) => !e.closest('.source')).map(box),
    };
}"""


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def inside(inner: dict, outer: dict) -> bool:
    return (inner["left"] >= outer["left"] and inner["right"] <= outer["right"]
            and inner["top"] >= outer["top"] and inner["bottom"] <= outer["bottom"])


def svg(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<rect width="{width}" height="{height}" fill="#3a7"/></svg>')


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("overlap")
    (folder / "images").mkdir()
    for name, size in PICTURES.items():
        (folder / "images" / name).write_text(svg(*size), encoding="utf-8")
    shutil.copytree(ROOT / "assets", folder / "assets")
    markdown = "\n\n---\n\n".join(f"{text}\n\n{footer(n)}" for n, text in enumerate(SLIDES.values(), 1))
    html = environment(ROOT / "templates").get_template("remark.html").render(
        title="Overlaps", markdown=markdown, assets="assets/", slidenumberprefix="Overlaps &mdash; ",
        build_info="test", lang="en", preempt=True, lazy=True,
    )
    (folder / "deck.html").write_text(html, encoding="utf-8")
    with dwb.open_browser() as browser:
        page = dwb.new_page(browser)
        blocked = dwb.block_external(page)
        info = dwb.load_deck(page, (folder / "deck.html").as_uri())
        assert info["count"] == len(SLIDES) and info["errors"] == info["failed"] == blocked == []
        yield page, folder


def show(page, name: str) -> dict:
    """Show the slide `name` with the pointer resting on its middle; return its boxes."""
    dwb.goto_slide(page, list(SLIDES).index(name) + 1)
    page.mouse.move(dwb.SLIDE_WIDTH / 2, dwb.SLIDE_HEIGHT / 2)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector("
        "'.remark-visible .remark-slide-content .source')).opacity === '1'"
    )
    return page.evaluate(SLIDE_BOXES)


@pytest.mark.parametrize("name", list(PICTURE_SLIDES))
def test_footer_and_number_leave_a_full_slide_picture_whole(deck, name):
    page, folder = deck
    boxes = show(page, name)
    (picture,) = page.evaluate(PICTURE_BOXES)
    page.screenshot(path=str(folder / f"{name}.png"))
    assert picture["loaded"]
    # The footer is shown, the number too, each on the slide, and neither on the picture.
    assert boxes["source"]["opacity"] == "1" and inside(boxes["source"], SLIDE)
    assert inside(boxes["number"], SLIDE)
    assert not overlap(boxes["source"], picture), (boxes["source"], picture)
    assert not overlap(boxes["number"], picture), (boxes["number"], picture)
    # The picture is whole, and as large as the slide allows (but for a thin strip, or a
    # title above it, or the margins of a plain slide).
    assert inside(picture, SLIDE), picture
    width, height = picture["right"] - picture["left"], picture["bottom"] - picture["top"]
    if name == "pic with a title":
        assert height >= 0.75 * dwb.SLIDE_HEIGHT, picture
    elif name == "only a big picture":
        assert height >= 0.8 * dwb.SLIDE_HEIGHT, picture
    else:  # as wide as the slide, or nearly as high
        assert width == pytest.approx(dwb.SLIDE_WIDTH, abs=1) or height >= 0.9 * dwb.SLIDE_HEIGHT, picture


def test_number_and_footer_never_cover_a_code_block_reaching_the_bottom(deck):
    page, folder = deck
    reaching = []
    for name in CODE_SLIDES:
        boxes = show(page, name)
        (code,) = [b for b in boxes["content"] if b["tag"] == "PRE"]
        covered = [b for b in boxes["content"] if overlap(b, boxes["number"]) or overlap(b, boxes["source"])]
        assert covered == [], (name, boxes["number"], boxes["source"], covered)
        # Both are shown, on the slide, however long its code.
        assert inside(boxes["number"], SLIDE) and inside(boxes["source"], SLIDE), name
        if SLIDE["bottom"] - 44 < code["bottom"] <= SLIDE["bottom"]:  # the box's end shows, low
            reaching.append(name)
            page.screenshot(path=str(folder / f"{name}.png"))
        if boxes["height"] <= dwb.SLIDE_HEIGHT:  # the code fits on the slide: in the bottom corners
            assert boxes["number"]["bottom"] > SLIDE["bottom"] - 20 and boxes["number"]["right"] > 1150
            assert boxes["source"]["bottom"] > SLIDE["bottom"] - 20 and boxes["source"]["left"] < 64
    assert reaching, "no code block of these lengths ends in the slide's last 44 pixels"


def test_footnote_keeps_its_place_on_a_slide_too_long(deck):
    page, _folder = deck
    boxes = show(page, "long with a footnote")
    note = page.evaluate("() => document.querySelector('.remark-visible .footnote').getBoundingClientRect().bottom")
    assert boxes["height"] > dwb.SLIDE_HEIGHT  # the content element is taller than the slide
    assert note == pytest.approx(dwb.SLIDE_HEIGHT - 34, abs=0.5)  # where it is on any slide
