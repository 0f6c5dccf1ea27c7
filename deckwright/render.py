"""Turn a finished Deck into remark Markdown and into the HTML page (no I/O but templates)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .links import blank_code
from .memo import SameObjectMemo
from .model import Deck, Slide, Step, read_properties
from .remark_lexer import scan

if TYPE_CHECKING:
    import jinja2

PACKAGE = Path(__file__).resolve().parent
# This repository keeps templates/ and assets/ beside the package, where a checkout and an
# editable install read them; a wheel (`pip install .`) carries them inside it, as
# _templates and _assets (see pyproject.toml).
_INSTALLED = (PACKAGE / "_templates").is_dir()
TEMPLATES = PACKAGE / "_templates" if _INSTALLED else PACKAGE.parent / "templates"
ASSETS = PACKAGE / "_assets" if _INSTALLED else PACKAGE.parent / "assets"
TEMPLATE_NAME = "remark.html"


def slide_markdown(slide: Slide) -> str:
    return _markdown(slide.steps)


def _markdown(steps: tuple[Step, ...]) -> str:
    return _joined((step.text, step.notes) for step in steps)


def _joined(steps: Iterable[tuple[str, str | None]]) -> str:
    """A slide's Markdown from the text and notes of its steps."""
    return "\n--\n".join(text if notes is None else text.rstrip("\n") + "\n???\n" + notes
                          for text, notes in steps)


def coloured_markdown(slide: Slide) -> str:
    """The slide's Markdown as its page carries it: fenced code coloured at build time."""
    return _coloured_steps(slide.steps)


def _colour_steps(steps: tuple[Step, ...]) -> str:
    """`coloured_markdown` of a slide with these steps, made anew (`_coloured_steps` remembers it)."""
    if any(step.blocks is None for step in steps):
        return _colour_markdown(_markdown(steps))  # a stage made or changed its text
    # The blocks found when its chapter was split: no need to look for them again.
    from .highlight import highlight_blocks, highlight_markdown

    return _joined((highlight_blocks(step.text, step.blocks),
                    None if step.notes is None else highlight_markdown(step.notes)) for step in steps)


# By the steps themselves: decks showing a chapter in different parts share them.
_coloured_steps = SameObjectMemo(_colour_steps)


@lru_cache(maxsize=1 << 14)
def _colour_markdown(markdown: str) -> str:
    # Memoized by a slide's text: decks share chapters, and a rebuild finds most slides again.
    # One slide at a time finds the same fences as the whole deck: remark's lexer never
    # lets a fence or a `.class[...]` block run over a slide separator.
    from .highlight import highlight_markdown

    return highlight_markdown(markdown)


def deck_markdown(deck: Deck, coloured: bool = False) -> str:
    """The deck's remark source; `coloured`: as its page carries it."""
    render = coloured_markdown if coloured else slide_markdown
    return "\n---\n".join(render(s) for s in deck.slides)


def textarea(text: str) -> str:
    """Text for inside a `<textarea>`: only `&` and `<` can change what the browser reads."""
    # Through UTF-8 bytes: one emoji makes Python store a whole deck four bytes per
    # character, where str.replace is several times slower than on the bytes.
    data = text.encode("utf-8", "surrogatepass")
    return data.replace(b"&", b"&amp;").replace(b"<", b"&lt;").decode("utf-8", "surrogatepass")


def script_string(text: str) -> str:
    """`text` as a JavaScript string literal that is safe inside `<script>`.

    JSON's escapes, all of them ASCII (a deck is mostly ASCII; so are U+2028 and U+2029
    then, which older JavaScript refused in a literal), and every `<` written `\\u003c`:
    no `</script>`, `<!--` or `<script` can end or change the element holding it.
    """
    return json.dumps(text).replace("<", "\\u003c")


@lru_cache(maxsize=4)
def environment(templates: Path) -> jinja2.Environment:
    """The Jinja environment of deck pages (strict, no autoescape: the template escapes)."""
    import jinja2  # here: a build that finds every deck up to date renders nothing

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["textarea"] = textarea
    env.filters["script_string"] = script_string
    return env


def slide_number_prefix(text: str) -> str:
    """The prefix as HTML without tags: remark writes the slide number with innerHTML, so
    character references (`&mdash;`) work there but an element (and its script) must not."""
    return html.escape(html.unescape(text), quote=False)


