"""Readable, unique slide anchors for chapter titles."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits of any script stay (`é`, `設`): the page finds a name in any script
# (templates/remark.html); the rest, punctuation, emoji and `_` (of `**_emphasis_**`), goes.
_DROP = re.compile(r"[^\w-]+|_+")
_DASHES = re.compile(r"-{2,}")


def slug(title: str) -> str:
    """`Docker 30,000ft overview` -> `docker-30000ft-overview`, `Écrire à` -> `écrire-à`."""
    text = unicodedata.normalize("NFC", title).lower().replace(" ", "-")
    text = _DASHES.sub("-", _DROP.sub("", text)).strip("-")
    return text or "chapter"


def unique_anchor(title: str, taken: set[str]) -> str:
    """`toc-` + the title's slug, with -2, -3… when a deck already has that name."""
    base = "toc-" + slug(title)
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor
