"""`check --overflow`: slides whose content does not fit, as laid out by headless Chromium (opt-in).

Only a browser knows how tall a slide's text is. Each deck is built into a scratch folder
and opened as `deckwright pdf` opens it (chromium.py: pictures loaded or failed: those
from the network are refused at once), but for its slides filled only as needed; then
every slide, each `--` step too, is laid out at scale 1, one under the other, its diagrams
drawn, and measured:

- bottom: content lower than the slide's content area (above the strip of the slide
  number and footer), so drawn in that strip or cut off at the slide's edge; or lower
  than the top of the slide's `.footnote` (drawn over it);
- right: a code line wider than its block (cut, as `pre` hides what overflows it), or a
  table, picture or text wider than the content area (in the margin, or cut at the edge).

What a slide places itself (position: absolute: its footnote, the picture between
chapters, the number and footer) is no overflow, nor what a box that hides its overflow
holds, but for code lines, nor a slide whose class makes it hide or scroll its overflow.
A picture fills a `class: pic` slide exactly: it fits. A pixel or two (TOLERANCE) is
rounding.

Most slides are shown by several decks: each is filled, laid out and measured in the first
page that shows it (slides are told apart by what remark makes them of: `_KEYS`), and
said once. A page that fails gives its slides back: another page that shows them
measures them.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..builder import Workshop, copy_assets, write_deck
from ..chromium import (
    CHROMIUM,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    draw_diagrams,
    missing_tools,
    open_chromium,
    opened_deck,
    pictures_ready,
)
from ..model import Deck, Slide, SourceLoc
from ..writer import OutputDir
from . import Finding
from .load import LoadedDeck

KIND = "overflow"
TOLERANCE = 2.0  # px: less is rounding
MAX_WORKERS = 4  # browsers measuring decks side by side (each holds a whole deck)

# Every slide shown, one under the other, each at its size and scale 1 (as in print).
_ALL_SLIDES = """
html, body, .remark-container, .remark-slides-area {
  position: static !important; overflow: visible !important; height: auto !important;
}
.remark-slides-area > .remark-slide-container {
  display: block !important; position: relative !important; width: 1210px !important;
  height: 681px !important; overflow: hidden !important; opacity: 1 !important;
  visibility: visible !important;
}
.remark-slides-area > .remark-slide-container > .remark-slide-scaler {
  position: absolute !important; top: 0 !important; left: 0 !important; transform: none !important;
}
.remark-slides-area > .remark-slide-container > .remark-slide-notes,
.remark-preview-area, .remark-notes-area, .remark-backdrop, .remark-pause, .remark-help,
.remark-slides-area > .remark-slide-container.deckwright-not-measured {
  display: none !important;
}
"""

# A key for what each slide shows, read from remark's model of the slide (what remark makes
# its content of: its properties, its Markdown, the deck's reference links it names), so
# before it is filled; its source and build information (`OWN`: out of its flow, as its
# number) are left out. Slides with one key are laid out alike, in any deck.
_KEYS = """() => {
  const OWN = ['source', 'build-info'];
  const links = window.slideshow.getLinks() || {};
  const ids = Object.keys(links);
  function hash(text) {  // 53 bits (two 32-bit FNV-like hashes): no clash among many slides
    let a = 0xdeadbeef, b = 0x41c6ce57;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 2654435761);
      b = Math.imul(b ^ c, 1597334677);
    }
    a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
    return (4294967296 * (2097151 & b) + (a >>> 0)).toString(36) + ':' + text.length;
  }
  function texts(content, out) {
    for (const part of content) {
      if (typeof part === 'string') out.push(part);
      else if (part && Array.isArray(part.content)) texts(part.content, out);
    }
    return out;
  }
  // Its Markdown as remark joins it (its text between boxes); the blank lines around it,
  // which the Markdown reader drops, left out: a slide reads alike first in a deck, followed
  // by the build information, or elsewhere.
  function own(slide) {
    const parts = [];
    for (const part of slide.content) {
      if (part && OWN.includes(part.class)) continue;
      const last = parts.length - 1;
      if (typeof part === 'string' && typeof parts[last] === 'string') parts[last] += part;
      else parts.push(part);
    }
    if (typeof parts[0] === 'string') parts[0] = parts[0].replace(/^\\n+/, '');
    if (typeof parts[parts.length - 1] === 'string') parts.push(parts.pop().trimEnd());
    return parts;
  }
  return window.slideshow.getSlides().map((slide) => {
    const content = own(slide);
    // A reference is [id], [text][id] or [id][], its id in any case, spaces run together.
    const words = texts(content, []).join(' ').replace(/\\s+/g, ' ').toLowerCase();
    const named = ids.filter((id) => words.includes('[' + id + ']')).map((id) => [id, links[id]]);
    return hash(JSON.stringify([slide.properties, content, named]));
  });
}"""

# For each slide whose content does not fit (by more than `tolerance` px), how far it
# goes past: the bottom of its content area (`bottom`; `edge`: past the slide's own
# bottom, cut), the top of its footnote (`footnote`), the right of its content area
# (`right`, by a `what`; `cut`: past the slide's edge), and the widest code line cut by
# its block (`code` px, the line's text in `line`); `unloaded`: its pictures that did not
# load. Also `count`, the slides of the page.
_MEASURE = """([tolerance, width, height, only]) => {
  const containers = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  const range = document.createRange();
  const LEAVES = new Set(['IMG', 'VIDEO', 'IFRAME', 'OBJECT', 'EMBED', 'CANVAS', 'svg']);
  const describe = (el) => el.closest('table') ? 'a table' : el.closest('pre') ? 'a code block'
    : el.closest('img, video, object, embed, canvas') ? 'a picture' : el.closest('svg') ? 'a diagram'
    : 'text';
  function reach(m, r, el) {
    if (r.bottom > m.bottom) m.bottom = r.bottom;
    if (r.right > m.right) { m.right = r.right; m.widest = el; }
  }
  // Text right in `el` (not in its child elements), when it overflows `el`'s box.
  function ownText(el, m) {
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.data.trim()) continue;
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) reach(m, r, el);
    }
  }
  // Where a box that hides (or scrolls) its overflow cuts what it holds, at the right.
  const edges = new Map();
  function edge(el) {
    if (!edges.has(el)) {
      const style = getComputedStyle(el);
      edges.set(el, el.getBoundingClientRect().right - parseFloat(style.borderRightWidth)
                    - (el.offsetWidth - el.clientWidth - parseFloat(style.borderLeftWidth)
                       - parseFloat(style.borderRightWidth)));  // a vertical scrollbar's
    }
    return edges.get(el);
  }
  function cutters(node, box) {  // the boxes between a text and `box` (included) that cut it
    const found = [];
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (el === box || getComputedStyle(el).overflowX !== 'visible') found.push(el);
      if (el === box) break;
    }
    return found;
  }
  // How far the widest line of text in `box` (trailing spaces are not seen) goes past
  // where `box`, or a box in it, cuts it; and that line.
  function widestCut(box) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let most = -Infinity, line = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const pieces = /[^\\n]+/g;
      let limit = null;
      for (let piece; (piece = pieces.exec(node.data));) {
        const end = piece.index + piece[0].trimEnd().length;
        if (end === piece.index) continue;
        range.setStart(node, piece.index);
        range.setEnd(node, end);
        const r = range.getBoundingClientRect();
        if (!(r.width > 0)) continue;
        if (limit === null) limit = Math.min(...cutters(node, box).map(edge));
        if (r.right - limit > most) {
          most = r.right - limit;
          const holder = node.parentElement.closest('.remark-code-line');
          line = holder ? holder.textContent : piece[0];
        }
      }
    }
    return [most, line];
  }
  // Any overflow (scrollWidth is rounded): how far a line is cut is then measured exactly.
  const overflowing = (el) => el.scrollWidth > el.clientWidth;
  function walk(el, m) {
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.display === 'none') continue;
      if (style.position === 'absolute' || style.position === 'fixed') {
        if (child.classList.contains('footnote')) {
          m.footnoteTop = Math.min(m.footnoteTop, child.getBoundingClientRect().top);
        }
        continue;
      }
      if (child.tagName === 'IMG' && !(child.complete && child.naturalWidth > 0)) m.unloaded += 1;
      const r = child.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && style.visibility !== 'hidden') reach(m, r, child);
      if (LEAVES.has(child.tagName)) continue;
      if (style.overflowX !== 'visible') {  // it hides (or scrolls) what overflows it
        if (overflowing(child) || Array.prototype.some.call(child.children, overflowing)) {
          const [cut, line] = widestCut(child);
          if (cut > m.code) { m.code = cut; m.line = line; }
        }
        continue;
      }
      if (child.scrollWidth > child.clientWidth + tolerance || child.scrollHeight > child.clientHeight + tolerance) {
        ownText(child, m);
      }
      walk(child, m);
    }
  }
  const found = [];
  for (const index of only) {
    const container = containers[index];
    const content = container.querySelector('.remark-slide-content');
    if (!content) continue;
    const style = getComputedStyle(content);
    if (style.overflow !== 'visible') continue;  // a slide made to cut (or scroll) what it holds
    const frame = container.getBoundingClientRect();
    const m = {bottom: -Infinity, right: -Infinity, widest: null, code: 0, line: '',
               footnoteTop: Infinity, unloaded: 0};
    ownText(content, m);
    walk(content, m);
    const floor = frame.top + height - parseFloat(style.paddingBottom);
    const wall = frame.left + width - parseFloat(style.paddingRight);
    const over = {
      index: index,
      bottom: m.bottom - floor,
      edge: m.bottom - (frame.top + height),
      footnote: m.footnoteTop < floor ? m.bottom - m.footnoteTop : 0,
      right: m.right - wall,
      cut: m.right - (frame.left + width),
      what: m.widest ? describe(m.widest) : '',
      code: m.code,
      line: m.line,
      unloaded: m.unloaded,
    };
    if (over.bottom > tolerance || over.footnote > tolerance || over.right > tolerance ||
        over.code > tolerance) {
      found.push(over);
    }
  }
  return found;
}"""

# Only the slides to measure are filled (and those holding a style sheet: it may style the
# others) and laid out: the others are left out of the page's layout, their diagrams not
# drawn (the template draws the blocks without the attribute).
_LEAVE_OUT = """(only) => {
  const containers = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  const measured = new Set(only);
  const styled = (part) => typeof part === 'string' ? /<(style|link)\\b/i.test(part)
    : Boolean(part && Array.isArray(part.content) && part.content.some(styled));
  const fill = only.slice();
  window.slideshow.getSlides().forEach((slide, index) => {
    if (!measured.has(index) && slide.content.some(styled)) fill.push(index);
  });
  if (window.deckwrightLazy) window.deckwrightLazy.fillOnly(fill);
  containers.forEach((container, index) => {
    if (measured.has(index)) return;
    container.classList.add('deckwright-not-measured');
    for (const block of container.querySelectorAll('pre.mermaid:not([data-deckwright-diagram])')) {
      block.setAttribute('data-deckwright-diagram', 'not-measured');
    }
  });
}"""


class OverflowUnavailable(Exception):
    """Chromium cannot be driven here: the user is told why, in one line."""


@dataclass(frozen=True)
class Measured:
    """How far one slide shown (a `--` step is one) goes past its room, in px."""

    index: int  # among the page's slides
    bottom: float = 0.0  # past the bottom of the content area
    edge: float = 0.0  # past the slide's bottom edge: cut off
    footnote: float = 0.0  # past the top of its footnote
    right: float = 0.0  # past the right of the content area, by `what`
    cut: float = 0.0  # past the slide's right edge: cut off
    what: str = ""
    code: float = 0.0  # how much of a code line its block cuts, and that line
    line: str = ""
    unloaded: int = 0  # pictures of the slide that did not load

    @classmethod
    def read(cls, data: dict) -> Measured:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class PageMeasure:
    """What one deck's page showed: a key per slide (what it shows), and how those it
    measured do not fit (the others were measured in another deck)."""

    keys: list[str]
    found: list[Measured]

    def add(self, other: PageMeasure) -> None:
        """What the page measured when opened again (the same slides, the same keys)."""
        where = {key: index for index, key in enumerate(self.keys)}
        self.found += [replace(m, index=where[other.keys[m.index]]) for m in other.found
                       if other.keys[m.index] in where]


class Claims:
    """Which page measures each slide: the first to show it (slides with one key are laid
    out alike). Pages are measured side by side: claims are made under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed: set[str] = set()

    def claim(self, keys: Sequence[str]) -> list[int]:
        """The indices of the slides of `keys` that no page has claimed yet (now claimed)."""
        with self._lock:
            mine = []
            for index, key in enumerate(keys):
                if key not in self._claimed:
                    self._claimed.add(key)
                    mine.append(index)
            return mine

    def release(self, keys: Iterable[str]) -> None:
        """Give back the claims of a page that failed: another page showing them measures them."""
        with self._lock:
            self._claimed.difference_update(keys)

    def unclaimed(self, keys: Iterable[str]) -> bool:
        """Whether some slide of `keys` is measured by no page."""
        with self._lock:
            return not self._claimed.issuperset(keys)


