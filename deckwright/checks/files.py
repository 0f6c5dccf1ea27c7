"""Files of the content folder that nothing uses: chapters in no manifest, images in no chapter."""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote

from ..links import is_local, pictures, reference_definitions
from ..model import Chapter, SourceLoc
from . import Finding
from .slides import link_targets
from .text import blank_code

CHAPTER_SUFFIXES = (".md",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico")


def local_path(target: str) -> str | None:
    """The content-root path a local link or picture points to (None for URLs and anchors)."""
    if not is_local(target) or "@@" in target:
        return None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return posixpath.normpath(path) if path else None


def referenced_files(chapter: Chapter) -> set[str]:
    """Local files a chapter shows (pictures) or links to, as content-root paths. A reference
    definition in presenter notes counts too: remark takes it into the deck's table."""
    found = set()
    for slide in chapter.slides:
        for _, target in pictures(slide):
            found.add(target)
        for step in slide.steps:
            for _, target in link_targets(step.text, blank_code(step.text)):
                found.add(target)
            if step.notes and "]:" in step.notes:
                found.update(url for _, url in reference_definitions(step.notes))
    return {p for p in (local_path(t) for t in found) if p}


def mentioned_in(text: str, base: str, paths: Iterable[str]) -> set[str]:
    """Paths that appear in `text` (a manifest we could not read), relative to `base`, in
    either Unicode form (see `unused`)."""
    text = _composed(text)
    return {p for p in paths if _composed(posixpath.relpath(p, base or ".")) in text}


def _composed(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def unused(paths: Iterable[str], used: set[str], kind: str, what: str) -> list[Finding]:
    """A finding for each of `paths` not `used`. A file used by its name in another Unicode
    form (`é` as `e` and a mark, as macOS writes names) is used: where it is named, the
    build says that it does not exist as written (Project.why_not_a_file), once."""
    named = {_composed(path) for path in used}
    return [
        Finding(SourceLoc(path, 1), kind, what, "warning")
        for path in sorted(set(paths)) if _composed(path) not in named
    ]


def unused_chapters(chapters: Iterable[str], used: set[str]) -> list[Finding]:
    return unused(chapters, used, "unused-chapter", "chapter is not used by any manifest")


def unused_images(images: Iterable[str], used: set[str]) -> list[Finding]:
    return unused(images, used, "unused-image", "image is not used by any chapter")
