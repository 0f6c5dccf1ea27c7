"""Code highlighting at build time: fenced code coloured by Pygments instead of in the browser.

remark runs highlight.js over every code block while a deck loads. We colour the
blocks once, here, and leave remark everything else it does to code (the lines,
`*` highlighted lines, backquoted spans), so that what a slide shows keeps its
meaning and its text:

- the fence keeps its place and its lines (marked still sees a code block, with
  its indentation, inside lists and `.class[...]` blocks alike), only its
  language becomes `deckwright-hl-LANG`;
- on each line, the leading spaces (and a leading `*`) stay as they are, so
  that marked's dedenting and remark's `*` lines work as before; the rest of
  the line carries token marks: private-use characters that the page's script
  (templates/remark.html) turns into `<span class="hljs-...">` while remark
  highlights the block (it asks `remark.highlighter.engine.highlightBlock`);
- backquoted spans (remark's `highlightSpans`) are found as remark finds them,
  on the line's text, and marked too, so token colours cannot break them;
  a line with an escaped span (a backslash before the backquote) is left
  uncoloured for remark to handle;
- so is a line with a `{{...}}`: remark replaces it by the slide's property of
  that name (or drops the backslash before an escaped one) in code too, and token marks
  inside it would hide it from remark.

Languages Pygments does not know, and blocks without a language, are left to
remark. Results are remembered per block (newlines around it aside): decks share
chapters, and a build with two processes colours its blocks ahead in the second
one (colourer.py), which hands them over with `remember`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from pygments.token import Comment, Generic, Keyword, Literal, Name, String, _TokenType

from .remark_lexer import fenced_blocks

LANGUAGE_PREFIX = "deckwright-hl-"

# Token marks in the code text; the page's script turns them into spans.
OPEN = "\ue000"  # followed by one letter of CLASSES: opens a token span
CLOSE = "\ue001"  # closes a token span
SPAN_OPEN = "\ue002"  # opens a remark-code-span-highlighted span
SPAN_CLOSE = "\ue003"
MARKS = (OPEN, CLOSE, SPAN_OPEN, SPAN_CLOSE)

# highlight.js class names, so that remark's highlight styles (`highlightStyle`) apply.
CLASSES = {
    "c": "hljs-comment",
    "k": "hljs-keyword",
    "l": "hljs-literal",
    "y": "hljs-type",
    "s": "hljs-string",
    "r": "hljs-regexp",
    "n": "hljs-number",
    "b": "hljs-built_in",
    "t": "hljs-title",
    "v": "hljs-variable",
    "a": "hljs-attribute",
    "g": "hljs-name",
    "m": "hljs-meta",
    "d": "hljs-deletion",
    "i": "hljs-addition",
}

# Most specific first: the first type a token is a subtype of gives its letter.
_TOKEN_LETTERS: tuple[tuple[_TokenType, str], ...] = (
    (Comment.Preproc, "m"),
    (Comment, "c"),
    (Keyword.Constant, "l"),
    (Keyword.Type, "y"),
    (Keyword, "k"),
    (String.Regex, "r"),
    (String, "s"),
    (Literal.Number, "n"),
    (Name.Builtin, "b"),
    (Name.Function, "t"),
    (Name.Class, "t"),
    (Name.Decorator, "m"),
    (Name.Variable, "v"),
    (Name.Constant, "l"),
    (Name.Attribute, "a"),
    (Name.Tag, "g"),
    (Generic.Prompt, "m"),
    (Generic.Deleted, "d"),
    (Generic.Inserted, "i"),
    (Generic.Heading, "t"),
)

# remark's fence (remark_lexer.FENCES), read in time that grows with the block, not its square:
# the opening run is taken whole (a block that only fewer marks close has a language
# starting with marks, which no lexer has, and is not coloured either way), and the body
# ends only after a character that is not a space (or at its first), where `\s*` starts.
FENCE = re.compile(r"(\n? *)(?=(`{3,}|~{3,}))\2( *)(\S+)?( *\n)([\s\S](?:[\s\S]*?\S)??)(\s*\2 *(?:\n+|\Z))")
# remark's highlightSpans: a backquoted run after any character but a backquote.
SPAN = re.compile(r"([^`])`([^`]+?)`")
# What stays as it is at the start of a line: indentation and remark's `*` mark.
LINE_START = re.compile(r"[ \t]*(?:\*[ \t]*)?")
# What remark's expandVariables replaces in a slide's text, code included.
VARIABLE = re.compile(r"\{\{[^}\n]+\}\}")


@cache
def _letter(token: _TokenType) -> str:
    for kind, letter in _TOKEN_LETTERS:
        if token in kind:
            return letter
    return ""


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    # Pygments' own lexers only: plugins would make a deck's colours depend on what else
    # is installed, and asking for them reads every installed package's metadata (0.8 s
    # per process, for each language Pygments does not know, like the corpus's `keys`).
    # Imported here: Pygments' lexers take 0.04 s to import, and a process handed all
    # its blocks coloured (`remember`) needs none.
    from pygments.lexers import get_all_lexers

    return frozenset(alias for _, aliases, _, _ in get_all_lexers(plugins=False) for alias in aliases)


@lru_cache(maxsize=64)
def _lexer(language: str):
    if language not in _builtin_aliases():
        return None
    from pygments.lexers import find_lexer_class_by_name

    from .lexing import quick_lexer_class

    lexer_class = quick_lexer_class(find_lexer_class_by_name(language))
    return lexer_class(stripnl=False, ensurenl=False, tabsize=0)


def highlight_markdown(markdown: str) -> str:
    """The deck's Markdown with each fenced block that Pygments can colour coloured."""
    if "```" not in markdown and "~~~" not in markdown:
        return markdown  # most slides: no need to scan them
    return highlight_blocks(markdown, fenced_blocks(markdown))


