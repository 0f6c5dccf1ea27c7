"""`deckwright pdf`: print decks to PDF in headless Chromium, one 16:9 page per slide.

Each deck is built into a temporary folder (page, assets, pictures), opened from
file:// with every other request refused (pictures from the web stay blank, so a
PDF never depends on the network), and printed by Chromium with a print
stylesheet that shows every remark slide as one page. Text stays text.

Chromium takes time that grows faster than the page count to print one long
document (a 2,653-slide deck: minutes, then more), so we print slices of
PAGES_PER_PRINT slides from the same loaded page and join the PDFs with pypdf.

`--steps last` prints a handout: one page per `---` slide, showing what remark
shows on its last `--` step (every step's text, in order). `--notes` puts the
presenter notes under each slide, in a taller page.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .builder import Workshop, compile_deck, copy_assets, write_deck
from .chromium import (
    CHROMIUM,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    missing_tools,
    open_chromium,
    opened_deck,
    pictures_ready,
)
from .cli import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_project_arguments,
    failed_line,
    open_project,
    out_is_a_folder,
)
from .errors import DeckwrightError, Problem
from .model import Deck, Manifest, Slide, SourceLoc, Step, make_slide, read_properties
from .reader import Project
from .widths import pad
from .writer import OutputDir

NOTES_HEIGHT = 480  # the band under each slide for its notes, with --notes
PAGES_PER_PRINT = 200
KEPT_FROM_FIRST = ("name", "layout", "count")  # the slide's own, whatever a later step says


# ---------- handouts: the last step of each slide ----------

def _merged_properties(steps: Sequence[Step]) -> tuple[dict[str, str], list[str]]:
    """The properties of a slide's last step, and each step's text without its own.

    As remark does, a step's `class` adds to the classes before it and its other
    properties win; unlike remark, the slide keeps the first step's name (the one
    links point to), since the handout shows the slide once.
    """
    merged: dict[str, str] = {}
    bodies = []
    for number, step in enumerate(steps):
        props, body = read_properties(step.text)
        for key, value in props.items():
            if number and key == "class" and merged.get("class"):
                merged["class"] = f"{merged['class']}, {value}"
            elif not number or key not in KEPT_FROM_FIRST or key not in merged:
                merged[key] = value
        bodies.append(body)
    return merged, bodies


def last_step(slide: Slide) -> Slide:
    """The slide as remark shows it on its last `--` step, as a single step.

    remark appends each step's text to the text before it (nothing in between),
    merges the `class` of each step into the classes before, and joins the notes
    with a blank line.
    """
    if len(slide.steps) == 1:
        return slide
    first = slide.steps[0]
    props, bodies = _merged_properties(slide.steps)
    if any(read_properties(st.text)[0] for st in slide.steps[1:]):
        head = "".join(f"{k}: {v}\n" for k, v in props.items())
        text = head + "\n" + bodies[0].lstrip("\n") + "".join(bodies[1:])
    else:
        text = first.text + "".join(bodies[1:])
    notes = "\n\n".join(st.notes for st in slide.steps if st.notes) or None
    step = Step(text, first.loc, notes, first.notes_loc)
    return make_slide((step,), part=slide.part, title=slide.title, anchor=slide.anchor,
                      generated=slide.generated)


def last_steps(deck: Deck) -> Deck:
    return replace(deck, slides=tuple(last_step(s) for s in deck.slides))


# ---------- printing ----------

def print_css(notes: bool) -> str:
    """What `deckwright pdf` adds to the deck's own print layout (assets/deckwright.css:
    one unscaled 16:9 page per slide): only the slides of this slice, and with `notes`,
    a band under each slide for its notes."""
    css = """
@media print {
  .remark-slides-area > .remark-slide-container.deckwright-unprinted { display: none !important; }
}
"""
    if notes:
        height = SLIDE_HEIGHT + NOTES_HEIGHT
        css += f"""
