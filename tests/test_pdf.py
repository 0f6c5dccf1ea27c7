"""`deckwright pdf`: handout steps (no browser), then decks printed by Chromium and read by poppler."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deckwright import pdf
from deckwright.builder import Workshop, build, compile_deck
from deckwright.model import SourceLoc, Step, make_slide
from deckwright.reader import Project


def _slide(*texts: str, notes: tuple[str | None, ...] = ()) -> object:
    notes = notes or (None,) * len(texts)
    steps = tuple(Step(t, SourceLoc("a.md", 1 + 10 * i), n) for i, (t, n) in enumerate(zip(texts, notes)))
    return make_slide(steps)


def test_last_step_joins_the_steps_as_remark_shows_the_last_one():
    slide = _slide("class: x\n\n- one\n", "\n- two\n", "\n- three\n")
    (step,) = pdf.last_step(slide).steps
    assert step.text == "class: x\n\n- one\n\n- two\n\n- three\n"
    assert step.loc == SourceLoc("a.md", 1)
    assert pdf.last_step(slide).classes == ("x",)


def test_last_step_merges_a_later_steps_class_and_drops_its_property_lines():
    slide = _slide("name: intro\nclass: x\n\n# Title\n", "class: extra-details\n\nMore\n")
    last = pdf.last_step(slide)
    assert last.classes == ("x", "extra-details")
    assert last.name == "intro"
    # What remark joins: each text after its properties (which begins with their newline).
    assert last.steps[0].text == "name: intro\nclass: x, extra-details\n\n# Title\n\n\nMore\n"


def test_last_step_joins_notes_with_a_blank_line():
    slide = _slide("a\n", "\nb\n", "\nc\n", notes=("first", None, "third"))
    assert pdf.last_step(slide).steps[0].notes == "first\n\nthird"


def test_single_step_slides_stay_as_they_are():
    slide = _slide("just one\n")
    assert pdf.last_step(slide) is slide


def test_pdf_names(tmp_path):
    class M:
        html = "kube-halfday.yml.html"

    assert pdf.pdf_name(M()) == "kube-halfday.yml.pdf"
    assert pdf.pdf_name(M(), "last") == "kube-halfday.yml-handout.pdf"
    assert pdf.pdf_name(M(), "last", notes=True) == "kube-halfday.yml-handout-notes.pdf"


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="deckwright")
    pdf.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_missing_chromium_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "a.yml").write_text("title: A\ncontent:\n- x\n")
    assert _run(["pdf", "--root", str(tmp_path), "--chromium", str(tmp_path / "no-chromium")]) == 2
    assert "no Chromium at" in capsys.readouterr().err


# ---------- printing a corpus deck ----------

DECK = "mlops.yml"


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _page_text(pdf_file: Path, page: int) -> str:
    return " ".join(_poppler("pdftotext", "-f", str(page), "-l", str(page), str(pdf_file), "-").split())


def _pages(pdf_file: Path) -> tuple[int, float, float]:
    info = _poppler("pdfinfo", str(pdf_file))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE).groups())
    return pages, width, height


@pytest.fixture(scope="module")
def printable(corpus_root, tmp_path_factory):
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdfimages") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (apt-get install poppler-utils)")
    if not os.access(pdf.CHROMIUM, os.X_OK):
        pytest.skip(f"{pdf.CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    pytest.importorskip("pypdf")
    copy = tmp_path_factory.mktemp("corpus") / "container.training"
    shutil.copytree(corpus_root, copy)
    project = Project.at(copy / "slides")
    workshop = Workshop.open(project, {})
    manifest, _ = workshop.load(DECK)
    deck, _ = compile_deck(workshop, manifest)
    return project, deck, tmp_path_factory.mktemp("pdf")


def _first_chapter(slides) -> tuple[int, str]:
    """(0-based index, title) of the first chapter's own `# Title` slide."""
    return next((i, s.title) for i, s in enumerate(slides) if s.anchor and not s.generated)


