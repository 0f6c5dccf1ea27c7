"""Checks of one chapter's slides, whatever the deck: brackets, properties, characters, links."""

from __future__ import annotations

import bisect
import difflib
import posixpath
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..directives import LINK
from ..links import PATH, blank_hidden, definitions, file_path, is_local, names_a_slide
from ..model import PROPERTY_LINE, Chapter, Slide, SourceLoc
from ..raw_html import comments, inside
from ..remark_lexer import Token, code_spans, separators_in_block, separators_in_span
from ..slides import (
    backquote_message,
    label_case_message,
    line_text,
    swallowing_message,
    unclosed_message,
)
from . import Finding
from .text import (
    Block,
    analyse,
    blank_code,
    blocks,
    unclosed_openers,
)

Locate = Callable[[int], SourceLoc]

# Slide properties remark acts on; any other `key:` at the top of a slide is read, then ignored.
PROPERTIES = frozenset((
    "name", "class", "layout", "template", "count", "exclude", "highlight-style",
    "background-image", "background-color", "background-size", "background-position",
))


@dataclass(frozen=True)
class Piece:
    """A step's text or its presenter notes, and where it starts in the chapter's text."""

    text: str
    offset: int
    notes: bool
    slide: Slide


def pieces(chapter: Chapter, text: str) -> Iterator[Piece]:
    """Each step and notes of `chapter`, found in order in the (includes expanded) `text`."""
    pos = 0
    for slide in chapter.slides:
        for step in slide.steps:
            for part, notes in ((step.text, False), (step.notes, True)):
                if part is None:
                    continue
                found = text.find(part, pos)
                offset = found if found >= 0 else pos
                pos = offset + len(part)
                yield Piece(part, offset, notes, slide)


@dataclass(frozen=True)
class LocalTargets:
    """What a local link may point to: a file next to the decks, or another deck's page."""

    exists: Callable[[str], bool]
    pages: Mapping[str, frozenset[str] | None]  # deck page -> its slide names (None: unknown)
    in_repository: Callable[[str], bool] = lambda _: True  # for @@LINK (repository paths)
    leaves_repository: Callable[[str], bool] = lambda _: False
    content_prefix: str = ""  # the content folder in the repository ("slides"), for hints


def check_chapter(chapter: Chapter, text: str, locate: Locate, targets: LocalTargets) -> list[Finding]:
    """Every chapter-level finding; `locate` maps offsets in `text` to source lines."""
    found: list[Finding] = []
    # Labels the chapter shows pictures by: their definitions' files are pictures, which the
    # build says are missing at the picture (one message for one file).
    pictured = frozenset(label for slide in chapter.slides for _, label in slide.references)
    for piece in pieces(chapter, text):
        at = _shifted(locate, piece.offset)
        found += unclosed_brackets(piece.text, at)
        found += repository_links(piece.text, at, targets)
        if piece.notes:
            continue
        blanked = blank_code(piece.text)
        found += slide_properties(piece.text, blanked, at)
        found += invisible_characters(piece.text, at)
        found += label_case(piece.text, blanked, at)
        found += local_links(piece.text, blanked, at, targets, pictured)
    return found


def _shifted(locate: Locate, base: int) -> Locate:
    return lambda offset: locate(base + offset)


# --- `.class[` brackets ---------------------------------------------------------------

def unclosed_brackets(text: str, at: Locate) -> list[Finding]:
    """`.class[` openers remark does not close on this slide (but in an HTML comment, where
    nothing of them shows), and blocks and code spans that swallow slides."""
    openers = unclosed_openers(text)
    hidden = comments(analyse(text).blanked) if openers else []
    found = [
        Finding(at(m.start()), "unclosed-bracket", unclosed_message(m.group(2)),
                excerpt=line_text(text, m.start()))
        for m in openers if not inside(hidden, m.start())  # nothing shows of one in a comment
    ]
    if "[" in text:
        for block in blocks(text, analyse(text).top):
            found += _swallowing(text, block, at)
    if "`" in text:
        found += _long_code_spans(text, at)
    return found


def _long_code_spans(text: str, at: Locate) -> list[Finding]:
    """Inline code spans that run over a separator line: a backquote left open (in a
    chapter's slide, the build's error too: see slides._unclosed_brackets)."""
    found = []
    for tok in analyse(text).top:
        if tok.kind == "inline_code" and separators_in_span(text, tok.start + 1, tok.end - 1):
            message = backquote_message(at(tok.start), at(tok.end - 1))
            found.append(Finding(at(tok.start), "unclosed-backtick", message, excerpt=line_text(text, tok.start)))
    return found


