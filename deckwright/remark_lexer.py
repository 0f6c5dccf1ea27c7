"""Where remark splits a deck: a port of the structure-finding part of remark's lexer.

remark scans its source with one combined regular expression; the earliest match
wins, and a match consumes its text. That is how a `---` inside fenced code, an
indented code block, an inline code span (which may run over several lines) or a
`.class[...]` block (brackets balanced, over any distance) is not a separator.
We reproduce that scan so that our slides are exactly remark's slides.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .memo import SameObjectMemo
from .raw_html import inside, raw_spans

# The parts of remark's block grammar, in its order; `(?:^|\n)` is remark's
# "at the start of the text still to scan, or after a newline". remark's content part
# (`.class[`, or `\.class[` escaped) is written here as two, each starting with one
# character, the escaped one last: no other part can start with a backslash, so no
# match changes, and every part starts with one character (see _combine).
# remark's fence part tries the opening run whole, then one mark shorter, and so on
# down to three, reading the rest of the text for a closing run each time: a line of
# 32,000 backquotes took half a minute. Here the run is taken whole at once
# (`(?=(...))\4`: a look-ahead is never tried again); if no run as long closes it, the
# group `uneven` matches its opening line, and _uneven_fence_end finds the end remark
# would find with fewer marks. Before the closing `\4`, remark's `\s*` is left out:
# `[\s\S]+?` reaches the same closing run (the `\s*` made blank lines slow to read).
# Unlike remark, a run of class names is at most 21 long, a definition's label and a macro
# at most 1,000 characters (and its arguments in parentheses): from each `.` of a run of
# `.a.a.a...` (each `[` of `[x` lines, each `![:`), remark's parts read on to the run's end,
# the work growing as the square of its length (a macro's two groups, as the cube).
_NAMES = r"[a-zA-Z_\-][a-zA-Z\-_0-9]*(?:\.[a-zA-Z_\-][a-zA-Z\-_0-9]*){0,20}"  # class names, dots between
_PARTS = {
    "CODE": r"(?:^|\n)( {4}[^\n]+\n*)+",
    "INLINE_CODE": r"`([^`]+?)`",
    "CONTENT": rf"\.({_NAMES})\[",
    "FENCES": r"(?:^|\n) *(?=(`{3,}|~{3,}))\4(?: *(?:\S+)? *\n[\s\S]+?\4 *(?:\n+|\Z)|(?P<uneven>)\S* *\n)",
    "DEF": r"(?:^|\n) *\[([^\]]{1,1000})\]: *<?([^\s>]+)>?(?: +[\"(]([^\n]+)[\")])? *(?:\n+|\Z)",
    "MACRO": r"!\[:(?=[^\]]{1,1000}\])([^\] ]+)([^\]]*)\](?:\(([^\)]{0,1000})\))?",
    "SEPARATOR": r"(?:^|\n)(---?)(?:\n|\Z)",
    "NOTES_SEPARATOR": r"(?:^|\n)(\?{3})(?:\n|\Z)",
    "ESCAPED_CONTENT": rf"\\\.(?P<escaped>{_NAMES})\[",
}
_BLOCK = ["CODE", "INLINE_CODE", "CONTENT", "FENCES", "DEF", "MACRO", "SEPARATOR", "NOTES_SEPARATOR",
          "ESCAPED_CONTENT"]
_INLINE = _BLOCK[:6] + ["ESCAPED_CONTENT"]

# Group numbers in the combined expression: remark's, those after FENCES shifted by `uneven`.
CODE, INLINE_CODE, CONTENT, FENCES, MACRO, SEPARATOR, NOTES_SEPARATOR = 1, 2, 3, 4, 9, 12, 13


def _combine(names: list[str], at_start: bool) -> re.Pattern[str]:
    """The combined expression; `at_start` versions may match `^` at the scan position."""
    body = "|".join(_PARTS[n] for n in names)
    if at_start:
        return re.compile(body.replace("(?:^|\\n)", "(?:|\\n)"))
    # Away from the scan position every part starts with one character (a newline, a
    # backquote, a dot, `!` or a backslash): the search looks for those first.
    return re.compile(body.replace("(?:^|\\n)", "\\n"))


_BLOCK_AT, _BLOCK_AFTER = _combine(_BLOCK, True), _combine(_BLOCK, False)
_INLINE_AT, _INLINE_AFTER = _combine(_INLINE, True), _combine(_INLINE, False)


class Token(NamedTuple):
    """A structural token: kind is separator, notes, fences, code, inline_code, content or
    macro (`![:name args]`, text the macro's name), or open: a `.class[` opener that no `]`
    closes in the rest of the text (remark shows it as text; an escaped `\\.class[` is meant
    as text and is not one)."""

    kind: str
    start: int  # offset of the match (a separator's match includes the newline before it)
    end: int
    text: str = ""  # the separator itself ("---", "--", "???") or the content class


def _bracket_end(src: str, pos: int, end: int, brackets: int = -1) -> int | None:
    """Offset just after the `]` of `src[:end]` that closes a bracket opened before `pos`, or
    None; or LONG_WALK when finding it takes more than `brackets` brackets (-1: no limit)."""
    depth = 1
    nxt_open = nxt_close = -1  # the next of each after `pos` (looked for again once passed)
    while depth > 0 and pos < end:
        if brackets == 0:
            return LONG_WALK
        brackets -= 1
        if nxt_open < pos:
            nxt_open = src.find("[", pos, end)
            if nxt_open < 0:
                nxt_open = end  # none: after any `]`
        if nxt_close < pos:
            nxt_close = src.find("]", pos, end)
            if nxt_close < 0:
                return None
        if nxt_open < nxt_close:
            depth += 1
            pos = nxt_open + 1
        else:
            depth -= 1
            pos = nxt_close + 1
    return pos if depth == 0 else None


LONG_WALK = -1
WALK = 64  # brackets a `.class[` walks over to its `]` before all brackets are matched at once


class _Closers:
    """Where the `]` closing each `.class[` of one scan of `src[:end]` is. Each walks to its
    `]` (a box holds few brackets); once a walk is long, the brackets of the whole text are
    looked up, matched in one pass once per text (see _matched_brackets): a run of openers
    (`.a[.a[.a[`...) each walking to the end of the run, or each box of boxes nested
    thousands deep matching the brackets of its content again, made the work grow as the
    square of their number."""

    def __init__(self, src: str, end: int) -> None:
        self.src, self.end = src, end
        self.last = src.rfind("]", 0, end)  # after it, no bracket is closed (looked for once)
        self.table = _matched_brackets.known(src)  # (matched for another scan of the text)

    def end_of(self, pos: int) -> int | None:
        """As _bracket_end(src, pos, end) (`pos`: just after the `[`)."""
        if pos > self.last:
            return None
        if self.table is None:
            found = _bracket_end(self.src, pos, self.end, WALK)
            if found != LONG_WALK:
                return found
            self.table = _matched_brackets(self.src)
        # The walk from a `[` reads nothing before it: its `]` in the whole text is its `]`
        # in `src[:end]` if it comes before `end`, else it has none there.
        close = self.table.get(pos - 1)
        return close if close is not None and close <= self.end else None


_BRACKET = re.compile(r"[\[\]]")


def _match_brackets(src: str) -> dict[int, int]:
    """For each `[` of `src` that a `]` closes, the offset just after that `]`."""
    table, opened = {}, []
    for m in _BRACKET.finditer(src):
        if m.group() == "[":
            opened.append(m.start())
        elif opened:
            table[opened.pop()] = m.end()
    return table


# Remembered for the text itself: each box of a text is scanned on its own, from the text.
_matched_brackets = SameObjectMemo(_match_brackets, limit=64)


# A run of fence marks that ends its line (spaces may follow): where a fence may close.
_CLOSING_RUN = {mark: re.compile(rf"(?<!{mark}){mark}+(?= *(?:\n|\Z))") for mark in "`~"}
_CLOSING_TAIL = re.compile(r" *(?:\n+|\Z)")


def _uneven_fence_end(src: str, m: re.Match[str], end: int) -> int | None:
    """The end of the fence whose opening line `m` is (group `uneven`: no run as long as its
    opening run closes it) in `src[:end]`, as remark finds it, or None. remark tries one mark fewer, and
    fewer: the first number that some run ending a line of the rest has closes the fence,
    at the first such line (the body takes at least one character)."""
    start, stop = m.span(FENCES)
    if stop - start < 4:
        return None
    body = m.end() + 1
    runs = [(max(run.start(), body), run.end()) for run in _CLOSING_RUN[src[start]].finditer(src, m.end(), end)]
    marks = min(stop - start - 1, max((end - begin for begin, end in runs), default=0))
    if marks < 3:
        return None
    close = next(stop for begin, stop in runs if stop - begin >= marks)
    return _CLOSING_TAIL.match(src, close, end).end()  # type: ignore[union-attr]


def _next_match(src: str, pos: int, end: int, at: re.Pattern[str],
                after: re.Pattern[str]) -> tuple[re.Match[str], int] | None:
    """The next match in `src[pos:end]` and where it ends. An `uneven` fence opening that
    remark's fence part would not make is passed over: no other part matches at a fence's line."""
    m = at.match(src, pos, end) or after.search(src, pos + 1, end)
    while m and m.group("uneven") is not None:
        if (stop := _uneven_fence_end(src, m, end)) is not None:
            return m, stop
        m = after.search(src, m.start() + 1, end)
    return (m, m.end()) if m else None


def scan(src: str, inline: bool = False, pos: int = 0, end: int | None = None) -> list[Token]:
    """The structural tokens of `src[pos:end]`, in order, as remark's lexer finds them."""
    at, after = (_INLINE_AT, _INLINE_AFTER) if inline else (_BLOCK_AT, _BLOCK_AFTER)
    # Read up to `end` as if the text ended there (the expressions' `endpos`), not from a copy
    # of `src[:end]`: each box of boxes nested thousands deep is scanned on its own.
    end = len(src) if end is None else end
    tokens: list[Token] = []
    closers = None
    while pos < end and (found := _next_match(src, pos, end, at, after)):
        m, stop = found
        if m.end() == m.start() and m.start() == pos:  # an empty match cannot advance
            break
        if m.group(CODE):
            tokens.append(Token("code", m.start(), m.end()))
        elif m.group(INLINE_CODE):
            tokens.append(Token("inline_code", m.start(), m.end()))
        elif m.group(FENCES):
            tokens.append(Token("fences", m.start(), stop))
            pos = stop
            continue
        elif not inline and m.group(SEPARATOR):
            tokens.append(Token("separator", m.start(), m.end(), m.group(SEPARATOR)))
        elif not inline and m.group(NOTES_SEPARATOR):
            tokens.append(Token("notes", m.start(), m.end(), "???"))
        elif names := m.group(CONTENT) or m.group("escaped"):
            closers = closers or _Closers(src, end)
            close = closers.end_of(m.end())
            if close is not None:
                tokens.append(Token("content", m.start(), close, "." + names))
                pos = close
                continue
            if m.group(CONTENT):
                tokens.append(Token("open", m.start(), m.end(), "." + names))
        elif m.group(MACRO):
            tokens.append(Token("macro", m.start(), m.end(), m.group(MACRO)))
        pos = m.end()
    return tokens


def fenced_blocks(src: str, tokens: list[Token] | None = None, inline: bool = False) -> list[tuple[int, int]]:
    """(start, end) of every fenced code block remark sees in `src`, `.class[...]` blocks included.

    `tokens`: `scan(src)`, when the caller has it already. remark's match of a fence
    may take the newline before it and those after it: a block is without them, so
    that it is the same text wherever it stands.
    """
    found = []
    # The blocks' contents to lex, each on its own: (its start and end in `src`, its tokens
    # if known). A list, not a call for each block: boxes may be nested thousands deep.
    todo: list[tuple[int, int, list[Token] | None]] = [(0, len(src), tokens)]
    marks = MarkPlaces(src, "```"), MarkPlaces(src, "~~~")
    while todo:
        low, high, known = todo.pop()
        for token in scan(src, inline or low > 0, low, high) if known is None else known:
            if token.kind == "fences":
                start, end = token.start, token.end
                if src.startswith("\n", start):
                    start += 1
                while end > start and src[end - 1] == "\n":
                    end -= 1
                found.append((start, end))
            elif token.kind == "content":
                # remark lexes a block's content on its own: so do we, if it may hold a fence
                # (most blocks do not). Boxes side by side are looked into each once; a box in
                # a box is looked up (see MarkPlaces).
                opening, close = content_start(src, token), token.end - 1
                if any(mark.find(opening, close, listed=low > 0) >= 0 for mark in marks):
                    todo.append((opening, close, None))
    return sorted(found)


class MarkPlaces:
    """Where a mark (`<!--`, `-->`, `![:`, a fence's ```` ``` ````) is in a text. Looked for
    in the text of a chapter, or of a box in it (those side by side, each read once); listed
    once, the first time one is looked for in a box in a box, and looked up: in boxes nested
    thousands deep, each box's content holds those of all the boxes in it, and looking in
    each read them again."""

    def __init__(self, text: str, mark: str) -> None:
        self.text, self.mark = text, mark
        self.at: list[int] | None = None

    def find(self, low: int, high: int, listed: bool = True) -> int:
        """As `text.find(mark, low, high)`."""
        if not listed:
            return self.text.find(self.mark, low, high)
        if self.at is None:
            self.at = []
            pos = self.text.find(self.mark)
            while pos >= 0:
                self.at.append(pos)
                pos = self.text.find(self.mark, pos + 1)
        i = bisect.bisect_left(self.at, low)
        return self.at[i] if i < len(self.at) and self.at[i] + len(self.mark) <= high else -1


_FENCE_MARK = re.compile("```|~~~")
_BACKQUOTES = re.compile("```")  # alone, found five times sooner than either mark


def fence_lines(src: str) -> Iterator[tuple[int, int, int]]:
    """(start, end of the mark, end) of each line of `src` that starts with a fence mark
    (three backquotes or tildes after nothing but spaces), in order.

    Where an expression is anchored at line starts (`^` with re.MULTILINE), trying it
    on these lines only finds what its `finditer` would, several times sooner: `^` is
    tried at every character, a mark found by a quick search.
    """
    for mark in (_FENCE_MARK if "~~~" in src else _BACKQUOTES).finditer(src):
        start = mark.start()
        if start and src[start - 1] not in " \n":
            continue  # text before it on its line (as each mark after the first of a long run)
        # Back over the spaces before it only (not to its line's start: a long line of marks
        # after spaces was read back to its start for each); its line starts there, or not.
        while start and src[start - 1] == " ":
            start -= 1
        if not start or src[start - 1] == "\n":
            end = src.find("\n", mark.end())
            yield start, mark.end(), len(src) if end < 0 else end


# A `---`, `--` or `???` line: a separator, unless code takes it in.
_SEPARATOR_LINE = re.compile(r"\n(?:---?|\?{3})\n")
_SEPARATOR_AHEAD = re.compile(r"\n(?=(---?|\?{3})\n)")  # the same, each (the next's newline is this one's)


CODE_KINDS = ("fences", "code", "inline_code")  # the tokens that are code


def code_spans(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(start, end) of each code token, in order."""
    return [(t.start, t.end) for t in tokens if t.kind in CODE_KINDS]


def content_start(src: str, block: Token) -> int:
    """Where the content of a `.class[...]` block (a content token) starts: after its `[`."""
    return src.index("[", block.start + len(block.text)) + 1


def separators_in_span(src: str, start: int, end: int) -> list[Token]:
    """The `---`, `--` and `???` lines (outside code) in `src[start:end]`, the content of an
    inline code span (or of a `.class[...]` block), whatever HTML they are in.

    remark reads such content on its own, without separators: the slides these lines
    would have split are merged into it. Its lexer knows no HTML: a code span left open
    in a `<pre>` merges slides too.
    """
    if not _SEPARATOR_LINE.search(src, start, end):
        return []  # no such line (most blocks): nothing to scan
    return _separator_lines(src, scan(src, pos=start, end=end))


def _separator_lines(src: str, tokens: list[Token]) -> list[Token]:
    # Only whole lines of the source: the content starts after the `[` and ends before the
    # `]`, so a `--` right after one (`.red[--]`) or before one (`--]`) is not alone on its
    # line, though a scan from that position (or up to that end) would take it as one.
    return [t for t in tokens if t.kind in ("separator", "notes") and src[t.start] == "\n" == src[t.end - 1]]


def separators_in_block(src: str, start: int, end: int) -> list[Token]:
    """The separator lines in a `.class[...]` block's content `src[start:end]` that its
    author may have meant as separators: not those in code, nor in raw HTML (a comment, a
    `<pre>`, `<textarea>`, `<script>` or `<style>` element): those are content written as
    it is meant to show, and remark, which takes them into the block, shows them so.
    """
    if not _SEPARATOR_LINE.search(src, start, end):
        return []  # no such line (most blocks): nothing to scan
    # remark reads a block's content without separators, the blocks in it as text: their
    # separator lines are this block's too, unless in raw HTML at some level. Each block
    # (start, end, tokens, the index of the block it is in), outer ones first: a list, not
    # a call for each block (boxes may be nested thousands deep). Whether a block holds a
    # separator line is looked up in a list of them made once, not looked for in it: each
    # box of boxes nested thousands deep holds the lines of all those in it.
    at = [(m.start(), m.end(1) + 1) for m in _SEPARATOR_AHEAD.finditer(src, start, end)]
    blocks: list[tuple[int, int, list[Token], int]] = []
    todo = [(start, end, -1)]
    while todo:
        low, high, outer = todo.pop()
        i = bisect.bisect_left(at, (low,))  # the first line from `low` on (their ends in order too)
        if i == len(at) or at[i][1] > high:
            continue
        tokens = scan(src, pos=low, end=high)
        todo += [(content_start(src, t), t.end - 1, len(blocks)) for t in tokens if t.kind == "content"]
        blocks.append((low, high, tokens, outer))
    found = [_separator_lines(src, tokens) for _, _, tokens, _ in blocks]
    for i in reversed(range(len(blocks))):  # each block after those in it
        low, high, tokens, outer = blocks[i]
        lines = sorted(found[i], key=lambda t: t.start)
        if lines and src.find("<", low, high) >= 0:
            raw = raw_spans(src, low, high, code_spans(tokens))
            lines = [t for t in lines if not inside(raw, t.start + 1)]
        if outer >= 0:
            found[outer] += lines
        found[i] = lines
    return found[0]


def separators(src: str) -> list[Token]:
    """The `---`, `--` and `???` lines that remark splits `src` on."""
    return [t for t in scan(src) if t.kind in ("separator", "notes")]