@pytest.mark.browser
def test_pdf_has_a_16_9_page_per_shown_slide(printable, capsys):
    project, deck, out = printable
    assert _run(["pdf", DECK, "--root", str(project.root), "--out", str(out)]) == 0
    assert "printed mlops.yml.pdf" in capsys.readouterr().out
    printed = out / "mlops.yml.pdf"
    pages, width, height = _pages(printed)
    assert pages == deck.shown_count == 312
    assert width / height == pytest.approx(16 / 9, abs=0.01)
    # The chapter title is text on its page: one page per `--` step before it.
    index, title = _first_chapter(deck.slides)
    page = sum(len(s.steps) for s in deck.slides[:index]) + 1
    assert title in _page_text(printed, page)
    assert title not in _page_text(printed, page - 3)
    # Local pictures are in the PDF (pictures from the web are left out on purpose).
    assert len(_poppler("pdfimages", "-list", str(printed)).splitlines()) > 2


@pytest.mark.browser
def test_handout_with_notes_has_a_page_per_slide_and_its_notes(printable):
    project, deck, out = printable
    results = pdf.make_pdfs(project, [DECK], out, steps="last", notes=True, env={})
    assert [(r.ok, r.pdf) for r in results] == [(True, "mlops.yml-handout-notes.pdf")]
    printed = out / results[0].pdf
    pages, width, height = _pages(printed)
    assert pages == len(deck.slides) == 301 < deck.shown_count
    assert height > width * 9 / 16 + 100  # room for the notes under the slide
    index, title = _first_chapter(deck.slides)
    assert title in _page_text(printed, index + 1)
    noted = next(i for i, s in enumerate(deck.slides) if any(st.notes and st.notes.strip() for st in s.steps))
    first_line = next(st.notes for st in deck.slides[noted].steps if st.notes).strip().splitlines()[0]
    assert " ".join(first_line.split()) in _page_text(printed, noted + 1)


# ---------- printing a deck whose slides are filled lazily ----------

# The page's own ways to fill its slides (idle time, the print listeners) are turned off:
# only `deckwright pdf` asking for every slide can fill them.
ONLY_PDF_FILLS = """
window.requestIdleCallback = function () { return 0; };
window.matchMedia = undefined;
(function (listen) {
  window.addEventListener = function (type) {
    return type === 'beforeprint' ? undefined : listen.apply(this, arguments);
  };
})(window.addEventListener);
"""


class _PagesRunning:
    """A Playwright Browser whose new contexts run `script` first in each page."""

    def __init__(self, browser, script: str) -> None:
        self.browser, self.script = browser, script

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        context.add_init_script(self.script)
        return context


@pytest.mark.browser
def test_every_slide_of_a_lazy_deck_is_printed_whole(make_project, tmp_path):
    if not shutil.which("pdftotext") or not os.access(pdf.CHROMIUM, os.X_OK):
        pytest.skip("pdftotext or Chromium missing (apt-get install poppler-utils chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("pypdf")
    slides = "\n---\n\n".join(f"## Slide {i}\n\nText of slide {i}\n" for i in range(1, 13))
    manifest = "title: Lazy\ncontent:\n- chapters/a.md\n"
    root = make_project({"deck.yml": manifest, "chapters/a.md": slides})
    assert all(r.ok for r in build(Project.at(root), None, tmp_path / "out", env={}))
    with sync_api.sync_playwright() as playwright:
        browser = pdf.open_chromium(playwright)
        try:
            page = tmp_path / "out/deck.yml.html"
            data, printed = pdf.print_page(_PagesRunning(browser, ONLY_PDF_FILLS), page)
        finally:
            browser.close()
    (tmp_path / "deck.pdf").write_bytes(data)
    assert printed.pages == printed.slides
    assert "Text of slide 12" in _page_text(tmp_path / "deck.pdf", printed.pages)
