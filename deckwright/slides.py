"""Split a chapter's Markdown into slides, steps and notes, exactly where remark would."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace

from .errors import Problem
from .links import DEFINITION
from .model import Chapter, Slide, SourceLoc, Step, make_slide, read_properties
from .raw_html import comments, in_tag_or_url, inside
from .remark_lexer import (
    CODE_KINDS,
    MarkPlaces,
    Token,
    code_spans,
    content_start,
    fence_lines,
    fenced_blocks,
    scan,
    separators_in_block,
    separators_in_span,
)

# A fence opener left in plain text: remark found no closing fence for it.
_OPEN_FENCE = re.compile(r"^ *(`{3,}|~{3,})[^`\n]*$", re.MULTILINE)

LocateFn = Callable[[int], SourceLoc]
SeamsFn = Callable[[int, int], tuple[tuple[int, SourceLoc], ...]]


def _no_seams(start: int, end: int) -> tuple[tuple[int, SourceLoc], ...]:
    return ()  # a text read from one file


def line_locator(path: str, text: str, first_line: int = 1) -> LocateFn:
    """A function from an offset in `text` to its SourceLoc."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(offset: int) -> SourceLoc:
        return SourceLoc(path, first_line + bisect.bisect_right(starts, offset) - 1)

    return locate


def _chunks(text: str, tokens: list[Token]) -> list[tuple[str, int, int]]:
    """(separator before, start, end) of each piece of text between separators."""
    pieces: list[tuple[str, int, int]] = []
    kind, start = "", 0
    for tok in tokens:
        if tok.kind not in ("separator", "notes"):
            continue
        end = tok.start
        if not text.startswith("\n", tok.start) and end > start and text[end - 1] == "\n":
            end -= 1  # the newline before the separator belongs to the separator
        pieces.append((kind, start, end))
        kind, start = tok.text, tok.end
    pieces.append((kind, start, len(text)))
    return pieces


def title_of(text: str) -> str | None:
    """The chapter title a slide opens with: a `# ` heading first after its properties."""
    _, body = read_properties(text)
    return _title_in(body)


def _title_in(body: str) -> str | None:
    start = len(body) - len(body.lstrip("\n"))
    if not body.startswith("# ", start):
        return None
    end = body.find("\n", start)
    return body[start + 2 : end if end >= 0 else len(body)].strip()


def _in_code(text: str, tokens: list[Token], pos: int, inner: dict[int, list[Token]]) -> bool:
    """Whether offset `pos` is inside code, looking inside `.class[...]` blocks as remark does."""
    while True:  # (a loop, not a call for each block: boxes may be nested thousands deep)
        i = bisect.bisect_right(tokens, pos, key=lambda t: t.start) - 1
        if i < 0 or not tokens[i].start <= pos < tokens[i].end:
            return False
        tok = tokens[i]
        if tok.kind != "content":
            return tok.kind in CODE_KINDS
        tokens = _content_tokens(text, tok, inner)


def _content_tokens(text: str, block: Token, inner: dict[int, list[Token]]) -> list[Token]:
    """The tokens of a `.class[...]` block's content, as remark lexes it on its own: scanned
    only when something inside needs them, once (`inner`: by the block's start)."""
    if block.start not in inner:
        start, end = content_start(text, block), block.end - 1
        # Every token starts with a backquote, a bracket, a `~~~` or four spaces at a line's
        # start: content without them (most boxes) has none, and is not copied to be scanned.
        # (A `[` first: boxes in it, nested thousands deep maybe, start with one.)
        plain = not (any(text.find(c, start, end) >= 0 for c in "[`~") or text.startswith("    ", start)
                     or text.find("\n    ", start, end) >= 0)
        inner[block.start] = [] if plain else scan(text, inline=True, pos=start, end=end)
    return inner[block.start]