def _swallowing(text: str, block: Block, at: Locate) -> list[Finding]:
    """A block whose `]` comes after slide separators: remark merged those slides into it."""
    inside = separators_in_block(text, block.inner, block.end - 1)
    if not inside:
        return []
    name = "." + ".".join(block.classes)
    message = swallowing_message(name, at(block.start), at(block.end - 1), len(inside))
    return [Finding(at(block.start), "unclosed-bracket", message, excerpt=line_text(text, block.start))]


# --- slide properties -------------------------------------------------------------------

# A line in a slide's text that its author meant as a property of a known name.
_BODY_PROPERTY = re.compile(r"^([A-Za-z][-\w]*)[ \t]*:[ \t]*(\S[^\n]*?)[ \t]*$", re.MULTILINE)
_VALUE = {
    "class": re.compile(r"[-\w]+(?:\s*,\s*[-\w]+)*"),
    "name": re.compile(r"[-\w]+"),
    "layout": re.compile(r"true|false", re.IGNORECASE),
    "exclude": re.compile(r"true|false", re.IGNORECASE),
    "template": re.compile(r"[-\w]+"),
    "count": re.compile(r"true|false", re.IGNORECASE),
    "background-image": re.compile(r"url\(.*\)"),
}


def slide_properties(text: str, blanked: str, at: Locate) -> list[Finding]:
    """Properties remark reads but ignores (`Class:`), and property lines after the top."""
    found = []
    pos = 0
    while m := PROPERTY_LINE.match(text, pos):
        key = m.group(1)
        start = m.start(1)
        if key not in PROPERTIES and "{{" + key not in text.replace(" ", ""):
            found.append(Finding(at(start), "slide-property", _ignored(key, m.group(2).strip()),
                                 "warning", excerpt=line_text(text, start)))
        pos = m.end()
    for m in _BODY_PROPERTY.finditer(blanked, pos):
        key, value = m.group(1), m.group(2)
        pattern = _VALUE.get(key.lower())
        if pattern and pattern.fullmatch(value):
            found.append(Finding(
                at(m.start()), "slide-property",
                f"'{key}: {value}' comes after the slide's text: remark shows it as text "
                "(properties go at the very top of a slide or step)",
                "warning", excerpt=line_text(text, m.start()),
            ))
    return found


def _ignored(key: str, value: str) -> str:
    if key.lower() in PROPERTIES:
        return f"slide property '{key}' is ignored by remark: property names are lower case ({key.lower()})"
    close = difflib.get_close_matches(key, PROPERTIES, n=1, cutoff=0.75)
    if close:
        return f"slide property '{key}' is ignored by remark (did you mean '{close[0]}'?)"
    return (f"remark reads '{key}: {value}' at the top of the slide as a property named "
            f"'{key}' and does not show it")


# --- invisible characters ----------------------------------------------------------------

# Invisible wherever they are: controls, zero-width spaces, byte-order marks, direction marks.
_ANYWHERE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Harmless in prose (a space that does not break, a joiner inside an emoji) but not in code.
_IN_CODE = re.compile("[\u00a0\u00ad\u2007\u2009\u200a\u200c\u200d\u202f\u3000]")
_LINE_END = re.compile("\n")
_YAML_FENCE = re.compile(r"^ *(`{3,}|~{3,}) *ya?ml\b", re.IGNORECASE)


def invisible_characters(text: str, at: Locate) -> list[Finding]:
    """Characters that a reader cannot see and that a copy-paste of a command carries along."""
    if text.isascii() and "\t" not in text and not _ANYWHERE.search(text):
        return []
    tokens = analyse(text).tokens
    spans = sorted(code_spans(tokens))
    # Where each line starts, found once: a step of thousands of lines, each with a character
    # (a pasted listing's no-break spaces) was counted and split from its start for each.
    starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
    hits: dict[tuple[int, str], str] = {}
    for m in _ANYWHERE.finditer(text):
        hits.setdefault((bisect.bisect_right(starts, m.start()) - 1, m.group(0)), "")
    for m in _IN_CODE.finditer(text):
        if inside(spans, m.start()):
            hits.setdefault((bisect.bisect_right(starts, m.start()) - 1, m.group(0)), " in code")
    found = [
        Finding(at(starts[line]), "invisible-character",
                f"{_char_name(char)}{where}: it is invisible, and copy-paste carries it along",
                "warning", excerpt=text[starts[line] : starts[line + 1] - 1 if line + 1 < len(starts) else len(text)])
        for (line, char), where in sorted(hits.items())
    ]
    return found + _tabs_in_yaml(text, tokens, at)


