"""Readable, unique slide anchors for chapter titles."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits of any script stay (`é`, `設`, and the vowel signs of `हिन्दी`, marks
# written after their letter): the page finds a name in any script (templates/remark.html);
# the rest, punctuation, emoji and `_` (of `**_emphasis_**`), goes.
_DROP = re.compile(r"[^\w-]+|_+")
_VARIATION = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")  # marks, of emoji: `❤️`
_DASHES = re.compile(r"-{2,}")


def slug(title: str) -> str:
    """`Docker 30,000ft overview` -> `docker-30000ft-overview`, `Écrire à` -> `écrire-à`."""
    text = unicodedata.normalize("NFC", title).lower().replace(" ", "-")
    text = _DROP.sub("", text) if text.isascii() else _kept(text)
    text = _DASHES.sub("-", text).strip("-")
    return text or "chapter"


def _kept(text: str) -> str:
    """`text`'s letters, digits and dashes, with the marks written on a letter kept (the
    vowel signs of Devanagari, Thai or Arabic are no punctuation: `\\w` takes none)."""
    kept: list[str] = []
    for c in _VARIATION.sub("", text):
        if c == "-" or c.isalnum() or (kept and kept[-1] != "-" and unicodedata.category(c) in ("Mn", "Mc")):
            kept.append(c)
    return "".join(kept)


def unique_anchor(title: str, taken: set[str], tried: dict[str, int]) -> str:
    """`toc-` + the title's slug, with -2, -3… when a deck already has that name.

    `tried`: for each slug, the number to try next for it, those before it being taken (a
    deck of thousands of chapters of one title tried each from -2 on, the work growing as
    the square of their number). Called again with the same `taken` and `tried`.
    """
    base = "toc-" + slug(title)
    if base not in taken:
        taken.add(base)
        return base
    n = tried.get(base, 2)
    while f"{base}-{n}" in taken:
        n += 1
    tried[base] = n + 1
    anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor
