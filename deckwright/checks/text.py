"""What remark sees in a slide's text: its code, its `.class[...]` blocks, its lines."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ..model import SourceLoc
from ..remark_lexer import Token, code_spans, content_start, scan


@dataclass(frozen=True)
class Block:
    """A `.class[...]` block remark found: where it opens and where its `]` closes it."""

    start: int
    end: int  # just after the closing `]`
    classes: tuple[str, ...]  # `.lab.small[` -> ("lab", "small")
    inner: int  # just after the opening `[`


def _walk(text: str, tokens: list[Token]) -> Iterator[Token]:
    """Tokens of `text`, looking inside `.class[...]` blocks as remark does (inline there).

    Each block's tokens right after it: from a stack, not by a call for each block (boxes may
    be nested thousands deep)."""
    stack = [iter(tokens)]
    while stack:
        tok = next(stack[-1], None)
        if tok is None:
            stack.pop()
            continue
        yield tok
        if tok.kind == "content":
            stack.append(iter(scan(text, inline=True, pos=content_start(text, tok), end=tok.end - 1)))


@dataclass(frozen=True)
class Analysis:
    """A slide text as remark's lexer sees it."""

    top: tuple[Token, ...]  # the scan of the text
    tokens: tuple[Token, ...]  # the same, and the tokens inside `.class[...]` blocks
    blanked: str  # the text with its code blanked out (same length, same lines)


@cache
def analyse(text: str) -> Analysis:
    """Remembered: the same chapter text comes back in every deck that uses it."""
    top = tuple(scan(text))
    tokens = tuple(_walk(text, list(top)))
    return Analysis(top, tokens, _blank(text, tokens))


def structure(text: str) -> list[Token]:
    """Every code and content token of a slide's text, nested blocks included."""
    return list(analyse(text).tokens)


def blocks(text: str, tokens: Sequence[Token]) -> list[Block]:
    found = []
    for t in tokens:
        if t.kind == "content":
            classes = tuple(c for c in t.text.split(".") if c)
            found.append(Block(t.start, t.end, classes, content_start(text, t)))
    return found


def blank_code(text: str) -> str:
    """`text` with its code blanked out (same length, same lines), so that code never counts."""
    if "`" not in text and "    " not in text and "~~~" not in text:
        return text  # no code at all (fast path: most slides)
    return analyse(text).blanked


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str, tokens: Sequence[Token]) -> str:
    out, pos = [], 0
    for start, end in sorted(code_spans(tokens)):
        if start < pos:  # inside a span already blanked
            continue
        out += [text[pos:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# remark's `.class[` (a backslash before it keeps it text).
OPENER = re.compile(r"(\\)?((?:\.[a-zA-Z_\-][a-zA-Z\-_0-9]*){1,21})\[")  # (at most 21: remark_lexer's _NAMES)
_FENCE_LINE = re.compile(r"^ *(`{3,}|~{3,})", re.MULTILINE)


def unclosed_openers(text: str) -> list[re.Match[str]]:
    """`.class[` openers in the text that remark does not close within it."""
    if "[" not in text:
        return []
    analysis = analyse(text)
    opened = {t.start for t in analysis.tokens if t.kind == "content"}
    return [m for m in OPENER.finditer(analysis.blanked) if not m.group(1) and m.start() not in opened]


def may_run_on(text: str) -> bool:
    """Whether something in `text` is left open (a `.class[`, a backtick, a fence, a `![:`
    macro), so that remark, reading it followed by more text, may take that text in."""
    if not any(c in text for c in "`[~"):
        return False
    blanked = blank_code(text)
    return "`" in blanked or "![:" in blanked or bool(_FENCE_LINE.search(blanked)) or bool(unclosed_openers(text))


def line_at(loc: SourceLoc, text: str, offset: int) -> SourceLoc:
    """The location of `offset` in a step's `text` that starts at `loc`."""
    return loc.shifted(text.count("\n", 0, offset))


