"""The `@@` directives: includes (expanded when a chapter is read) and per-deck substitutions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import DeckwrightError, Problem
from .model import Manifest, RepoLink, SourceLoc

INCLUDE = re.compile(r"@@INCLUDE\[([^\]\n]*)\]")
LINK = re.compile(r"@@LINK\[([^\]\n]*)\]")
_NEWLINE = re.compile("\n")
NAMED = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")
VALUE_NAMES = ("TITLE", "CHAT", "GITREPO", "SLIDES", "ZIP", "HTML", "SLIDENUMBERPREFIX")
KNOWN = frozenset(VALUE_NAMES + ("TOC",))
MAX_INCLUDE_DEPTH = 8
# Per chapter. Real chapters include a few files; a file including another many times, nested,
# would otherwise expand exponentially (an "include bomb") and never finish.
MAX_INCLUDES = 1000


@dataclass(frozen=True)
class _Piece:
    start: int  # offset in the expanded text
    path: str
    text: str
    first_line: int


class Expanded:
    """A chapter's text with its includes expanded, and where each offset came from."""

    def __init__(self, pieces: list[_Piece]) -> None:
        self.pieces = pieces
        self.text = "".join(p.text for p in pieces)
        self._starts = [p.start for p in pieces]
        # (piece, offset in it, line there): callers mostly go forward, counting lines from
        # the last place located; a place back from it, or in another piece, is looked up in
        # that piece's list of line ends, made once (a square-time count from its start else).
        self._last = (0, 0, pieces[0].first_line)
        self._line_ends: dict[int, list[int]] = {}

    def locate(self, offset: int) -> SourceLoc:
        index = max(0, bisect.bisect_right(self._starts, offset) - 1)
        piece = self.pieces[index]
        at = offset - piece.start
        last_index, last_at, last_line = self._last
        if last_index == index and last_at <= at:
            line = last_line + piece.text.count("\n", last_at, at)
        else:
            ends = self._line_ends.get(index)
            if ends is None:
                ends = self._line_ends[index] = [m.start() for m in _NEWLINE.finditer(piece.text)]
            line = piece.first_line + bisect.bisect_left(ends, at)
        self._last = (index, at, line)
        return SourceLoc(piece.path, line)

    def seams(self, start: int, end: int) -> tuple[tuple[int, SourceLoc], ...]:
        """Where `text[start:end]` goes on in another file: (offset from `start`, where that
        is) for each piece starting inside it, so that a slide locates its own lines."""
        first = bisect.bisect_right(self._starts, start)
        if first >= len(self._starts) or self._starts[first] >= end:  # most slides: one piece
            return ()
        last = bisect.bisect_left(self._starts, end, first)
        return tuple(
            (p.start - start, SourceLoc(p.path, p.first_line)) for p in self.pieces[first:last]
        )


ReadInclude = Callable[[str, SourceLoc], tuple[str, str]]


def expand_includes(path: str, text: str, read: ReadInclude, first_line: int = 1, one_line: bool = False) -> Expanded:
    """Replace each `@@INCLUDE[file]` by the file's text (via `read`, which checks the path).

    `one_line`: all of `text` (not what it includes) is located at `first_line`, its lines
    being no lines of its file (Markdown in a quoted YAML scalar)."""
    pieces: list[_Piece] = []
    _expand(path, text, first_line, read, pieces, (path,), [0], one_line)
    if not pieces:  # an empty chapter still has a place, for messages about it
        pieces.append(_Piece(0, path, "", first_line))
    return Expanded(pieces)


def _expand(
    path: str, text: str, line: int, read: ReadInclude, out: list[_Piece], chain: tuple[str, ...],
    count: list[int], one_line: bool = False,
) -> None:
    def line_at(offset: int) -> int:
        return line if one_line else line + text.count("\n", 0, offset)

    add = _add_each_line if one_line else _add
    pos = 0
    for m in INCLUDE.finditer(text):
        add(out, path, text[pos : m.start()], line_at(pos))
        loc = SourceLoc(path, line_at(m.start()))
        count[0] += 1
        if count[0] > MAX_INCLUDES:
            raise DeckwrightError(Problem(
                loc, f"over {MAX_INCLUDES} @@INCLUDEs expanded in one chapter (do includes repeat?)",
                "error", m.group(0),
            ))
        target, content = read(m.group(1).strip(), loc)
        if target in chain or len(chain) > MAX_INCLUDE_DEPTH:
            what = _cycle(chain, target) if target in chain else "nests includes too deeply"
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{m.group(1)}] {what}", "error", m.group(0)))
        _expand(target, content, 1, read, out, chain + (target,), count)
        pos = m.end()
    add(out, path, text[pos:], line_at(pos))


def _cycle(chain: tuple[str, ...], target: str) -> str:
    """What an include of `target`, already being expanded, does: name the files of the cycle."""
    if chain[-1] == target:
        return "includes itself"
    return "makes a cycle: " + " -> ".join(chain[chain.index(target):] + (target,))


def _add(out: list[_Piece], path: str, text: str, first_line: int) -> None:
    if text:
        start = out[-1].start + len(out[-1].text) if out else 0
        out.append(_Piece(start, path, text, first_line))


def _add_each_line(out: list[_Piece], path: str, text: str, line: int) -> None:
    """Add `text` as one piece per line, each at `line`: a slide cut from it then locates
    each of its lines there (see Step.seams), not lines below."""
    for part in text.splitlines(keepends=True):
        _add(out, path, part, line)


def unknown_directives(text: str, locate: Callable[[int], SourceLoc]) -> list[Problem]:
    """Warnings for `@@NAME@@` that deckwright does not know (likely a typo)."""
    return [
        Problem(locate(m.start()), f"unknown directive @@{m.group(1)}@@ is left as it is", "warning")
        for m in NAMED.finditer(text)
        if m.group(1) not in KNOWN
    ]


def directive_values(manifest: Manifest) -> dict[str, str]:
    """What each `@@NAME@@` of a deck becomes in its Markdown."""
    return {
        "TITLE": manifest.title.strip("\n").replace("\n", "<br/>"),
        "CHAT": manifest.chat,
        "GITREPO": manifest.gitrepo,
        "SLIDES": manifest.slides,
        "ZIP": manifest.zip,
        "HTML": manifest.html,
        "SLIDENUMBERPREFIX": manifest.slidenumberprefix,
    }


def substitute(text: str, values: Mapping[str, str], repo: RepoLink | None) -> str:
    """Replace the known `@@NAME@@` and `@@LINK[path]` directives in `text`."""
    if "@@" not in text:
        return text
    text = NAMED.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return LINK.sub(lambda m: _link(m.group(1).strip(), repo), text)


def _link(path: str, repo: RepoLink | None) -> str:
    url = repo.tree_url(path) if repo else path
    return f"[{path}]({url})"