# An element of class "mermaid" (container.training writes `<pre class="mermaid">`): mermaid
# draws it in the browser. Only the pages of decks that hold one load mermaid, 5 MB.
_DIAGRAM = re.compile(r"""<(?:pre|div)\b[^>]*?\bclass\s*=\s*["']?(?:[^"'>]*\s)?mermaid(?=[\s"'>])""")


# mermaid's files in assets/: copied into an output folder only for a page that draws diagrams.
MERMAID_FILES = ("vendor/mermaid.min.js", "vendor/mermaid.LICENSE")


def has_diagrams(texts: Iterable[str]) -> bool:
    """True when one of the Markdown `texts` (a deck's steps) holds a mermaid diagram
    outside code (code shows one as text). Code is blanked only in texts naming mermaid."""
    for text in texts:
        if "mermaid" in text:
            diagrams = _DIAGRAM.finditer(blank_code(text))
            if any(not _in_indented_code(text, m.start()) for m in diagrams):
                return True
    return False


def _in_indented_code(text: str, offset: int) -> bool:
    """Whether `offset` is surely in an indented code block (remark's lexer's code token)
    that marked shows as code: after a blank line, with text before it in the step (not
    only properties) and no list item or HTML. Not sure otherwise (seen in Chromium):
    remark takes the blank lines and indentation off a slide's top, a line indented in a
    list item is the item's text, one in an HTML block (which runs to its closing tag)
    HTML, and one right after a line of text goes on with that text.
    """
    for token in scan(text):
        if token.kind == "code" and token.start <= offset < token.end:
            before = text[len(text) - len(read_properties(text)[1]) : token.start]
            return (before.endswith("\n") and text.startswith("\n", token.start) and bool(before.strip())
                    and not _LIST_OR_HTML.search(before))
    return False


# A line that opens a list item (marked's bullets) or an HTML block.
_LIST_OR_HTML = re.compile(r"^ *(?:(?:[*+-]|\d+\.)[ \t]|<)", re.MULTILINE)


def draws_diagrams(deck: Deck) -> bool:
    """Whether the deck's page loads mermaid."""
    return _DRAWS(deck.slides)


# By the deck's slides: the build asks for each page twice (to copy mermaid, to render it).
_DRAWS: SameObjectMemo[tuple[Slide, ...], bool] = SameObjectMemo(
    lambda slides: has_diagrams(step.text for slide in slides for step in slide.steps), limit=64)


def deck_html(
    deck: Deck,
    markdown: str | None = None,
    templates: Path = TEMPLATES,
    assets: str = "assets/",
    fast: bool = True,
    lazy: bool | None = None,
) -> str:
    """The deck's page; `assets` is the assets folder's URL as seen from the page.

    `markdown` is the deck's source as `deck_markdown(deck, coloured=True)` gives it
    (made here when not given). `fast=False` is for bench/bench_browser.py and the tests
    that compare pages: the page as it was before the load-time optimisations (remark
    highlights code itself and makes every slide's content inside remark.create). `lazy`
    (default: `fast`): slides are filled as they are shown (templates/remark.html); tests
    compare a page with and without it.
    """
    from .highlight import CLASSES

    if markdown is None:
        markdown = deck_markdown(deck, coloured=fast)
    template = environment(templates).get_template(TEMPLATE_NAME)
    return template.render(
        markdown=markdown,
        token_classes=CLASSES,
        preempt=fast,
        lazy=fast if lazy is None else lazy,
        assets=assets,
        build_info=str(deck.build_info),
        **page_values(deck),
    )


def page_values(deck: Deck) -> dict[str, str | bool]:
    """What the page takes from the deck outside its slides: its title and language, the
    slide number's prefix and whether it loads mermaid. `deckwright serve` reloads a tab when
    they change (otherwise slides are swapped)."""
    return {
        "title": plain_title(deck.manifest.title),
        "lang": deck.manifest.lang or "en",
        "slidenumberprefix": slide_number_prefix(deck.manifest.slidenumberprefix),
        "diagrams": draws_diagrams(deck),
    }


_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_title(title: str) -> str:
    """A title as its slides show it (`@@TITLE@@` puts it in as HTML), for a browser's tab or
    an index, on one line: its character references read (`&mdash;`), a `<br/>` a space.
    Any other tag stays text, as typed."""
    if "<" in title:
        title = _LINE_BREAK.sub(" ", title)
    return " ".join((html.unescape(title) if "&" in title else title).split())