def _unclosed_fences(text: str, tokens: list[Token], blocks: list[tuple[int, int]],
                     locate: LocateFn) -> list[Problem]:
    """Fence openers that remark does not close: they would swallow the rest of a slide.

    `blocks`: the fenced blocks remark finds in `text` (most fence lines open or close one).
    """
    inner: dict[int, list[Token]] = {}
    problems: list[Problem] = []
    starts = [start for start, _ in blocks]
    cut = None  # (where a box cut a fence, its error's index): the next fence line was its end
    for line, _, _ in fence_lines(text):
        after_cut, cut = (cut, None) if cut is not None and line > cut[0] else (None, cut)
        m = _OPEN_FENCE.match(text, line)
        if not m:
            continue
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < blocks[i][1] or _in_code(text, tokens, m.start(), inner):
            continue
        loc, message = locate(m.start()), "code fence is never closed"
        if after_cut is not None and m.group(0).strip() == m.group(1):
            # The cut block's closing fence, now an opener of its own: said with the cut.
            said = problems[after_cut[1]]
            problems[after_cut[1]] = replace(said, message=f"{said.message}; so its closing fence, at "
                                             f"{_place(loc, said.loc)}, opens a fence never closed either")
            continue
        box = _box_around(text, tokens, m.end(), inner)
        if box is not None:  # remark ends the box at its `]`, a `]` of the code maybe: so ends the fence
            message += (f": its '{box.text}[' (at {_place(locate(box.start), loc)}) ends first, at the "
                        f"']' at {_place(locate(box.end - 1), loc)} (remark counts the brackets in code too)")
            cut = (box.end - 1, len(problems))
        problems.append(Problem(loc, message, "error", m.group(0)))
    return problems


_FENCE_RUN = re.compile(r" *(`{3,}|~{3,})")
# A line opening a fence (marks, then a language): it cannot close one.
_OPENER_LINE = {mark: re.compile(rf"^ *({mark}{{3,}}) *[^\s{mark}]\S* *$", re.MULTILINE) for mark in "`~"}
_SEPARATOR_LINES = re.compile(r"^(?:---?|\?{3})$", re.MULTILINE)


def _fences_in_code(text: str, blocks: list[tuple[int, int]], locate: LocateFn) -> list[Problem]:
    """A warning for a fence opening inside a fenced block with as many marks or fewer
    (a "```bash" line in a "```" block): its opener reads as text. Such a line can only be
    there because the block's own closing fence is missing: remark shows the block up to
    the next closing run as code, with what lies between, slide separators included.
    (A block that shows fences is written with more marks, or the other kind: "````", "~~~".)
    """
    problems = []
    for start, end in blocks:
        run = _FENCE_RUN.match(text, start).group(1)  # type: ignore[union-attr]
        body, closing = text.find("\n", start) + 1, text.rfind("\n", start, end) + 1
        if text.find(run, body, closing) < 0:  # no such marks inside (most blocks)
            continue
        inner = next((m for m in _OPENER_LINE[run[0]].finditer(text, body, closing)
                      if len(m.group(1)) <= len(run)), None)
        if inner is None:
            continue
        loc = locate(inner.start())
        taken = len(_SEPARATOR_LINES.findall(text, body, closing))
        message = (f"a code fence opens inside the code block of {_place(locate(start), loc)} (is its "
                   f"closing fence missing?): remark shows both as one code block, up to {_place(locate(closing), loc)}"
                   + (f", taking in {taken} slide separator line(s)" if taken else ""))
        problems.append(Problem(loc, message, "warning", line_text(text, inner.start())))
    return problems


def _box_around(text: str, tokens: list[Token], pos: int, inner: dict[int, list[Token]]) -> Token | None:
    """The innermost `.class[...]` block whose content holds offset `pos` (None: no block)."""
    box = None
    while True:  # (as _in_code)
        i = bisect.bisect_right(tokens, pos, key=lambda t: t.start) - 1
        if i < 0 or tokens[i].kind != "content" or not pos < tokens[i].end - 1:
            return box
        box = tokens[i]
        tokens = _content_tokens(text, box, inner)


def unclosed_message(name: str) -> str:
    """What is wrong with a `.class[` opener (`name`: `.lab`) that its slide does not close."""
    return (f"'{name}[' is not closed on its slide: remark shows it as text, or "
            "takes the slides after it into the block up to some later ']'")


