"""How wide text shows in a terminal, so that columns of names line up."""

from __future__ import annotations

import unicodedata


def shown_width(text: str) -> int:
    """Columns a terminal gives `text`: two for a wide character (CJK, most emoji), none for
    a combining mark or a zero-width one, one for the rest."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` columns (as f"{text:<{width}}" by characters)."""
    return text + " " * max(0, width - shown_width(text))