# ---------- Chromium ----------

def measure_page(browser, html: Path, claims: Claims) -> PageMeasure:
    """Lay out the slides of a built deck that no other page measures, all at once, and
    measure those that do not fit."""
    with opened_deck(browser, html, diagrams=False, fill=False) as page:
        keys = page.evaluate(_KEYS)  # (a diagram's key is its text: the same in every deck)
        only = claims.claim(keys)
        try:
            page.evaluate(_LEAVE_OUT, only)
            draw_diagrams(page, filled_only=True)
            pictures_ready(page)
            page.add_style_tag(content=_ALL_SLIDES)
            page.evaluate("() => document.fonts.ready")  # the fonts of the text laid out now
            found = page.evaluate(_MEASURE, [TOLERANCE, SLIDE_WIDTH, SLIDE_HEIGHT, only])
        except BaseException:
            claims.release(keys[i] for i in only)
            raise
    return PageMeasure(keys, [Measured.read(d) for d in found])


def measure_pages(pages: Sequence[tuple[str, Path]], chromium: str = CHROMIUM,
                  workers: int = 2) -> dict[str, PageMeasure | str]:
    """Each page's measure (or why it failed), by `workers` browsers side by side; a slide
    shown by several pages is measured in one of them. A page that fails gives back the
    slides it had claimed: those that another page shows, measured already, are measured
    there in a next round.

    Raises OverflowUnavailable when Chromium or Playwright is missing or will not start.
    """
    missing = missing_tools(chromium, ("playwright.sync_api",), "pip install playwright")
    if missing:
        raise OverflowUnavailable(missing)
    if not pages:  # no deck builds: nothing to lay out
        return {}
    claims = Claims()
    results = _measure_round(pages, claims, chromium, workers)
    again: set[str] = set()  # the pages measured again, once at most: the rounds end
    while todo := [(name, html) for name, html in pages if name not in again
                   and isinstance(results.get(name), PageMeasure) and claims.unclaimed(results[name].keys)]:
        again.update(name for name, _ in todo)
        for name, result in _measure_round(todo, claims, chromium, workers).items():
            if isinstance(result, PageMeasure):  # (failing now, it keeps what it measured before)
                results[name].add(result)
    return results


