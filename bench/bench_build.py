"""Build speed and memory on the container.training corpus, side by side in one run.

    python bench/bench_build.py [--runs 7] [--corpus DIR] [--scratch DIR]

Prints, for each figure, the median over the runs, its target and the ratio
(figure / target: at most 1.0 meets it), and for times the fastest run. Machines
here are shared, and their speed changes by up to 1.5x within the hour: compare
the figures of one run with each other rather than trusting absolute times.
- cold: a new process builds all 12 decks into an empty folder (nothing cached);
  the time of the build itself, then of the whole command (interpreter included);
- cold, 2 processes: the same with `--jobs 2`;
- CPU time of those builds, in all their processes: the cold build with two
  processes cannot take less than half of it on a machine with two;
- warm: the same build again, nothing changed (decks up to date are skipped);
- incremental: in a running build (as `deckwright serve` keeps one), one chapter
  changes; rebuild and write every deck that uses it (git is asked about the tree
  afterwards, as `deckwright serve` does, so not timed here);
- memory: peak RSS of the cold full-build process.

The corpus is copied, and the decks built, in a scratch folder made inside this
repository (where builds write `dist/`), removed afterwards; `--scratch DIR` picks
another parent folder. A cold build creates some 160 files, and making a file
costs 0.02 ms in one folder of a disk here and 0.4 ms in another: the time it
takes in the scratch folder is printed first.

deckwright's modules are byte-compiled before the runs, as installing a package
does: where PYTHONDONTWRITEBYTECODE is set (as on the machines here), Python would
otherwise compile them again in every process.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "container.training"
MARKMAKER_COLD = 1.53  # seconds, container.training's own build of the 12 decks (issue 6)

# Run in a child process: time one build, report JSON on stdout.
CHILD = """
import json, resource, sys, time
def cpu():  # user and system time of this process and of the helpers it has waited for
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
t0 = time.perf_counter()
from deckwright.builder import build
from deckwright.reader import Project
t1 = time.perf_counter()
c1 = cpu()
results = build(Project.at(sys.argv[1]), None, sys.argv[2], env={}, jobs=int(sys.argv[3]), reuse=True)
t2 = time.perf_counter()
c2 = cpu()
assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
print(json.dumps({"import": t1 - t0, "build": t2 - t1, "cpu": c2 - c1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "slides": sum(r.slides for r in results), "kept": sum(r.reused for r in results)}))
"""


def run_child(root: Path, out: Path, jobs: int = 1, tree: Path = REPO) -> dict:
    """One cold (or warm) build in a new process, by the deckwright of `tree`: its figures."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(out), str(jobs)],
        env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, cwd=tree, check=True,
    )
    figures = json.loads(done.stdout)
    figures["command"] = time.perf_counter() - start
    return figures


def incremental(root: Path, out: Path, chapter: str, runs: int) -> tuple[list[float], int]:
    sys.path.insert(0, str(REPO))
    from deckwright.builder import Workshop, compile_deck, deck_inputs, write_deck
    from deckwright.reader import Project
    from deckwright.writer import OutputDir

    project = Project.at(root)
    workshop = Workshop.open(project, {})
    output = OutputDir(out)
    inputs = {}
    for name in project.manifests():
        manifest, _ = workshop.load(name)
        deck, _ = compile_deck(workshop, manifest)
        inputs[name] = deck_inputs(workshop, name, manifest, deck)
    changed_path = (root / chapter).resolve()
    users = [name for name, files in inputs.items() if changed_path in files]
    times = []
    for run in range(runs):
        changed_path.write_text(changed_path.read_text() + f"\n---\n\nEdit {run}\n")
        start = time.perf_counter()
        workshop.forget({changed_path}, git=False)
        for name in users:
            manifest, _ = workshop.load(name)
            deck, _ = compile_deck(workshop, manifest)
            write_deck(deck, workshop, output)
        times.append(time.perf_counter() - start)
    return times, len(users)


def file_creation_ms(folder: Path, count: int = 200) -> float:
    """Milliseconds to make (and write a little to) one new file in a new folder in `folder`."""
    with tempfile.TemporaryDirectory(prefix=".bench-files-", dir=folder) as tmp:
        start = time.perf_counter()
        for n in range(count):
            (Path(tmp) / f"f{n}").write_bytes(b"x")
        return (time.perf_counter() - start) * 1000 / count


def report(label: str, values: list[float], target: float | None, unit: str = "s") -> None:
    """The median (and the fastest run: what a quiet machine gives), its target and ratio."""
    median = statistics.median(values)
    line = f"{label:<44} {median:8.3f} {unit}"
    if target is not None:
        line += f"   target {target:6.3f} {unit}   ratio {median / target:5.2f}"
    if unit == "s":
        line += f"   (fastest {min(values):.3f})"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scratch", type=Path, default=REPO,
                        help="folder in which to make the scratch folder (default: this repository)")
    parser.add_argument("--chapter", default="k8s/kubectlproxy.md",
                        help="chapter edited for the incremental figure")
    args = parser.parse_args()
    if not (args.corpus / "slides").is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    compileall.compile_dir(REPO / "deckwright", quiet=1)
    print(f"making a file in the scratch folder: {file_creation_ms(args.scratch):.3f} ms"
          + (" (PYTHONDONTWRITEBYTECODE is set: deckwright byte-compiled first)"
             if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""))
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=args.scratch) as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(args.corpus, copy)
        root = copy / "slides"
        cold, cold2, warm = [], [], []
        for run in range(args.runs):
            out = Path(tmp) / f"dist-{run}"
            cold.append(run_child(root, out))
            cold2.append(run_child(root, Path(tmp) / f"dist2-{run}", jobs=2))
            warm.append(run_child(root, out))
        print(f"corpus: {cold[0]['slides']} slides in 12 decks; medians of {args.runs} runs")
        report("cold build, 1 process (build only)", [c["build"] for c in cold], 0.5)
        report("cold build, 2 processes (build only)", [c["build"] for c in cold2], 0.5)
        report("cold build, 1 process (whole command)", [c["command"] for c in cold], None)
        # Time on the processors, the build's and its helpers': with both processors busy,
        # the build takes at least half of it, whatever the machine's load.
        report("CPU time of a cold build, 1 process", [c["cpu"] for c in cold], None)
        report("CPU time of a cold build, 2 processes", [c["cpu"] for c in cold2], None)
        print(f"{'markmaker, 12 processes (issue 6 figure)':<44} {MARKMAKER_COLD:8.3f} s"
              f"   ours/markmaker {statistics.median(c['build'] for c in cold) / MARKMAKER_COLD:5.2f}")
        assert all(w["kept"] == 12 for w in warm) and not any(c["kept"] for c in cold), (warm, cold)
        report("warm build, nothing changed (build only)", [w["build"] for w in warm], 0.15)
        report("warm build (whole command)", [w["command"] for w in warm], None)
        times, users = incremental(root, Path(tmp) / "dist-inc", args.chapter, max(args.runs, 10))
        report(f"incremental: {args.chapter} ({users} deck(s))", times, 0.05)
        times, users = incremental(root, Path(tmp) / "dist-inc2", "shared/title.md", 3)
        report(f"incremental: shared/title.md ({users} decks)", times, None)
        report("peak RSS, cold full build", [c["rss_mb"] for c in cold], 150, "MB")


if __name__ == "__main__":
    main()