@page {{ size: {SLIDE_WIDTH}px {height}px; margin: 0; }}
@media print {{
  .remark-slides-area > .remark-slide-container {{ height: {height}px !important; }}
  .remark-slides-area > .remark-slide-container > .remark-slide-notes {{ display: block !important;
    position: absolute !important; top: {SLIDE_HEIGHT}px !important; left: 0 !important;
    width: {SLIDE_WIDTH}px !important; height: {NOTES_HEIGHT}px !important; margin: 0 !important;
    box-sizing: border-box; padding: 20px 64px; overflow: hidden; border-top: 3px solid #1f5f99;
    background: #f6f7f9; color: #1d2433; font-family: system-ui, "DejaVu Sans", sans-serif;
    font-size: 22px; line-height: 1.45; }}
  .remark-slide-notes p {{ margin: 0 0 0.6em; }}
}}
"""
    return css


# Show only slides [first, last) to the printer.
_SHOW_SLICE = """([first, last]) => {
  const slides = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  slides.forEach((el, i) => el.classList.toggle('deckwright-unprinted', i < first || i >= last));
}"""

# Shrink the notes of slides [first, last) that overflow their band; returns how many
# slides' notes still do not fit.
_FIT_NOTES = """([first, last]) => {
  const slides = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  let unfit = 0;
  for (const slide of Array.from(slides).slice(first, last)) {
    const notes = slide.querySelector('.remark-slide-notes');
    if (!notes || !notes.textContent.trim()) continue;
    let size = 22;
    while (notes.scrollHeight > notes.clientHeight && size > 11) {
      size -= 1;
      notes.style.fontSize = size + 'px';
    }
    if (notes.scrollHeight > notes.clientHeight) unfit += 1;
  }
  return unfit;
}"""


@dataclass
class Printed:
    pages: int
    slides: int
    unfit_notes: int = 0


def print_page(
    browser,  # a Playwright Browser
    html: Path,
    notes: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, Printed]:
    """Print a built deck page to PDF bytes, slice by slice."""
    from pypdf import PdfReader, PdfWriter

    height = SLIDE_HEIGHT + (NOTES_HEIGHT if notes else 0)
    with opened_deck(browser, html, SLIDE_HEIGHT) as page:
        count = page.evaluate(
            "() => document.querySelectorAll('.remark-slides-area > .remark-slide-container').length"
        )
        page.add_style_tag(content=print_css(notes))
        page.emulate_media(media="print")
        writer = PdfWriter()
        unfit = 0
        for first in range(0, count, PAGES_PER_PRINT):
            last = min(count, first + PAGES_PER_PRINT)
            page.evaluate(_SHOW_SLICE, [first, last])
            pictures_ready(page, first, last)
            if notes:
                unfit += page.evaluate(_FIT_NOTES, [first, last])
            data = page.pdf(width=f"{SLIDE_WIDTH}px", height=f"{height}px", print_background=True,
                            margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
            writer.append(PdfReader(io.BytesIO(data)))
            if progress:
                progress(last, count)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue(), Printed(len(writer.pages), count, unfit)


# ---------- decks to PDF files ----------

def pdf_name(manifest: Manifest, steps: str = "all", notes: bool = False) -> str:
    """`kube-halfday.yml.pdf`, `kube-halfday.yml-handout.pdf`, `…-notes.pdf`, `…-handout-notes.pdf`."""
    stem = manifest.html.removesuffix(".html")
    return stem + ("-handout" if steps == "last" else "") + ("-notes" if notes else "") + ".pdf"


@dataclass
class PdfResult:
    """What happened to one manifest."""

    manifest: str
    pdf: str = ""
    pages: int = 0
    size: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def print_deck(
    browser, workshop: Workshop, manifest_path: str, out: OutputDir, steps: str = "all",
    notes: bool = False, progress: Callable[[int, int], None] | None = None,
) -> PdfResult:
    """Compile one manifest, build it into a scratch folder, print it into `out`."""
    result = PdfResult(manifest_path)
    start = time.perf_counter()
    try:
        manifest, warnings = workshop.load(manifest_path)
        deck, problems = compile_deck(workshop, manifest)
        result.problems = warnings + problems
        if steps == "last":
            deck = last_steps(deck)
        with tempfile.TemporaryDirectory(prefix="deckwright-pdf-") as scratch:
            built = OutputDir(scratch)
            copy_assets(built)
            write_deck(deck, workshop.project, built)
            data, printed = print_page(browser, Path(scratch) / manifest.html, notes, progress)
        if printed.pages != printed.slides:
            result.problems.append(Problem(SourceLoc(manifest_path, 0),
                                           f"printed {printed.pages} pages for {printed.slides} slides"))
        if printed.unfit_notes:
            result.problems.append(Problem(SourceLoc(manifest_path, 0),
                                           f"the notes of {printed.unfit_notes} slides are cut at the bottom "
                                           "of their page", "warning"))
        result.pdf = pdf_name(manifest, steps, notes)
        out.write_bytes(result.pdf, data)
        result.pages, result.size = printed.pages, len(data)
    except DeckwrightError as exc:
        result.problems += exc.problems
    except Exception as exc:  # noqa: BLE001 - a browser failure: say which deck, go on with the others
        result.problems.append(Problem(SourceLoc(manifest_path, 0), f"printing failed: {exc}"))
    result.seconds = time.perf_counter() - start
    return result


def make_pdfs(
    project: Project,
    manifests: Sequence[str] | None,
    out_dir: str | os.PathLike[str],
    steps: str = "all",
    notes: bool = False,
    env: Mapping[str, str] | None = None,
    chromium: str = CHROMIUM,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[PdfResult]:
    """Print each manifest (all of the root's by default); one failing never stops the others."""
    from playwright.sync_api import sync_playwright

    workshop = Workshop.open(project, env)
    out = OutputDir(out_dir)
    results = []
    with sync_playwright() as playwright:
        browser = open_chromium(playwright, chromium)
        try:
            for name in manifests or project.manifests():
                report = (lambda done, total, name=name: progress(name, done, total)) if progress else None
                results.append(print_deck(browser, workshop, name, out, steps, notes, report))
        finally:
            browser.close()
    return results


# ---------- command line ----------

def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "pdf",
        help="print decks to PDF (headless Chromium)",
        description="Print each deck to PDF with the system's Chromium: one 16:9 page per slide. "
        "Pictures come from local files only; text stays selectable.",
    )
    add_project_arguments(p)
    p.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    p.add_argument("--steps", choices=("all", "last"), default="all",
                   help="all: one page per `--` step, as presented; last: one page per slide, "
                   "as on its last step (a handout)")
    p.add_argument("--notes", action="store_true", help="print the presenter notes under each slide")
    p.add_argument("--chromium", default=CHROMIUM, metavar="PATH",
                   help=f"the Chromium to print with (default: {CHROMIUM})")
    p.set_defaults(func=run)