def _measure_round(pages: Sequence[tuple[str, Path]], claims: Claims, chromium: str,
                   workers: int) -> dict[str, PageMeasure | str]:
    todo = list(reversed(pages))  # popped from the end: in the order given
    lock = threading.Lock()
    stop = threading.Event()  # Ctrl-C: no page is opened after the ones being measured
    results: dict[str, PageMeasure | str] = {}
    failures: list[BaseException] = []

    def next_page() -> tuple[str, Path] | None:
        with lock:
            return todo.pop() if todo and not failures and not stop.is_set() else None

    def work() -> None:
        from playwright.sync_api import Error, sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = open_chromium(playwright, chromium)
                try:
                    while (job := next_page()) is not None:
                        name, html = job
                        try:
                            results[name] = measure_page(browser, html, claims)
                        except (Error, RuntimeError) as exc:  # this deck's: go on with the others
                            results[name] = _first_line(exc)
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - Chromium did not start: said once, by the caller
            failures.append(exc)

    # Not daemons: a browser is closed by its own thread, also after Ctrl-C (which closes
    # the browsers of a terminal's Ctrl-C at once, failing the pages being measured).
    threads = [threading.Thread(target=work) for _ in range(max(1, min(workers, len(pages))))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        stop.set()
        raise
    if failures:
        raise OverflowUnavailable(f"Chromium ({chromium}) did not start: {_first_line(failures[0])}")
    return results


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------- decks and their slides ----------

@dataclass
class _Overflow:
    """One slide that does not fit, its worst in any step of any deck."""

    loc: SourceLoc
    label: str  # "" for an author's slide, else which generated slide
    steps: int
    first_step: int  # the first step (1-based) that does not fit
    worst: dict[str, float] = field(default_factory=dict)
    line: str = ""
    what: str = ""
    unloaded: int = 0
    decks: list[str] = field(default_factory=list)

    def add(self, m: Measured, step: int, deck: str) -> None:
        self.first_step = min(self.first_step, step)
        for key in ("bottom", "edge", "footnote", "right", "cut", "code"):
            value = getattr(m, key)
            if value > self.worst.get(key, 0.0):
                self.worst[key] = value
                if key == "code":
                    self.line = m.line
                if key == "right":
                    self.what = m.what
        self.unloaded = max(self.unloaded, m.unloaded)
        if deck not in self.decks:
            self.decks.append(deck)

    def finding(self) -> Finding:
        message = "; ".join(_says(self.worst, self.what, self.line))
        if self.steps > 1 and self.first_step > 1:
            message += f" (from its step {self.first_step} of {self.steps})"
        if self.unloaded and self.worst.get("bottom", 0) > TOLERANCE:
            message += "; a picture of it did not load (from the network?): it may need more room"
        if self.label:
            message = f"{self.label}: {message}"
        return Finding(self.loc, KIND, message, "warning", tuple(self.decks))


def _px(value: float) -> int:
    return max(1, round(value))


def _says(worst: dict[str, float], what: str, line: str) -> list[str]:
    """What is wrong, worst first per side: the bottom, then the right."""
    said = []
    bottom, edge = worst.get("bottom", 0.0), worst.get("edge", 0.0)
    if bottom > TOLERANCE:
        said.append(f"content runs {_px(bottom)} px below the slide's content area, "
                    + (f"{_px(edge)} px of it cut off at the slide's edge" if edge > TOLERANCE
                       else "into the strip of its number and footer, which move up to the top"))
    elif worst.get("footnote", 0.0) > TOLERANCE:
        said.append(f"content runs {_px(worst['footnote'])} px into the slide's footnote, drawn over it")
    if worst.get("code", 0.0) > TOLERANCE:
        said.append(f"a code line is {_px(worst['code'])} px wider than its block, cut at the right: "
                    f'"{_shortened(line)}"')
    right, cut = worst.get("right", 0.0), worst.get("cut", 0.0)
    if right > TOLERANCE:
        said.append(f"{what or 'content'} runs {_px(right)} px past the right of the slide's content area, "
                    + (f"{_px(cut)} px of it cut off at the slide's edge" if cut > TOLERANCE
                       else "into its margin"))
    return said


def _shortened(line: str, width: int = 40) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def shown_slides(slides: Iterable[Slide]) -> list[tuple[Slide, int]]:
    """(slide, step number) of each slide remark shows, in order: a step is one."""
    return [(slide, n) for slide in slides if not slide.is_layout for n in range(1, len(slide.steps) + 1)]


def _label(slide: Slide) -> str:
    if not slide.generated:
        return ""
    return f"generated {slide.generated} slide" + (f" '{slide.name}'" if slide.name else "")


def overflow_findings(workshop: Workshop, loaded: Iterable[LoadedDeck], chromium: str = CHROMIUM,
                      workers: int = 2) -> list[Finding]:
    """One warning per slide that does not fit in any deck it is shown in, at the slide's
    first line of text, naming those decks; a deck that does not build is not measured.

    Raises OverflowUnavailable when Chromium or Playwright is missing or will not start.
    """
    decks = {d.path: d.deck for d in loaded
             if d.deck is not None and d.complete and not d.build_errors}
    with tempfile.TemporaryDirectory(prefix="deckwright-overflow-") as scratch:
        pages = _write_pages(workshop, decks, Path(scratch))
        measured = measure_pages(pages, chromium, workers)
    return _findings(decks, measured)


def _write_pages(workshop: Workshop, decks: dict[str, Deck], folder: Path) -> list[tuple[str, Path]]:
    """Build the decks into `folder`; (manifest, page) of each, the longest deck first: most of
    what the others show is measured there, and the browsers side by side end together."""
    out = OutputDir(folder)
    copy_assets(out)
    pages: dict[str, tuple[str, Path]] = {}  # two decks of one page name (an error): the first
    for path, deck in sorted(decks.items(), key=lambda item: -item[1].shown_count):
        if deck.manifest.html not in pages:
            write_deck(deck, workshop.project, out)
            pages[deck.manifest.html] = (path, folder / deck.manifest.html)
    return list(pages.values())


def _findings(decks: dict[str, Deck], measured: dict[str, PageMeasure | str]) -> list[Finding]:
    unfit: dict[str, Measured] = {}  # by key, the slides that do not fit
    for result in measured.values():
        if isinstance(result, PageMeasure):
            unfit.update((result.keys[m.index], m) for m in result.found)
    found: list[Finding] = []
    overflows: dict[tuple[SourceLoc, str], _Overflow] = {}
    for path in (p for p in decks if p in measured):  # in the order of the manifests checked
        result, whole, shown = measured[path], SourceLoc(path, 0), shown_slides(decks[path].slides)
        if isinstance(result, str):
            found.append(Finding(whole, KIND, f"not checked for overflow: {result}", "warning", (path,)))
        elif len(result.keys) != len(shown):
            found.append(Finding(whole, KIND, f"not checked for overflow: the page shows "
                                 f"{len(result.keys)} slides, the deck has {len(shown)}", "warning", (path,)))
        else:
            for (slide, step), key in zip(shown, result.keys):
                if key in unfit:
                    where = (slide.steps[0].top, _label(slide))
                    if where not in overflows:
                        overflows[where] = _Overflow(where[0], where[1], len(slide.steps), step)
                    overflows[where].add(unfit[key], step, path)
    return found + [o.finding() for o in overflows.values()]
