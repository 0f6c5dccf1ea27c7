"""Readable, unique slide anchors for chapter titles."""

from __future__ import annotations

import re

_DROP = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")


def slug(title: str) -> str:
    """`Docker 30,000ft overview` -> `docker-30000ft-overview` (ASCII letters, digits, dashes)."""
    text = title.lower().replace(" ", "-")
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