def swallowing_message(name: str, opener: SourceLoc, close: SourceLoc, separators: int) -> str:
    """What is wrong with a `.class[` block (opened at `opener`) whose `]` (at `close`) comes
    after separators."""
    return (f"'{name}[' is not closed on its slide: its ']' is at {_place(close, opener)}, so remark "
            f"takes {separators} separator(s) ('---', '--', '???') into the block")


def backquote_message(opener: SourceLoc, close: SourceLoc) -> str:
    """What is wrong with a backquote (at `opener`) whose code span, closed at `close`, runs
    over separators."""
    return (f"a backquote (`) is not closed on its slide: its match is at {_place(close, opener)}, "
            "so remark takes the separator(s) in between into one code span")


def _place(close: SourceLoc, opener: SourceLoc) -> str:
    """Where a closing mark is, said from its opener: its line in the same file, else its
    file and line (an opener in an @@INCLUDEd file, closed in the chapter including it)."""
    return f"line {close.line}" if close.path == opener.path else str(close)


def label_case_message(label: str) -> str:
    """What is wrong with a `[Label]: url` definition whose label has capital letters."""
    return (f"reference label [{label}] has capital letters: remark looks every reference up "
            f"in lower case, so no link finds it (write [{label.lower()}]: ...)")


def _comments_cut(text: str, tokens: list[Token], locate: LocateFn) -> list[tuple[int, int, Problem]]:
    """A warning for each HTML comment (opened outside code) that remark shows as text: one
    that nothing closes, or whose `-->` comes after a `---`, `--` or `???` line (remark
    splits the slides before any HTML is read), or, in a `.class[` box, one not closed in
    that box (remark converts a box's content on its own: a `-->` in a box closes no
    comment opened outside it either). What the comment was to hide shows, `<!--` too.
    Each with the offsets of its `<!--` and of its end (`-->`, its box's, or the chapter's):
    a deck that leaves out every slide between them shows none of it (Chapter.on_slides)."""
    if "<!--" not in text:  # (most chapters)
        return []
    separators = [t.start for t in tokens if t.kind in ("separator", "notes")]
    problems: list[tuple[int, int, Problem]] = []
    inner: dict[int, list[Token]] = {}
    # Each text remark converts on its own: the chapter, then each box holding a `<!--` (a
    # list, not a call for each box: boxes may be nested thousands deep).
    todo: list[tuple[list[Token], Token | None]] = [(tokens, None)]
    marks = MarkPlaces(text, "<!--"), MarkPlaces(text, "-->")
    while todo:
        level, box = todo.pop()
        boxes = [t for t in level if t.kind == "content"]
        low, high = (0, len(text)) if box is None else (content_start(text, box), box.end - 1)
        found, held = _shown_comments(marks, low, high, code_spans(level), [(t.start, t.end) for t in boxes],
                                      separators, box is None)
        for start, close in found:
            problems.append((start, len(text) if close < 0 else close,
                             _comment_problem(text, start, close, box, locate)))
        todo += [(_content_tokens(text, boxes[i], inner), boxes[i]) for i in held
                 if not _closed_plainly(text, content_start(text, boxes[i]), boxes[i].end - 1, box is not None)]
    return sorted(problems, key=lambda found: found[0])


def _shown_comments(marks: tuple[MarkPlaces, MarkPlaces], low: int, high: int, code: list[tuple[int, int]],
                    boxes: list[tuple[int, int]], separators: list[int],
                    top: bool) -> tuple[list[tuple[int, int]], list[int]]:
    """(offset of `<!--`, of its `-->` or -1) of each comment of `text[low:high]` opened
    outside `code` and `boxes` that remark shows as text: closed by no `-->` outside those
    boxes, or (`top`: the chapter's text, not a box's) by one after a separator; and the
    index of each box holding a `<!--` outside those comments (`marks`: where the `<!--`
    and `-->` of `text` are). A `<!--` in an HTML tag or a link's URL is no comment; none
    after one left open is looked at."""
    openers, closers = marks
    listed = not top  # (see MarkPlaces)
    found: list[tuple[int, int]] = []
    held: list[int] = []
    pos = low
    none_after = high  # where a `-->` was last looked for in vain
    while (start := openers.find(pos, high, listed)) >= 0:
        pos = start + 4
        if inside(code, start):
            continue
        i = bisect.bisect_right(boxes, start, key=lambda span: span[0]) - 1
        if i >= 0 and start < boxes[i][1]:  # the box's own: looked at in it
            held.append(i)
            pos = boxes[i][1]
            continue
        close = -1 if none_after <= pos else _closer(closers, pos, high, boxes, listed)
        if close >= 0:
            cut = bisect.bisect_left(separators, start) if top else len(separators)
            if cut == len(separators) or separators[cut] > close:
                pos = close + 3
                continue  # closed on its slide, or in its box
        else:
            none_after = pos
        if in_tag_or_url(openers.text, start):
            continue  # no comment: Markdown reads the tag or the link first
        found.append((start, close))
        if close < 0:
            break
        pos = close + 3
    return found, held


