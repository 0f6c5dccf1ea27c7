"""Colouring ahead: a second process colours the code of a build's decks while the build parses them.

Colouring code is about half of a cold build, and it needs only the chapters'
text. A forked process reads the chapters of each deck in turn, colours their
fenced blocks (highlight.py) and sends them over a pipe, a few at a time; a thread
of the build hands them to highlight.py's memory. The build meanwhile parses, runs
the stages and copies pictures; then it writes the pages of the decks whose blocks
have come, and when none has, takes the last deck left and colours its blocks
itself: the two processes meet in the middle of what is left, and neither waits.

The build never depends on it: a block the process did not colour (it died, or a
stage changed the block) is coloured by the build as usual, and the same function
makes the same text either way. The process writes no file, prints nothing, and
stops as soon as the build that forked it is gone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from multiprocessing.connection import Connection

from . import forking
from .remark_lexer import fence_lines, fenced_blocks

# For each deck in turn: its name, the text of each chapter it uses, its `@@` values.
Decks = Iterable[tuple[str, list[str], Mapping[str, str]]]
# What goes over the pipe, a few blocks at a time: the deck being coloured, {block:
# coloured} for blocks it shows that nothing sent before held, whether that deck is done
# (its last batch), and how many blocks of all decks are left to colour.
Batch = tuple[str, dict[str, str], bool, int]
BATCH_BLOCKS = 32  # small batches: the build colours itself what has not come yet


class Colourer:
    """The colouring process of a build, and the thread taking in what it sends."""

    def __init__(self, pid: int, results: Connection) -> None:
        self.pid = pid
        self._results = results
        self._done: set[str] = set()  # decks whose blocks have all come
        self._ended = False  # nothing more will come
        self.left = float("inf")  # blocks the process has still to colour, as it last said
        self._news = threading.Condition()
        self._receiver = threading.Thread(target=self._receive, name="deckwright-colours", daemon=True)
        self._receiver.start()

    @classmethod
    def start(cls, decks: Callable[[], Decks]) -> Colourer | None:
        """Fork the process, which colours the decks `decks()` gives; None if it cannot fork."""
        forked = forking.fork_helper(lambda sender, orphaned: colour_ahead(decks(), sender.send, orphaned), duplex=False)
        return None if forked is None else cls(*forked)

    def _receive(self) -> None:
        from .highlight import remember

        try:
            while True:
                name, coloured, complete, left = self._results.recv()
                remember(coloured)
                with self._news:
                    if complete:
                        self._done.add(name)
                    self.left = left
                    self._news.notify_all()
        except Exception:  # noqa: BLE001, S110 - the process ended, or died: the build colours the rest
            pass
        with self._news:
            self._ended = True
            self._news.notify_all()

    def has_coloured(self, name: str) -> bool:
        """Whether the blocks of deck `name` have all come, or no more will come at all."""
        return name in self._done or self._ended

    def wait(self, seconds: float) -> bool:
        """Wait for the next batch, or for the process to end; False if neither came in time."""
        with self._news:
            return self._ended or self._news.wait(seconds)

    def stop(self) -> None:
        """End the process if it still runs, and the thread (the build is over, or failed)."""
        forking.end(self.pid, 0)
        self._receiver.join()
        self._results.close()


# A fenced block as remark's lexer matches one (the closing marks may end a line of text;
# remark's `\s*` before them is left out, as in remark_lexer: it made blank lines slow).
_LIKELY_BLOCK = re.compile(r"^ *(`{3,}|~{3,}) *(?:\S+)? *\n[\s\S]+?\1 *$", re.MULTILINE)


def likely_blocks(text: str) -> list[str]:
    """The fenced blocks of `text`, found with one expression where it can be trusted.

    Over the corpus, a fifth of the time of remark's lexer (which is asked for 23 of its
    chapters) for the same blocks, and a few more. A block remark does not see (one in an
    indented code block, say) only costs its colouring; one missed would be coloured by
    the build itself, at the cost of loading Pygments there (0.05 s): the pages are the
    same either way. A line with two fence marks (such as "```key ^C```", inline code)
    is where the expression goes wrong: then remark's own lexer is asked.
    """
    blocks: list[str] = []
    done = 0  # where the last block ends
    for start, after, end in fence_lines(text):
        if text.find("```", after, end) >= 0 or text.find("~~~", after, end) >= 0:
            return [text[start:end] for start, end in fenced_blocks(text)]
        if start >= done:
            block = _LIKELY_BLOCK.match(text, start)
            if block:
                blocks.append(block.group(0))
                done = block.end()
    return blocks


def colour_ahead(decks: Decks, send: Callable[[Batch], object],
                 orphaned: Callable[[], bool] = lambda: False) -> None:
    """Colour the blocks of each deck's chapters, each block once, and `send` them deck by deck,
    in batches of at most BATCH_BLOCKS.

    A block holding `@@` directives is coloured as the deck's values make it too (as the
    build sees it after `substitute_directives`). Stops early once `orphaned()`.
    """
    from .directives import substitute
    from .highlight import colour_block

    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    plan: list[tuple[str, list[str]]] = []  # each deck, and the blocks no deck before it has
    for name, texts, values in decks:
        new = []
        for text in texts:
            if text not in found:
                found[text] = likely_blocks(text)
            for block in found[text]:
                for variant in (block, substitute(block, values, None)) if "@@" in block else (block,):
                    if variant not in seen:
                        seen.add(variant)
                        new.append(variant)
        plan.append((name, new))
    left = len(seen)
    for name, blocks in plan:
        batch: dict[str, str] = {}
        for block in blocks:
            if orphaned():
                return
            batch[block] = colour_block(block)
            left -= 1
            if len(batch) == BATCH_BLOCKS:
                send((name, batch, False, left))
                batch = {}
        send((name, batch, True, left))
