"""How soon the biggest corpus deck is ready in headless Chromium, optimisations on and off.

    python bench/bench_browser.py [--runs 7] [--optimisations-off | --optimisations-on] [--corpus DIR]

Builds kube-selfpaced (2,653 slides) once and writes it twice: as `deckwright build`
writes it (optimisations on) and as before them (off: remark makes every slide's
content inside remark.create, highlights code, copies and counts as it likes).
"On" is, in templates/remark.html:

- lazy slides: remark.create makes each slide view empty; a slide and its two
  neighbours on each side are filled (Markdown to HTML, code, scaling) just before
  they are shown, the others at idle time after the first slide is on screen, all
  of them before printing;
- slide numbers counted once for the deck (remark recounts all the slides before
  each one), remark's slide lists shared while it creates the deck;
- the source textarea dropped once read (remark's `body.innerHTML +=` copied it);
- code coloured at build time (deckwright/highlight.py), not by highlight.js.

Each run opens both pages in a new browser context, in alternating order, and takes:

- ready: from navigation start to the first animation frame in which remark has
  returned and the first slide is shown (the page then answers keys: navigable);
- next: how long the step to slide 2 takes once ready (a keypress's work; with lazy
  slides it includes filling the slide two ahead, unless idle time filled it).

Prints the medians, the target (half of markmaker's 1,021 ms, issue 6), each
figure's ratio to it (at most 1.0 meets it) and the on/off ratio. Machines here are
shared: trust the side-by-side ratio of one run more than absolute times.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "container.training"
MANIFEST = "kube-selfpaced.yml"
MARKMAKER_READY_MS = 1021  # container.training's own build of the deck (issue 6)
TARGET_MS = MARKMAKER_READY_MS / 2
CHROMIUM = "/usr/bin/chromium"

# Runs before the page's scripts: notes when the first slide is on screen.
READY_HOOK = """(() => {
  const check = () => {
    if (window.slideshow && document.querySelector('.remark-visible')) {
      window.__benchReady = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""

NEXT_SLIDE = """() => new Promise((resolve) => {
  const start = performance.now();
  window.slideshow.gotoNextSlide();
  requestAnimationFrame(() => resolve(performance.now() - start));
})"""


def write_pages(corpus: Path, out: Path) -> dict[str, Path]:
    """The deck as built (on) and without the optimisations (off); pictures and assets shared."""
    from deckwright.builder import Workshop, build, compile_deck
    from deckwright.reader import Project
    from deckwright.render import deck_html, deck_markdown

    project = Project.at(corpus / "slides")
    results = build(project, [MANIFEST], out / "on", env={}, jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    workshop = Workshop.open(project, {})
    manifest, _ = workshop.load(MANIFEST)
    deck, _ = compile_deck(workshop, manifest)
    shutil.copytree(out / "on", out / "off")
    page = out / "off" / deck.manifest.html
    page.write_text(deck_html(deck, deck_markdown(deck), fast=False), encoding="utf-8")
    return {"on": out / "on" / deck.manifest.html, "off": page}


def load(browser, page_path: Path) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1210, "height": 681})
    try:
        page = context.new_page()
        page.add_init_script(READY_HOOK)
        page.goto(page_path.as_uri())
        page.wait_for_function("window.__benchReady !== undefined", timeout=120000)
        ready = page.evaluate("window.__benchReady")
        return ready, page.evaluate(NEXT_SLIDE)
    finally:
        context.close()


def report(label: str, values: list[float], target: float | None = None) -> float:
    median = statistics.median(values)
    line = f"{label:<34} {median:8.0f} ms"
    if target is not None:
        line += f"   target {target:5.0f} ms   ratio {median / target:5.2f}"
    print(line, flush=True)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--optimisations-off", dest="only", action="store_const", const="off",
                      help="load only the page built without the optimisations")
    only.add_argument("--optimisations-on", dest="only", action="store_const", const="on",
                      help="load only the page as deckwright builds it")
    args = parser.parse_args()
    if not (args.corpus / "slides").is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    from playwright.sync_api import sync_playwright

    variants = [args.only] if args.only else ["on", "off"]
    with tempfile.TemporaryDirectory() as tmp:
        pages = write_pages(args.corpus, Path(tmp))
        ready: dict[str, list[float]] = {v: [] for v in variants}
        step: dict[str, list[float]] = {v: [] for v in variants}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            load(browser, pages[variants[0]])  # warm the browser's caches once
            for run in range(args.runs):
                for variant in variants if run % 2 == 0 else variants[::-1]:
                    r, s = load(browser, pages[variant])
                    ready[variant].append(r)
                    step[variant].append(s)
            browser.close()
    print(f"{MANIFEST}: medians of {args.runs} loads each, alternating")
    medians = {v: report(f"ready, optimisations {v}", ready[v], TARGET_MS) for v in variants}
    for v in variants:
        report(f"next slide, optimisations {v}", step[v])
    print(f"{'markmaker (issue 6 figure)':<34} {MARKMAKER_READY_MS:8.0f} ms")
    if len(variants) == 2:
        print(f"{'ready on/off':<34} {medians['on'] / medians['off']:8.2f}")


if __name__ == "__main__":
    main()
