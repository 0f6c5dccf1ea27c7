"""Save-to-shown time of `deckwright serve` on the corpus's largest deck (kube-selfpaced).

Copies the container.training corpus to a temporary git repository, starts
serve (every deck, as `deckwright serve` does), opens kube-selfpaced in
headless Chromium, then saves chapters of that deck, one slide at a time, and
measures from the save to the tab having painted the edited slide. Prints each
save and the median split:

  detect   save -> rebuild starts (inotify, then the debounce's quiet period)
  rebuild  the stages and checks (compile_deck), then what changed since the
           last build and the first changed slide, until the event is sent
  write    render the page and write it: done after the event is sent, while
           the tab works (a tab that reloads waits for it); not on the path
  reload   event sent -> received by the tab
  render   received -> changed slides swapped in and the target slide painted

Usage: python bench/bench_serve.py [--saves N] [--only] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from deckwright import serve
from deckwright.reader import Project

DECK = "kube-selfpaced.yml"
TARGET_MS = 300.0
CORPUS = REPO.parent / "shared" / "corpus" / "container.training"
HEADING = re.compile(r"\n---\n\n(## [^\n]+)\n")


def copy_corpus(source: Path, into: Path) -> Path:
    target = into / "container.training"
    shutil.copytree(source, target)
    # A real authoring checkout is a git work tree: the build reads its state.
    git = ["git", "-C", str(target), "-c", "user.email=bench@example.org", "-c", "user.name=bench"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "corpus"], check=True)
    return target / "slides"


def chapters_to_edit(site: serve.DeckSite, count: int) -> list[Path]:
    """Chapters of the deck, spread over it, with a few `## ` slides each."""
    root = site.project.root
    state = site.states[DECK]
    shown = [root / s.path for s in state.shown]
    seen: list[Path] = []
    for path in shown:
        candidate = path not in seen and path.suffix == ".md" and path.is_relative_to(root / "k8s")
        if candidate and len(HEADING.findall(path.read_text())) >= 4:
            seen.append(path)
    step = max(1, len(seen) // count)
    return seen[::step][:count]


def edit(path: Path, n: int) -> str:
    """Change one slide: a word in its heading (even n) or a new line under it (odd n)."""
    text = path.read_text()
    headings = list(HEADING.finditer(text))
    m = headings[(n * 3) % len(headings)]
    marker = f"bench-edit-{n}"
    if n % 2 == 0:
        new = text[: m.end(1)] + f" {marker}" + text[m.end(1):]
    else:
        new = text[: m.end(1)] + f"\n\n{marker}" + text[m.end(1):]
    path.write_text(new)
    return marker


def wait_idle(server, site, timeout: float = 60) -> None:
    """Until no change is pending and no rebuild runs (other decks may still build)."""
    end = time.time() + timeout
    while time.time() < end:
        time.sleep(0.05)
        if server.debouncer._paths:
            continue
        if site._lock.acquire(blocking=False):
            site._lock.release()
            return


def measure(page, server, site, path: Path, n: int, version: int) -> dict:
    saved = time.time()
    marker = edit(path, n)
    page.wait_for_function(
        """([v, marker]) => {
            const last = window.deckwrightServeLast;
            const el = document.querySelector('.remark-visible .remark-slide-content');
            return last && last.version >= v && el && el.innerText.includes(marker);
        }""",
        arg=[version, marker],
        timeout=60000,
    )
    last = page.evaluate("() => window.deckwrightServeLast")
    t = last["timing"]
    ms = lambda a, b: (b - a) * 1000.0
    wait_idle(server, site)
    row = {
        "file": path.name,
        "kind": "word" if n % 2 == 0 else "line",
        "detect": ms(saved, t["started"]),
        "debounce": ms(t["seen"], t["started"]),
        "rebuild": ms(t["started"], t["sent"]),
        "compile": t["compile"] * 1000.0,
        "write": site.states[DECK].timing.get("write", 0.0) * 1000.0,
        "reload": last["received"] - t["sent"] * 1000.0,
        "render": last["painted"] - last["received"],
        "swap": last["applied"] - last["received"],
        "steps": last.get("steps") or {},
        "total": last["painted"] - saved * 1000.0,
        "version": last["version"],
        "slide": page.evaluate("() => window.slideshow.getCurrentSlideIndex()") + 1,
    }
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=12, help="saves to measure (default 12)")
    parser.add_argument("--only", action="store_true", help="serve kube-selfpaced alone")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not (args.corpus / "slides").is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    from browser import CHROMIUM, CHROMIUM_ARGS, SLIDE_HEIGHT, SLIDE_WIDTH
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as temp:
        root = copy_corpus(args.corpus, Path(temp))
        quiet = lambda _: None
        manifests = [DECK] if args.only else []
        server, site, results = serve.start(Project.at(root), manifests, Path(temp) / "out",
                                            "127.0.0.1", 0, log=quiet)
        site.err = quiet
        try:
            print(f"serving {len(results)} decks; {DECK}: {site.states[DECK].html}, "
                  f"{len(site.states[DECK].shown)} slides")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
                start = time.time()
                page.goto(f"{server.url}{DECK}.html#1")
                page.wait_for_function("() => window.deckwrightServe && "
                                       "window.deckwrightServe.source.readyState === 1",
                                       timeout=120000)
                print(f"first load of the deck in Chromium: {time.time() - start:.2f} s "
                      "(what a full reload would cost)")
                chapters = chapters_to_edit(site, 4)
                rows = []
                version = page.evaluate("() => window.deckwrightServe.version()")
                for n in range(args.saves):
                    version += 1
                    row = measure(page, server, site, chapters[n % len(chapters)], n, version)
                    version = row["version"]
                    rows.append(row)
                    print(f"save {n + 1:2}: {row['file']:<28} {row['kind']:<4} -> slide "
                          f"{row['slide']:>4}  total {row['total']:6.0f} ms  (detect "
                          f"{row['detect']:.0f}, rebuild {row['rebuild']:.0f}, reload "
                          f"{row['reload']:.0f}, render {row['render']:.0f}; write "
                          f"{row['write']:.0f} after)  swap: " + ", ".join(
                              f"{k} {v:.0f}" for k, v in row["steps"].items()))
                browser.close()
        finally:
            server.stop()
    report(rows)
    return 0


def report(rows: list[dict]) -> None:
    keys = ["detect", "rebuild", "write", "reload", "render", "total"]
    med = {k: statistics.median(r[k] for r in rows) for k in keys}
    print(f"\nmedian of {len(rows)} saves (ms), {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}:")
    notes = {
        "detect": f"of which the debounce's quiet period "
                  f"{statistics.median(r['debounce'] for r in rows):.0f}",
        "rebuild": f"of which compile_deck {statistics.median(r['compile'] for r in rows):.0f}",
        "write": "after the event is sent: not in the total",
        "render": f"of which swapping slides in "
                  f"{statistics.median(r['swap'] for r in rows):.0f}, then painting",
    }
    for k in keys[:-1]:
        extra = f"  ({notes[k]})" if k in notes else ""
        print(f"  {k:<8} {med[k]:7.1f}{extra}")
    print(f"  {'total':<8} {med['total']:7.1f}   target {TARGET_MS:.0f} ms: "
          f"{med['total'] / TARGET_MS:.2f} x the target "
          f"({'met' if med['total'] <= TARGET_MS else 'missed'})")


if __name__ == "__main__":
    sys.exit(main())