def _closed_plainly(text: str, start: int, end: int, nested: bool) -> bool:
    """Whether each `<!--` of a box's content `text[start:end]` is closed in it with no bracket
    in between (the usual comment in a box, `<!-- ```wait``` -->`): none can be cut by a box,
    and the box need not be read. Of a box in a box (`nested`), only if its content holds no
    bracket at all, so no box: the boxes in it were read again for each box around them."""
    if nested and text.find("[", start, end) >= 0:  # (a content's brackets match in it: no `]` alone)
        return False
    pos = start
    while (opener := text.find("<!--", pos, end)) >= 0:
        close = text.find("-->", opener + 4, end)
        if close < 0 or text.find("[", opener, close) >= 0 or text.find("]", opener, close) >= 0:
            return False
        pos = close + 3
    return True


def _closer(closers: MarkPlaces, pos: int, high: int, boxes: list[tuple[int, int]], listed: bool) -> int:
    """Where the first `-->` of `text[pos:high]` outside `boxes` is, or -1."""
    close = closers.find(pos, high, listed)
    while close >= 0 and inside(boxes, close):
        i = bisect.bisect_right(boxes, close, key=lambda span: span[0]) - 1
        close = closers.find(boxes[i][1], high, listed)
    return close


def _comment_problem(text: str, start: int, close: int, box: Token | None, locate: LocateFn) -> Problem:
    opener = locate(start)
    if box is not None:
        message = (f"an HTML comment ('<!--') is not closed in its '{box.text}[' box (which ends at "
                   f"{_place(locate(box.end - 1), opener)}): remark reads a box's content on its own, so "
                   "what the comment was to hide shows, '<!--' too")
    elif close < 0:
        message = "an HTML comment ('<!--') is never closed: remark shows it as text, and what follows it"
    else:
        message = (f"an HTML comment ('<!--') is not closed on its slide: its '-->' is at "
                   f"{_place(locate(close), opener)}, after a '---', '--' or '???' line, and remark "
                   "splits slides before it reads HTML: what the comment was to hide shows, '<!--' too")
    return Problem(opener, message, "warning", line_text(text, start))


def macro_message(name: str, argument: bool = False) -> str:
    """What is wrong with a remark macro `![:name ...]` (`argument`: written as a picture,
    `![:name ...](path)`, which remark reads as the macro's argument)."""
    message = (f"'![:{name}' is a remark macro, and the page defines none: remark stops on a macro "
               "it does not know, and the deck shows no slide at all")
    if argument:
        message += " (its '(...)' is the macro's argument, no picture: a picture is '![text](path)')"
    return message


def _macros(text: str, tokens: list[Token], locate: LocateFn) -> list[tuple[int, Problem]]:
    """An error for each remark macro outside code (in a `.class[` box too), with its offset:
    deckwright's page defines no macro, and remark's `Macro "name" not found` stops the whole
    deck (if remark gets the slide: see Chapter.on_slides)."""
    if "![:" not in text:  # (most chapters)
        return []
    found: list[Token] = []
    inner: dict[int, list[Token]] = {}
    todo = [tokens]
    macros = MarkPlaces(text, "![:")
    while todo:  # (a list, not a call for each box: boxes may be nested thousands deep)
        for tok in todo.pop():
            if tok.kind == "macro":
                found.append(tok)
            elif tok.kind == "content" and macros.find(tok.start, tok.end) >= 0:
                todo.append(_content_tokens(text, tok, inner))
    return [(tok.start, Problem(locate(tok.start), macro_message(tok.text, text[tok.end - 1] == ")"), "error",
                                line_text(text, tok.start)))
            for tok in sorted(found)]


