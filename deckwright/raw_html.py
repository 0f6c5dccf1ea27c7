"""Raw HTML that an author writes as is: comments, and the elements whose content is not Markdown.

remark's lexer does not know HTML, so it reads a `---` line or a `.class[` in them as it
reads any other. The checks of brackets left open look here to tell what the author
meant: a `---` line inside a `<pre>` element is the content of a listing, not a forgotten
`]`, and nothing shows of an opener inside a comment.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

# Elements whose content HTML does not reformat (a `<pre>`) or shows not as text at all.
_ELEMENT = re.compile(r"<!--|<(pre|textarea|script|style)(?=[\s>/])[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--")
_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("pre", "textarea", "script", "style")}
_END_OF_COMMENT = re.compile(r"-->")

Spans = Sequence[tuple[int, int]]


def raw_spans(text: str, start: int = 0, end: int | None = None, code: Spans = ()) -> list[tuple[int, int]]:
    """(start, end) of each comment and `<pre>`, `<textarea>`, `<script>` or `<style>` element
    that opens and closes in `text[start:end]`, and does not open in code (`code`: the
    (start, end) spans of code, in order)."""
    return _regions(_ELEMENT, text, start, len(text) if end is None else end, code)


def comments(text: str, start: int = 0, end: int | None = None, code: Spans = ()) -> list[tuple[int, int]]:
    """(start, end) of each HTML comment in `text[start:end]`, as raw_spans finds them."""
    # (Neither takes a `<!--` in an HTML tag or a link's URL for a comment: see in_tag_or_url.)
    return _regions(_COMMENT, text, start, len(text) if end is None else end, code)


def inside(spans: Spans, offset: int) -> bool:
    """Whether `offset` is in one of `spans` (in order, not overlapping)."""
    i = bisect.bisect_right(spans, offset, key=lambda span: span[0]) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _regions(opening: re.Pattern[str], text: str, start: int, end: int, code: Spans) -> list[tuple[int, int]]:
    found = []
    pos = start
    # By closer: where one was looked for in vain, to the end (none after that, either: not
    # looked for again at each opener of a run, the work growing as its square).
    missing: dict[str | None, int] = {}
    while m := opening.search(text, pos, end):
        pos = m.end()
        if inside(code, m.start()):
            continue
        name = m.group(1).lower() if opening.groups and m.group(1) else None
        if missing.get(name, end + 1) <= m.end():
            continue  # left open, as one before it
        if name is None and in_tag_or_url(text, m.start()):
            continue  # no comment: Markdown reads the tag or the link first
        closer = _CLOSERS[name] if name else _END_OF_COMMENT
        close = closer.search(text, m.end(), end)
        if close is None:  # left open: not surely meant as raw HTML
            missing[name] = m.end()
            continue
        found.append((m.start(), close.end()))
        pos = close.end()
    return found


# An HTML tag (`<a title='<!--'>`, read as Markdown reads one: its attributes' values may hold
# `<` and `>` in quotes) or a link's URL in parentheses, on one line.
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\"[^\"\n]*\"|'[^'\n]*'|[^'\">\n])*>")
_URL = re.compile(r"\]\([^)\n]*\)")
REACH = 1000  # how far a tag or URL holding a `<!--` is looked for, on each side of it


def in_tag_or_url(text: str, start: int) -> bool:
    """Whether the `<!--` at `start` is in an HTML tag or a link's URL on its line (within
    REACH characters): Markdown reads those as such, and no comment in them."""
    reach = max(0, start - REACH)
    line_start = text.rfind("\n", reach, start)
    low = reach if line_start < 0 else line_start + 1
    high = text.find("\n", start, start + REACH)
    high = min(len(text), start + REACH) if high < 0 else high
    opener = text.rfind("<", low, start)
    for _ in range(8):  # (the nearest few: a tag's quoted value may hold a `<`)
        if opener < 0:
            break
        m = _TAG.match(text, opener, high)
        if m and m.end() > start:
            return True
        opener = text.rfind("<", low, opener)
    link = text.rfind("](", low, start)
    return link >= 0 and bool((m := _URL.match(text, link, high)) and m.end() > start)