def _tabs_in_yaml(text: str, tokens: Sequence[Token], at: Locate) -> list[Finding]:
    found = []
    for tok in tokens:
        if tok.kind != "fences":
            continue
        body = text[tok.start : tok.end].lstrip("\n")
        first, _, rest = body.partition("\n")
        if not _YAML_FENCE.match(first):
            continue
        base = tok.start + (len(text[tok.start : tok.end]) - len(body)) + len(first) + 1
        for m in re.finditer(r"^[ ]*\t", rest, re.MULTILINE):
            found.append(Finding(at(base + m.start()), "invisible-character",
                                 "tab in the indentation of a YAML block: YAML does not allow tabs there",
                                 "warning", excerpt=line_text(text, base + m.start())))
    return found


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


# --- reference labels and local links -------------------------------------------------------

def label_case(text: str, blanked: str, at: Locate) -> list[Finding]:
    """remark keeps `[Label]: url` as written but looks references up in lower case."""
    return [
        Finding(at(start), "label-case", label_case_message(label), "warning", excerpt=line_text(text, start))
        for start, label, _ in definitions(text, blanked)
        if label != label.lower()
    ]


# Links (not pictures) and HTML href, outside code; anchors and URLs are checked elsewhere.
# A link's text holds no `[`: where it does, the link starts at the last (on the same line);
# else each `[` of a long run would read on to the same `]`, the work growing as a square.
_LINK = re.compile(r"(?<!!)\[[^\]\[\n]*\]\(\s*<?(" + PATH + r")|\bhref=[\"']([^\"']+)[\"']")


def link_targets(text: str, blanked: str, pictured: Collection[str] = ()) -> Iterator[tuple[int, str]]:
    """(offset, target) of each link in the text: inline links, href= and definitions (but
    those of the labels `pictured`: pictures are shown by them). None in an HTML comment."""
    for m in _LINK.finditer(blank_hidden(blanked)):
        group = 1 if m.group(1) else 2
        yield m.start(), text[m.start(group) : m.end(group)]
    for start, label, url in definitions(text, blanked):
        if label not in pictured:
            yield start, url


def local_links(text: str, blanked: str, at: Locate, targets: LocalTargets,
                pictured: Collection[str] = ()) -> list[Finding]:
    """Links to local files (resolved from the deck's page, the content root) that do not exist,
    and links to another deck's page at a slide name it does not have. Not the definitions of
    the labels `pictured`: a missing picture is the build's error, at the picture."""
    found = []
    for offset, target in link_targets(text, blanked, pictured):
        if not is_local(target) or "@@" in target:
            continue
        fragment = target.partition("#")[2]
        path = file_path(target)  # as the server finds it: `my%20notes.pdf` is `my notes.pdf`
        if path in targets.pages:
            names = targets.pages[path]
            if fragment and names is not None and not names_a_slide(fragment, names):
                # The page is there: remark shows its first slide (a warning, not an error:
                # that deck is built, and may be published, on its own).
                found.append(Finding(at(offset), "broken-anchor",
                                     f"link to '{target}' lands on the first slide of {path}: "
                                     f"no slide of that deck is named {fragment}",
                                     "warning", excerpt=line_text(text, offset)))
        elif path and not targets.exists(path):
            hint = " (a web address needs https:// in front)" if _looks_like_host(path) else ""
            found.append(Finding(at(offset), "missing-file",
                                 f"link to '{target}': no such file next to the deck{hint}",
                                 "warning", excerpt=line_text(text, offset)))
    return found


def repository_links(text: str, at: Locate, targets: LocalTargets) -> list[Finding]:
    """`@@LINK[path]`s that name no file of the repository: the build still makes the link
    (to the hosting site, where it is a 404), as it replaces directives even in code."""
    if "@@LINK[" not in text:
        return []
    found = []
    for m in LINK.finditer(text):
        path = m.group(1).strip()
        if path and targets.in_repository(path):
            continue
        if not path:
            message = "@@LINK[] names no file"
        elif targets.leaves_repository(path):  # whether or not there is a file out there
            message = f"@@LINK[{path}] leaves the repository"
        else:
            message = f"@@LINK[{path}]: no such file in the repository"
            prefixed = posixpath.join(targets.content_prefix, path)
            if targets.content_prefix and targets.in_repository(prefixed):
                message += f" (paths start from the repository: {prefixed})"
        found.append(Finding(at(m.start()), "missing-file", message, "warning",
                             excerpt=line_text(text, m.start())))
    return found


def _looks_like_host(path: str) -> bool:
    return bool(re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|io|dev|fr|de)(/|$)", path))
