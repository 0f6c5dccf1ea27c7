"""Links and pictures that slides reference, found in their Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .raw_html import comments

if TYPE_CHECKING:  # model.py imports this module: its classes are only named here
    from .model import Slide, SourceLoc, Step

# A fenced block: from a line opening with three backquotes or tildes or more to the next
# line of as many. The run is taken whole (a line of 32,000 backquotes, tried one mark
# shorter each time, took seconds): the group `uneven` marks a run that no line closes,
# and _closing_line finds the line of fewer marks that closes it (see _fence_spans).
_FENCED = re.compile(r"^ *(?=(`{3,}|~{3,}))\1(?:[^\n]*\n.*?^ *\1 *$|(?P<uneven>[^\n]*\n))", re.MULTILINE | re.DOTALL)
_MARKS_LINE = {mark: re.compile(rf"^ *({mark}{{3,}}) *$", re.MULTILINE) for mark in "`~"}
_INLINE_CODE = re.compile(r"`[^`\n]+`")
ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)|href=[\"']#([^\"']+)[\"']")
# An alt holds no `![`: where one does, the picture starts at the last (as marked reads it);
# else each `![` of a long run would read on to the same `]`, the work growing as a square.
# remark's Markdown takes a path with spaces whole, up to its `)` or a title in quotes
# (`![a](my pic.png "t")`), however many its spaces; where neither follows, the first word.
# A word after the tenth space holds no `](`: a line of `![a](x y ` without a `)` is read
# from each `](` a few words past the next (it was read to the line's end from each, the
# work growing as a square). A link's as a picture's.
_WORD = r"[^)\s>\"'][^)\s>]*"
_LATER_WORD = r"(?![\"'])(?:[^)\s>\]]|\](?!\())+"
PATH = (rf"[^)\s>]+(?:[ \t]+{_WORD}){{0,10}}(?:[ \t]+{_LATER_WORD})*(?=>?[ \t]*\)|>?[ \t]+[\"'])"
        r"|[^)\s>]+")
PICTURE = re.compile(
    r"!\[[^\]!]*(?:!(?!\[)[^\]!]*)*\]\(\s*<?(" + PATH + ")"  # ![alt](path)
    r"|<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"']"  # <img src="path">
    r"|background-image:\s*url\(\s*[\"']?([^)\"']+)"  # style or slide property
)
# Rarer HTML that loads pictures: a srcset lists several (see srcset_spans).
SRCSET = re.compile(r"<(?:img|source)\b[^>]*?\bsrcset=[\"']([^\"']+)[\"']")  # <img srcset="a.png 1x, b.png 2x">
POSTER_OR_DATA = re.compile(
    r"<video\b[^>]*?\bposter=[\"']([^\"']+)[\"']"  # <video poster="still.png">
    r"|<object\b[^>]*?\bdata=[\"']([^\"']+)[\"']"  # <object data="drawing.svg">
)
# A picture written by reference, as remark's Markdown (marked 0.3) reads it at a `![`:
# an inline `![alt](url)` first (PICTURE's; matched here only to be passed over), then
# `![alt][label]` (a space or a line end may come between), `![label][]` (an empty label:
# the alt is the label), then `![label]` alone. `_INSIDE`: the bracketed text, as marked
# reads it (brackets inside in pairs). Unlike marked, an alt or label is at most 1,000
# characters, and `](` always opens an inline picture (marked also wants its `)`): so
# that no text, however odd, takes more than a moment to read.
# Last, a link `[text](` whose text holds a picture (`[![label]](url)`): marked reads the
# link first, then its text on its own, where a picture ends with the text (group 4).
# Only a `[` followed by `![` (other text before it, no bracket) is tried as such a link:
# trying every `[` would read up to 1,000 characters at each.
_INSIDE = r"(?:\[[^\]]{0,1000}\]|[^\[\]]|\](?=[^\[\]]{0,1000}\])){0,1000}"
PICTURE_REFERENCE = re.compile(
    rf"!\[{_INSIDE}\]\("
    rf"|!\[({_INSIDE})\][ \t]*(?:\n[ \t]*)?\[([^\]]{{0,1000}})\]"
    r"|!\[((?:\[[^\]]{0,1000}\]|[^\[\]]){0,1000})\]"
    rf"|\[(?=[^\[\]]{{0,1000}}!\[)(?=({_INSIDE})\]\()"
)
# remark's reference definition (its lexer's DEF rule, remark_lexer.py), at the start of a line.
DEFINITION = re.compile(r"(?:^|\n) *\[([^\]]+)\]: *<?([^\s>]+)>?(?: +[\"(]([^\n]+)[\")])? *(?=\n|\Z)")


def _blank(m: re.Match[str]) -> str:
    return _NOT_NEWLINE.sub(" ", m.group(0))


# A remark macro, `![:name args](argument)`: remark_lexer's MACRO. remark takes it out of the
# text before any Markdown is read: what looks like a picture or a link in it is neither (the
# macro is an error of its own, slides.macro_message).
_MACRO_WHOLE = re.compile(r"!\[:(?=[^\]]{1,1000}\])[^\] ]+[^\]]*\](?:\([^\)]{0,1000}\))?")


def blank_hidden(text: str) -> str:
    """The text with remark macros blanked out (same length and lines), and HTML comments
    (`<!-- ![draft](draft.png) -->`): Markdown keeps a comment as it is, so the browser
    loads no picture and shows no link in one (a comment remark shows as text, cut by a
    slide's separator or a box, is a warning of its own: slides._comments_cut)."""
    if "![:" in text:
        text = _MACRO_WHOLE.sub(_blank, text)
    return _blank_comments(text) if "<!--" in text else text


def _blank_comments(text: str) -> str:
    pieces, done = [], 0
    for start, end in comments(text):  # (code is blanked out already)
        pieces += [text[done:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        done = end
    return "".join(pieces) + text[done:]


_NOT_NEWLINE = re.compile(r"[^\n]")


def blank_code(text: str) -> str:
    """The text with code blanked out (same length and lines), so links in code don't count."""
    pieces, done = [], 0
    for start, end in _fence_spans(text):
        pieces += [text[done:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        done = end
    pieces.append(text[done:])
    return _INLINE_CODE.sub(_blank, "".join(pieces))


def _fence_spans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    while m := _FENCED.search(text, pos):
        end = m.end() if m.group("uneven") is None else _closing_line(text, m)
        if end is not None:
            yield m.start(), end
        pos = end or m.end()


def _closing_line(text: str, m: re.Match[str]) -> int | None:
    """The end of the line that closes the fence `m` opens when no line of as many marks
    does: the first line of the most marks fewer than those (three at least), or None."""
    run = m.group(1)
    lines = [(len(line.group(1)), line.end()) for line in _MARKS_LINE[run[0]].finditer(text, m.end())]
    marks = max((n for n, _ in lines if n < len(run)), default=0)
    return next(end for n, end in lines if n == marks) if marks else None


def line_counter(text: str) -> Callable[[int], int]:
    """The number of line ends in `text` before an offset, counted on from the offset asked
    before when it is not further on (a step with 10,000 pictures counted from its start
    for each, the work growing as the square of their number)."""
    done, lines = 0, 0

    def count(offset: int) -> int:
        nonlocal done, lines
        if offset < done:
            done, lines = 0, 0
        lines += text.count("\n", done, offset)
        done = offset
        return lines

    return count


def locator(step: Step) -> Callable[[int], SourceLoc]:
    """`step.locate`, quick for offsets in order (see line_counter)."""
    if step.seams:  # (from an @@INCLUDE: rare) where each offset comes from, looked up
        return step.locate
    count = line_counter(step.text)
    return lambda offset: step.loc.shifted(count(offset))


def _matches(steps: tuple[Step, ...], pattern: re.Pattern[str], quick: str) -> Iterator[tuple[SourceLoc, str]]:
    for step in steps:
        # Most steps have neither links nor pictures: look before blanking out code.
        if quick not in step.text or not pattern.search(step.text):
            continue
        text = blank_hidden(blank_code(step.text))
        locate = locator(step)
        for m in pattern.finditer(text):
            target = next(g for g in m.groups() if g)
            yield locate(m.start()), target


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
        if is_remote(url):
            yield loc, url


def is_remote(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url, re.IGNORECASE))


def _picture_urls(steps: tuple[Step, ...], properties: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL as the browser reads it) for each picture a slide shows, code left out:
    in its steps and in their presenter notes, which remark shows in presenter mode."""
    found = set()
    for step in steps:
        text = step.text
        if "![" in text or "url(" in text or "<" in text:  # most steps show none (_urls_in)
            urls = _urls_in(text)
            locate = locator(step) if len(urls) > 1 else step.locate
            for offset, url in urls:
                found.add(url := as_browser_reads(url))
                yield locate(offset), url
        if step.notes:  # (most steps have none)
            notes, at = step.notes, step.notes_loc or step.loc
            count = line_counter(notes)
            for offset, url in _urls_in(notes):
                yield at.shifted(count(offset)), as_browser_reads(url)
    bg = properties.get("background-image")
    if bg and (m := re.search(r"url\(\s*[\"']?([^)\"']+)", bg)):
        url = as_browser_reads(m.group(1))
        if url not in found:  # the property's line, found above where the text holds it
            yield steps[0].loc, url


def _urls_in(text: str) -> list[tuple[int, str]]:
    """(offset, URL) of each picture in a slide's text or notes, code left out."""
    # Most texts show none: look before blanking out code.
    usual = ("![" in text or "src=" in text or "url(" in text) and PICTURE.search(text)
    tags = "<" in text  # every rarer form is in an HTML tag
    srcset = tags and "srcset=" in text
    other = tags and ("poster=" in text or "<object" in text)  # (POSTER_OR_DATA)
    if not (usual or srcset or other):
        return []
    text = blank_hidden(blank_code(text))
    found = [(m.start(), next(g for g in m.groups() if g)) for m in PICTURE.finditer(text)] if usual else []
    for m in SRCSET.finditer(text) if srcset else ():
        found += [(m.start(), m.group(1)[a:b]) for a, b in srcset_spans(m.group(1))]
    for m in POSTER_OR_DATA.finditer(text) if other else ():
        found.append((m.start(), m.group(1) or m.group(2)))
    return found


_SRCSET_URL = re.compile(r"[^\s,]\S*")


def srcset_spans(value: str) -> list[tuple[int, int]]:
    """Where the URLs of a srcset are, read as browsers do: each candidate is a URL (commas
    in it kept, those ending it dropped), then its descriptors (`2x`, `480w`) up to a comma."""
    spans = []
    pos = 0
    while m := _SRCSET_URL.search(value, pos):
        start, end = m.span()
        if value[end - 1] == ",":
            while value[end - 1] == ",":
                end -= 1
            pos = m.end()
        else:
            comma = value.find(",", end)
            pos = len(value) if comma < 0 else comma + 1
        spans.append((start, end))
    return spans


def find_picture_references(steps: tuple[Step, ...]) -> tuple[tuple[SourceLoc, str], ...]:
    """(where, label) for each picture a slide shows by reference (`![alt][label]`, `![label]`),
    the label as marked looks it up: spaces and line ends made one space, in lower case.

    Only in the steps' text: remark renders presenter notes with an empty reference table,
    so a reference there never resolves. What a label stands for is the deck's to say
    (reference_table).
    """
    found: list[tuple[SourceLoc, str]] = []
    for step in steps:
        if "![" in step.text and _MAY_REFER.search(step.text):  # most steps: neither
            found += _references_in(step)
    return tuple(found)


def _references_in(step: Step) -> Iterator[tuple[SourceLoc, str]]:
    text = blank_hidden(blank_code(step.text))
    locate = locator(step)
    if "]:" in text:  # remark's lexer takes definitions out of the text marked reads
        text = DEFINITION.sub(_blank, text)
    for m in _reference_matches(text):
        if m.group(2) is not None:
            label = m.group(2) or m.group(1)
        elif m.group(3) is not None:
            label = m.group(3)
        else:  # an inline picture (PICTURE's)
            continue
        yield locate(m.start()), _WHITESPACE.sub(" ", label).lower()


def _reference_matches(text: str) -> Iterator[re.Match[str]]:
    """PICTURE_REFERENCE's matches in `text` but for links, each link's text read on its own
    (as marked does): a picture there ends where the text does. Each character is read once."""
    ends = [len(text)]  # the end of each link text the scan is in, the innermost last
    pos = 0
    while True:
        m = PICTURE_REFERENCE.search(text, pos, ends[-1])
        if m is None:
            if len(ends) == 1:
                return
            pos = ends.pop() + 2  # past the `](` after the link's text
        elif m.group(4) is not None:
            ends.append(m.end(4))
            pos = m.end()
        else:
            yield m
            pos = m.end()


# Any `![...]` not followed by `(...)`: every picture by reference has one (there, or from the
# last `![` before its `]`: an alt holding no `![`, each `![` of a run is not read to its end).
_MAY_REFER = re.compile(r"!\[[^\]!]*(?:!(?!\[)[^\]!]*)*\](?!\()")
_WHITESPACE = re.compile(r"\s+")


def reference_table(slides: Iterable[Slide]) -> dict[str, str]:
    """The URL of each reference label, as remark resolves labels for a whole deck; empty when
    no slide shows a picture by reference (most decks: their definitions are not read).

    The scope, from remark 0.14's own code (assets/vendor/remark.min.js): its lexer takes
    each `[label]: url` line (DEF in remark_lexer.py, outside code, in the notes too) out of
    the text into the links of the slide (the `--` step) it is on; the slideshow then
    merges the links of every slide it keeps into one table for the deck, a later
    definition of a label replacing an earlier one, and gives that table to marked for the
    text of every slide (the notes get an empty one). So a definition anywhere in a deck
    serves references anywhere in it, before it too; those on `exclude: true` slides (and
    on slides this variant excludes, which remark never gets) and on `layout: true` slides
    (not kept as slides) serve none. Labels are kept as written and looked up in lower
    case: one with capitals is never found (check's label-case).
    """
    slides = list(slides)
    if not any(s.references for s in slides):
        return {}
    table: dict[str, str] = {}
    for slide in slides:
        if slide.is_layout:
            continue
        for step in slide.steps:
            for text in (step.text, step.notes):
                if text and "]:" in text:
                    table.update(reference_definitions(text))
    return table


def definitions(text: str, blanked: str) -> Iterator[tuple[int, str, str]]:
    """(offset of the line, label, URL) of each `[label]: url` definition outside code
    (`blanked`: the text with its code blanked out, blank_code's)."""
    if "]:" not in blanked:
        return
    for m in DEFINITION.finditer(blanked):
        start = m.start() + (1 if blanked.startswith("\n", m.start()) else 0)
        yield start, m.group(1), text[m.start(2) : m.end(2)]


def reference_definitions(text: str) -> Iterator[tuple[str, str]]:
    """(label, URL) of each `[label]: url` line of a step's text or notes, as remark reads them."""
    for start, label, url in definitions(text, blank_code(text)):
        if not text.startswith("    ", start):  # 4 spaces: code, to remark's lexer
            yield label, url


def referenced_pictures(slide: Slide, table: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL) of each picture the slide shows by reference, found in the deck's `table`."""
    for loc, label in slide.references:
        if url := table.get(label):
            yield loc, url


def slide_remote_pictures(slide: Slide, table: dict[str, str]) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL) of each picture the slide loads from the network, by reference too."""
    yield from find_remote_pictures(slide.steps, slide.properties)
    yield from ((loc, url) for loc, url in referenced_pictures(slide, table) if is_remote(url))


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


def names_a_slide(fragment: str, names: Collection[str]) -> bool:
    """Whether a link's `#fragment` leads to a slide of `names`. Written percent-encoded
    (`#caf%C3%A9`), it is looked up decoded too, as the page does when remark finds no
    slide by it (templates/remark.html): the browser encodes `#café` so anyway."""
    return fragment in names or ("%" in fragment and unquote(fragment) in names)