def highlight_blocks(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the fenced blocks at `spans` (remark_lexer.fenced_blocks) coloured."""
    if not spans:
        return text
    pieces, done = [], 0
    for start, end in spans:
        pieces.append(text[done:start])
        pieces.append(coloured_block(text[start:end]))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


# Coloured blocks by their text (see remark_lexer.fenced_blocks).
_COLOURED: dict[str, str] = {}
_COLOURED_LIMIT = 1 << 13


def coloured_block(block: str) -> str:
    """`colour_block(block)`, remembered."""
    coloured = _COLOURED.get(block)
    if coloured is None:
        coloured = colour_block(block)
        if len(_COLOURED) >= _COLOURED_LIMIT:
            _COLOURED.clear()
        _COLOURED[block] = coloured
    return coloured


def remember(coloured: dict[str, str]) -> None:
    """Take blocks coloured elsewhere (`colour_block` results, by block) as if coloured here."""
    if len(_COLOURED) + len(coloured) > _COLOURED_LIMIT:
        _COLOURED.clear()
    _COLOURED.update(coloured)


def colour_block(fence: str) -> str:
    """A fenced block (remark_lexer.fenced_blocks) coloured if its language is known (nothing remembered)."""
    m = FENCE.match(fence)
    if not m or not m.group(4) or m.group(4).startswith(LANGUAGE_PREFIX):
        return fence
    lead, ticks, gap, language, newline, body, closing = m.groups()
    lexer = _lexer(language.lower())
    if lexer is None or any(mark in body for mark in MARKS):
        return fence
    indent = len(lead.lstrip("\n"))
    lines = body.split("\n")
    tokens = _tokens(lexer, "\n".join(_as_remark_sees(line, indent) for line in lines))
    # Each line as the lexer gives it back (Pygments' lexers give back what they are
    # given, or nearly: a line whose text does not end as the block's is left as it is).
    seen = "".join([value for _, value in tokens]).split("\n")
    if len(seen) != len(lines):
        return fence
    starts = [LINE_START.match(line).end() for line in lines]  # type: ignore[union-attr]
    # The characters of each line as seen before the part coloured (the rest of the line
    # after its start): the lexer saw the line without the fence's indentation.
    skips = [len(shown) - (len(line) - start) for shown, line, start in zip(seen, lines, starts)]
    coloured = map(_coloured_line, lines, starts, seen, _marked_lines(tokens, skips))
    return f"{lead}{ticks}{gap}{LANGUAGE_PREFIX}{language}{newline}{chr(10).join(coloured)}{closing}"


def _as_remark_sees(line: str, indent: int) -> str:
    """The line without the fence's indentation, its `*` mark made spaces as remark does."""
    spaces = len(line) - len(line.lstrip(" "))
    line = line[min(spaces, indent):]
    if line.startswith("*"):
        line = re.sub(r"^\*( )?", r"\1\1", line)
    return line


class _TokenMarks(dict):
    """The mark opening each token type's colour ("" for none), by token type."""

    def __missing__(self, token: _TokenType) -> str:
        letter = _letter(token)
        mark = self[token] = OPEN + letter if letter else ""
        return mark


_TOKEN_MARKS = _TokenMarks()


def _tokens(lexer, text: str) -> list[tuple[str, str]]:
    """The lexer's tokens of `text`, as (opening mark, text) pairs."""
    marks = _TOKEN_MARKS
    if lexer.filters or not hasattr(lexer, "_preprocess_lexer_input"):
        return [(marks[token], value) for token, value in lexer.get_tokens(text)]
    # What get_tokens does, without its generator around each token.
    text = lexer._preprocess_lexer_input(text)
    return [(marks[token], value) for _, token, value in lexer.get_tokens_unprocessed(text)]


def _marked_lines(tokens: list[tuple[str, str]], skips: list[int]) -> list[str]:
    """Each line of the tokens' text with token marks, without its first `skips[n]` characters.

    A mark opens where the colour changes and closes before a change and at the end of
    each line: each line's marks stand alone.
    """
    lines: list[str] = []
    out: list[str] = []
    skip = skips[0]
    shown = ""  # the opening mark in force
    for mark, value in tokens:
        while True:  # once per line the token is on
            cut = value.find("\n")
            piece = value if cut < 0 else value[:cut]
            if skip:
                if skip >= len(piece):
                    skip -= len(piece)
                    piece = ""
                else:
                    piece = piece[skip:] if skip > 0 else piece
                    skip = 0
            if piece:
                if mark != shown:
                    if shown:
                        out.append(CLOSE)
                    if mark:
                        out.append(mark)
                    shown = mark
                out.append(piece)
            if cut < 0:
                break
            if shown:  # the line ends
                out.append(CLOSE)
                shown = ""
            lines.append("".join(out))
            out = []
            skip = skips[len(lines)]
            value = value[cut + 1:]
    if shown:
        out.append(CLOSE)
    lines.append("".join(out))
    return lines


def _coloured_line(line: str, start: int, seen: str, marked: str) -> str:
    """`line` with its start kept and the rest marked as `marked` marks it.

    `seen` is the line as the lexer gave it back, `marked` its end from where `line`'s
    rest starts, with token marks.
    """
    rest = line[start:]
    if not rest.strip() or not seen.endswith(rest):  # nothing to colour, or text not ours
        return line
    if "{{" in rest and VARIABLE.search(rest):
        return line  # remark's {{property}}: left whole for remark to expand
    spans = list(SPAN.finditer(rest)) if "`" in rest else []
    if not spans:  # most lines
        return line[:start] + marked
    if any(s.group(1) == "\\" for s in spans):
        return line  # remark removes the backslash itself; colours would break its match
    quotes = {q for s in spans for q in (s.start(2) - 1, s.end(2))}
    inside = {i for s in spans for i in range(s.start(2), s.end(2))}
    return line[:start] + _marked(rest, _letters(marked), quotes, inside)


_MARK_OR_TEXT = re.compile(f"{OPEN}(.)|{CLOSE}|[^{OPEN}{CLOSE}]+")


def _letters(marked: str) -> list[str]:
    """The letter of each character of a line marked by _marked_lines ("": none)."""
    letters: list[str] = []
    letter = ""
    for m in _MARK_OR_TEXT.finditer(marked):
        if m.group(1):
            letter = m.group(1)
        elif m.group(0) == CLOSE:
            letter = ""
        else:
            letters += [letter] * len(m.group(0))
    return letters


def _marked(rest: str, letters: list[str], quotes: set[int], inside: set[int]) -> str:
    """`rest` with token marks, span marks instead of its span quotes."""
    out: list[str] = []
    letter, in_span = "", False
    for i, char in enumerate(rest):
        if i in quotes:
            continue
        if (i in inside) != in_span or letters[i] != letter:
            if letter:
                out.append(CLOSE)
            if (i in inside) != in_span:
                in_span = not in_span
                out.append(SPAN_OPEN if in_span else SPAN_CLOSE)
            letter = letters[i]
            if letter:
                out.append(OPEN + letter)
        out.append(char)
    if letter:
        out.append(CLOSE)
    if in_span:
        out.append(SPAN_CLOSE)
    return "".join(out)
