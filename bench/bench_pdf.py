"""PDF printing time and size on the container.training corpus.

    python bench/bench_pdf.py [MANIFEST ...] [--steps all|last] [--notes] [--corpus DIR]

Default: kube-selfpaced.yml (2,653 slides), the largest deck. Prints, per deck, the
pages, the file size and the time: to compile and build the page, for Chromium to load
it, and to print it slice by slice (pdf.PAGES_PER_PRINT slides per slice), then the
whole run's wall time and peak memory. Machines here are
shared: a busy neighbour can double a figure, so compare figures of one run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "container.training"
sys.path.insert(0, str(REPO))

from deckwright import pdf
from deckwright.reader import Project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifests", nargs="*", default=["kube-selfpaced.yml"])
    parser.add_argument("--steps", choices=("all", "last"), default="all")
    parser.add_argument("--notes", action="store_true")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not (args.corpus / "slides").is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2

    marks: list[tuple[str, int, float]] = []

    def progress(name: str, done: int, total: int) -> None:
        marks.append((name, done, time.perf_counter()))
        print(f"  {name}: {done}/{total} slides printed, {time.perf_counter() - start:6.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "container.training"
        shutil.copytree(args.corpus, copy)
        start = time.perf_counter()
        results = pdf.make_pdfs(Project.at(copy / "slides"), args.manifests, Path(tmp) / "out",
                                steps=args.steps, notes=args.notes, env={}, progress=progress)
        wall = time.perf_counter() - start
    for result in results:
        for problem in result.problems:
            print(problem)
        print(f"{result.manifest}: {result.pages} pages, {result.size / 1e6:.1f} MB, "
              f"{result.seconds:.1f} s ({'ok' if result.ok else 'FAILED'})")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"all: {wall:.1f} s wall; peak RSS: this process {own:.0f} MB, "
          f"largest child process (Playwright's driver, Chromium's) {children:.0f} MB")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
