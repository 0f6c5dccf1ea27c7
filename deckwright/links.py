"""Links and pictures that slides reference, found in their Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .model import Slide, SourceLoc

_FENCED = re.compile(r"^ *(`{3,}|~{3,})[^\n]*\n.*?^ *\1 *$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)|href=[\"']#([^\"']+)[\"']")
PICTURE = re.compile(
    r"!\[[^\]]*\]\(\s*<?([^)\s>]+)"  # ![alt](path)
    r"|<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"']"  # <img src="path">
    r"|background-image:\s*url\(\s*[\"']?([^)\"']+)"  # style or slide property
)


def _blank_code(text: str) -> str:
    """The text with code blanked out (same length and lines), so links in code don't count."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _INLINE_CODE.sub(blank, _FENCED.sub(blank, text))


@lru_cache(maxsize=1 << 16)
def _found(text: str, pattern: re.Pattern[str]) -> tuple[tuple[int, str], ...]:
    """(line offset, target) of each match outside code.

    Cached: a build scans each step several times (checks, inputs, writing), and
    `deckwright serve` rebuilds decks whose steps are mostly unchanged.
    """
    text = _blank_code(text)
    return tuple(
        (text.count("\n", 0, m.start()), next(g for g in m.groups() if g))
        for m in pattern.finditer(text)
    )


def _matches(slide: Slide, pattern: re.Pattern[str]) -> Iterator[tuple[SourceLoc, str]]:
    for step in slide.steps:
        for offset, target in _found(step.text, pattern):
            yield step.loc.shifted(offset), target


def anchor_links(slide: Slide) -> Iterator[tuple[SourceLoc, str]]:
    """(where, anchor) for each `[text](#anchor)` link in a slide's text."""
    return _matches(slide, ANCHOR_LINK)


def is_local(url: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", url, re.IGNORECASE)


def pictures(slide: Slide) -> Iterator[tuple[SourceLoc, str]]:
    """(where, path) for each local picture a slide shows (query and fragment dropped)."""
    for loc, url in _matches(slide, PICTURE):
        if is_local(url):
            yield loc, re.split(r"[?#]", url, maxsplit=1)[0]
    bg = slide.properties.get("background-image", "")
    if m := re.search(r"url\(\s*[\"']?([^)\"']+)", bg):
        if is_local(m.group(1)):
            yield slide.loc, m.group(1)
