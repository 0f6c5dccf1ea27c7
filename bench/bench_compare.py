"""Cold builds of the corpus by two commits of deckwright, alternated, side by side.

    python bench/bench_compare.py REV [--runs 20] [--jobs 2] [--corpus DIR] [--scratch DIR]

A machine here changes speed by up to 1.5x within the hour, so a figure measured
before a change and another after it mostly compare two hours. This builds with
REV (checked out in a scratch worktree) and with this working tree in turns, each
build in a new process into an empty folder, and prints both medians and the
median of the paired ratios (this tree / REV, each pair run back to back) with
its quartiles. Below 1.0, this tree is faster.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_build import DEFAULT_CORPUS, REPO, run_child  # this folder comes first on the path


def cold_build(tree: Path, root: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    return run_child(root, out, jobs, tree)["build"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the commit to compare this working tree with (HEAD~1, a hash...)")
    parser.add_argument("--runs", type=int, default=20, help="builds by each (default: 20)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scratch", type=Path, default=REPO,
                        help="folder in which to make the scratch folder (default: this repository)")
    args = parser.parse_args()
    if not (args.corpus / "slides").is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=args.scratch) as tmp:
        other = Path(tmp) / "rev"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(other), args.rev],
                       check=True)
        try:
            shutil.copytree(args.corpus, Path(tmp) / "corpus")
            root = Path(tmp) / "corpus" / "slides"
            trees = {"rev": other, "this": REPO}
            for tree in trees.values():  # as installing them would (see bench_build.py)
                compileall.compile_dir(tree / "deckwright", quiet=1)
            times: dict[str, list[float]] = {"rev": [], "this": []}
            for run in range(args.runs):
                for name in ("rev", "this") if run % 2 == 0 else ("this", "rev"):
                    times[name].append(cold_build(trees[name], root, Path(tmp) / "out", args.jobs))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(other)], check=True)
    print(f"cold builds of the corpus, --jobs {args.jobs}, {args.runs} each, alternated")
    for name, label in (("rev", args.rev), ("this", "this tree")):
        print(f"{label:<20} median {statistics.median(times[name]):.3f} s   fastest {min(times[name]):.3f} s")
    ratios = sorted(b / a for a, b in zip(times["rev"], times["this"]))
    quarter = len(ratios) // 4
    print(f"this / {args.rev}: median of paired ratios {statistics.median(ratios):.3f}"
          f"   (quartiles {ratios[quarter]:.3f} to {ratios[-1 - quarter]:.3f})")


if __name__ == "__main__":
    main()