def _label_case(text: str, tokens: list[Token], locate: LocateFn) -> list[Problem]:
    """A warning for each `[Label]: url` definition with capital letters (outside code): remark
    stores it as written but looks references up in lower case, so `[Label]` and its
    brackets show as text. Lines are looked at where the chapter's scan found no code."""
    if "]:" not in text:
        return []
    found = []
    inner: dict[int, list[Token]] = {}
    at = text.find("]:")
    while at >= 0:  # each `]:`: does a definition's label end there? (`^` tried everywhere is slower)
        start = text.rfind("\n", 0, at) + 1
        m = _LABEL.match(text, start)
        label = m.group(1) if m and m.end() == at + 2 else ""
        if label != label.lower() and DEFINITION.match(text, max(start - 1, 0)) and \
                not _in_code(text, tokens, start, inner):
            found.append(Problem(locate(start), label_case_message(label), "warning", line_text(text, start)))
        at = text.find("]:", at + 2)
    return found


_LABEL = re.compile(r" *\[([^\]\n]+)\]:")  # at a line's start: a definition's label, maybe


LINE_REACH, LINE_CUT = 500, 100


def line_text(text: str, offset: int) -> str:
    """The line of `text` that holds `offset`, without its line end. Of a line reaching more
    than LINE_REACH characters on either side of `offset`, the LINE_CUT on each side, the cuts
    marked `...`: each of 20,000 brackets left open on one line is an error whose excerpt
    would hold the whole line (and looking for its ends, the work would grow as a square)."""
    low, high = max(0, offset - LINE_REACH), min(len(text), offset + LINE_REACH)
    start = text.rfind("\n", low, offset) + 1 or (0 if low == 0 else -1)
    end = text.find("\n", offset, high)
    end = high if end < 0 and high == len(text) else end
    if start >= 0 and end >= 0:
        return text[start:end]
    head = text[start:offset] if start >= 0 else "..." + text[offset - LINE_CUT : offset]
    tail = text[offset:end] if end >= 0 else text[offset : offset + LINE_CUT] + "..."
    return head + tail


def _unclosed_brackets(text: str, tokens: list[Token], locate: LocateFn) -> list[Problem]:
    """`.class[` blocks that take slide separators in (remark merges those slides; a `---`
    line in a `<pre>` or a comment in the block is content), openers that nothing in the
    chapter closes (text, or a block running into the next chapter; nothing shows of one in
    an HTML comment), and code spans that take separators in (a backquote left open: remark
    merges those slides, whatever HTML the span is in).

    The same facts as `deckwright check`'s unclosed brackets and backquotes, read from the
    chapter's scan. Errors, as a fence left open is, and as `check` rates them: a box or
    slides are lost.
    """
    problems = []
    commented = _commented(text, tokens)
    for tok in tokens:
        if tok.kind == "content":
            taken = separators_in_block(text, content_start(text, tok), tok.end - 1)
            if not taken:
                continue
            message = swallowing_message(tok.text, locate(tok.start), locate(tok.end - 1), len(taken))
        elif tok.kind == "inline_code":
            # Most spans are on one line (a quick look): no separator line in them.
            if text.find("\n", tok.start, tok.end) < 0 or not separators_in_span(text, tok.start + 1, tok.end - 1):
                continue
            message = backquote_message(locate(tok.start), locate(tok.end - 1))
        elif tok.kind == "open" and not commented(tok.start):
            message = unclosed_message(tok.text)
        else:
            continue
        problems.append(Problem(locate(tok.start), message, "error", line_text(text, tok.start)))
    return problems


def _commented(text: str, tokens: list[Token]) -> Callable[[int], bool]:
    """Whether an offset is in an HTML comment (one that opens outside code): nothing of it
    shows. The comments are found once, when an offset after the first `<!--` is asked."""
    first = text.find("<!--")
    spans: list[tuple[int, int]] | None = None

    def commented(offset: int) -> bool:
        nonlocal spans
        if first < 0 or offset < first:  # no comment before it (most openers): nothing to find
            return False
        if spans is None:
            spans = comments(text, code=code_spans(tokens))
        return inside(spans, offset)

    return commented


