"""Links and pictures that slides reference, found in their Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:  # model.py imports this module: its classes are only named here
    from .model import Slide, SourceLoc, Step

_FENCED = re.compile(r"^ *(`{3,}|~{3,})[^\n]*\n.*?^ *\1 *$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)|href=[\"']#([^\"']+)[\"']")
PICTURE = re.compile(
    r"!\[[^\]]*\]\(\s*<?([^)\s>]+)"  # ![alt](path)
    r"|<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"']"  # <img src="path">
    r"|background-image:\s*url\(\s*[\"']?([^)\"']+)"  # style or slide property
)


def blank_code(text: str) -> str:
    """The text with code blanked out (same length and lines), so links in code don't count."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _INLINE_CODE.sub(blank, _FENCED.sub(blank, text))


def _matches(steps: tuple[Step, ...], pattern: re.Pattern[str], quick: str) -> Iterator[tuple[SourceLoc, str]]:
    for step in steps:
        # Most steps have neither links nor pictures: look before blanking out code.
        if quick not in step.text or not pattern.search(step.text):
            continue
        text = blank_code(step.text)
        for m in pattern.finditer(text):
            target = next(g for g in m.groups() if g)
            yield step.locate(m.start()), target


def find_anchor_links(steps: tuple[Step, ...]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, anchor) for each `[text](#anchor)` link in a slide's text."""
    # Every link holds one of these; most steps hold a "#" (headings) but no link.
    linking = tuple(st for st in steps if "](#" in st.text or "href=" in st.text)
    return _matches(linking, ANCHOR_LINK, "")


def is_local(url: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", url, re.IGNORECASE)


def find_pictures(steps: tuple[Step, ...], properties: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, path) for each local picture a slide shows (query and fragment dropped)."""
    for loc, url in _picture_urls(steps, properties):
        if is_local(url):
            yield loc, file_path(url)


def find_remote_pictures(steps: tuple[Step, ...], properties: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL) for each picture a slide loads from the network (`http:`, `https:`, `//`)."""
    for loc, url in _picture_urls(steps, properties):
        if re.match(r"^(https?:)?//", url, re.IGNORECASE):
            yield loc, url


def _picture_urls(steps: tuple[Step, ...], properties: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL as the browser reads it) for each picture a slide shows, code left out."""
    found = set()
    for step in steps:
        text = step.text
        if "![" in text or "src=" in text or "url(" in text:  # most steps show none (see PICTURE)
            for loc, url in _matches((step,), PICTURE, ""):
                found.add(url := as_browser_reads(url))
                yield loc, url
    bg = properties.get("background-image")
    if bg and (m := re.search(r"url\(\s*[\"']?([^)\"']+)", bg)):
        url = as_browser_reads(m.group(1))
        if url not in found:  # the property's line, found above where the text holds it
            yield steps[0].loc, url


def file_path(url: str) -> str:
    """The file a local URL names, as a web server finds it: query and fragment dropped,
    `%20` and the like decoded (`my%20pic.svg` is the file `my pic.svg`)."""
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    return unquote(path) if "%" in path else path


def as_browser_reads(url: str) -> str:
    """A URL from an attribute as browsers read it: tabs and line ends dropped, spaces trimmed."""
    return re.sub(r"[\t\n\r]", "", url).strip(" \f")


def anchor_links(slide: Slide) -> tuple[tuple[SourceLoc, str], ...]:
    """The `#anchor` links of a slide (found once, when the slide was made)."""
    return slide.links


def pictures(slide: Slide) -> tuple[tuple[SourceLoc, str], ...]:
    """The local pictures a slide shows (found once, when the slide was made)."""
    return slide.pictures