def _missing_tools(chromium: str) -> str | None:
    return missing_tools(chromium, ("playwright.sync_api", "pypdf"), "pip install 'deckwright[pdf]'")


def run(args: argparse.Namespace) -> int:
    opened = open_project(args)
    if opened is None or not out_is_a_folder(args.out):
        return EXIT_USAGE
    project, manifests = opened
    missing = _missing_tools(args.chromium)
    if missing:
        print(f"deckwright: error: {missing}", file=sys.stderr)
        return EXIT_USAGE

    def progress(name: str, done: int, total: int) -> None:
        if total > PAGES_PER_PRINT and sys.stderr.isatty():
            end = "\n" if done == total else ""
            print(f"\r{name}: {done}/{total} slides printed", end=end, file=sys.stderr, flush=True)

    results = make_pdfs(project, manifests, args.out, args.steps, args.notes,
                        chromium=args.chromium, progress=progress)
    seen: set[str] = set()
    for result in results:
        for problem in result.problems:
            if str(problem) not in seen:
                seen.add(str(problem))
                print(problem, file=sys.stderr)
        if result.ok:
            print(f"printed {pad(result.pdf, 34)} {result.pages:>5} pages  "
                  f"{result.size / 1e6:6.1f} MB  {result.seconds:6.1f} s")
        else:
            print(failed_line(result.manifest, result.problems), file=sys.stderr)
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} printed, {failed} failed")
    return EXIT_OK if not failed else EXIT_FAILED