def split_chapter(path: str, text: str, locate: LocateFn | None = None,
                  seams: SeamsFn | None = None) -> Chapter:
    """Split `text` into slides; `locate` maps offsets to source lines (includes shift them),
    `seams` tells where a span of `text` goes on in another file (see Step.seams)."""
    locate = locate or line_locator(path, text)
    seams = seams or _no_seams
    tokens = scan(text)
    spans: list[tuple[int, int]] = []
    problems: list[Problem] = []
    if "```" in text or "~~~" in text:  # else neither blocks nor fence lines to look at
        spans = fenced_blocks(text, tokens)
        problems = _unclosed_fences(text, tokens, spans, locate) + _fences_in_code(text, spans, locate)
    problems += _unclosed_brackets(text, tokens, locate)
    problems += _label_case(text, tokens, locate)
    on_slides = [(at, at, p) for at, p in _macros(text, tokens, locate)]
    on_slides += _comments_cut(text, tokens, locate)
    blocks = _Blocks(spans)
    slides = []
    steps: list[Step] = []
    opened = 0  # where the slide being read starts (after its `---`)
    starts: list[int] = []  # where each slide starts
    for kind, start, end in _chunks(text, tokens):
        piece = text[start:end]
        if kind == "???" and steps:
            last = steps[-1]
            if last.notes is not None:  # kept in the source: remark itself drops the first notes
                problems.append(Problem(locate(start - 1), "a second ??? in one slide: remark "
                                        "shows only the notes after it", "warning"))
                piece = f"{last.notes}\n???\n{piece}"
            steps[-1] = Step(last.text, last.loc, piece, last.notes_loc or locate(start), last.blocks,
                             last.seams)
            continue
        if kind in ("---", "") and steps:
            slides.append(_finish(steps))
            problems += _empty(steps, opened, locate)
            steps = []
        if not steps:
            opened = start
            starts.append(start)
        # A step is located where its text starts; one that starts at the end of the text (a
        # `---` or `--` is the file's last line) at that separator: there is no line after it.
        at = start if start < len(text) else max(start - 1, 0)
        steps.append(Step(piece, locate(at), blocks=blocks.within(start, end), seams=seams(start, end)))
    if steps:
        slides.append(_finish(steps))
        if text.strip():
            problems += _empty(steps, opened, locate)
        else:
            problems.append(Problem(locate(0), "an empty chapter: remark shows a blank slide", "warning"))
    # Each problem of `on_slides` with the indices of its first and last slides.
    slide_of = [(max(bisect.bisect_right(starts, first) - 1, 0), max(bisect.bisect_right(starts, last) - 1, 0), p)
                for first, last, p in on_slides]
    return Chapter(path, tuple(slides), tuple(problems), on_slides=tuple(slide_of))


def _empty(steps: list[Step], opened: int, locate: LocateFn) -> list[Problem]:
    """A warning for a slide with nothing in it (no text, properties or notes), at the `---`
    opening it: remark shows it blank, mostly because of a `---` too many."""
    if len(steps) > 1 or steps[0].text.strip() or steps[0].notes is not None:
        return []
    return [Problem(locate(max(opened - 1, 0)), "an empty slide: remark shows it blank "
                    "(a '---' too many?)", "warning")]


class _Blocks:
    """A chapter's fenced blocks, handed out piece by piece as the chapter is split."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.next = 0

    def within(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        """The blocks in `text[start:end]`, relative to `start` (pieces come in order)."""
        spans, i = self.spans, self.next
        while i < len(spans) and spans[i][0] < start:  # in the notes of the piece before
            i += 1
        found = []
        while i < len(spans) and spans[i][1] <= end:
            found.append((spans[i][0] - start, spans[i][1] - start))
            i += 1
        self.next = i
        return tuple(found)


def _finish(steps: list[Step]) -> Slide:
    props, body = read_properties(steps[0].text)
    return make_slide(tuple(steps), props, title=_title_in(body))
