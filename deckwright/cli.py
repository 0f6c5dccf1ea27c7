"""The command line: parse arguments, call the library, turn problems into exit codes.

Ctrl-C at any point prints one line and exits 130: so the module imports next to nothing
(what the commands need, argparse included, is imported within `main`'s handling of it).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from .builder import DeckResult
    from .errors import Problem
    from .reader import Project
    from .stamps import Cleared

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as shells report a command stopped by Ctrl-C
EXIT_PIPE_CLOSED = 141  # as shells report a command stopped by SIGPIPE (`... | head -1`)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the command being run, only that command's module is imported."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="deckwright",
        description="Compile YAML workshop manifests and Markdown chapters into remark.js decks.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    b = commands.add_parser(
        "build",
        help="build decks into an output folder",
        description="Build each manifest into one HTML deck (with its assets and pictures). "
        "Problems are printed as path:line: message; the exit status is 1 if any deck failed.",
    )
    add_project_arguments(b)
    b.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    b.add_argument("--strict", action="store_true", help="fail on warnings too")
    b.add_argument("--force", action="store_true",
                   help="rebuild every deck (by default a deck whose files, and deckwright itself, "
                   "did not change since the last build into --out is kept, and its warnings "
                   "are printed again)")
    b.add_argument("--jobs", type=_jobs, default=0, metavar="N",
                   help="2 or more: a second process colours code while the decks are built, "
                   "and a third copies pictures while the pages are made (default: one per CPU)")
    b.set_defaults(func=run_build)
    for name in COMMAND_MODULES:
        if command in (None, name.rpartition(".")[2]):
            importlib.import_module(name).add_parser(commands)
    return parser


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """The MANIFEST arguments and --root, as every command takes them (read by open_project)."""
    parser.add_argument("manifests", nargs="*", metavar="MANIFEST",
                        help="manifest files (default: every *.yml at the top of --root)")
    parser.add_argument("--root", metavar="DIR",
                        help="the content folder: manifests at its top, chapter paths relative to it; "
                        "@@INCLUDE and @@LINK paths are relative to the folder above it (default: "
                        "the folder of the MANIFESTs named, which must be one, else the current folder)")


def _jobs(text: str) -> int:
    import argparse

    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}")
    return int(text)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def print_results(results: Sequence[DeckResult]) -> None:
    from .widths import pad

    seen: set[str] = set()
    for result in results:
        for problem in result.problems:
            text = str(problem)
            if text not in seen:
                seen.add(text)
                print(text, file=sys.stderr)
        warned = _warnings(len({str(p) for p in result.problems if not p.is_error}))
        if result.ok and result.reused:
            print(f"kept   {pad(result.html, 28)} {result.slides:>5} slides  (up to date{', ' + warned if warned else ''})")
        elif result.ok:
            print(f"built  {pad(result.html, 28)} {result.slides:>5} slides  {result.seconds:6.2f} s"
                  + (f"  ({warned})" if warned else ""))
        else:
            print(failed_line(result.manifest, result.problems), file=sys.stderr)
    failed = sum(not r.ok for r in results)
    # Each warning once, however many decks share the chapter it is in (each deck's line
    # says how many it has).
    warnings = len({str(p) for r in results for p in r.problems if not p.is_error})
    kept = sum(r.ok and r.reused for r in results)
    counts = f"{len(results) - failed - kept} built, " + (f"{kept} up to date, " if kept else "")
    print(f"{counts}{failed} failed, {_warnings(warnings) or '0 warnings'}")


def _warnings(count: int) -> str:
    return f"{count} warning{'s' * (count != 1)}" if count else ""


def failed_line(manifest: str, problems: Sequence[Problem]) -> str:
    """`FAILED deck.yml (why)`: the deck's first error, and how many others.

    Each problem is printed in full once, above the first deck it fails: decks sharing
    a chapter fail on the same error, and each of their lines still says which.
    """
    errors = list(dict.fromkeys(p for p in problems if p.is_error))
    if not errors:
        return f"FAILED {manifest}"
    more = len(errors) - 1
    others = f", and {more} more error{'s' * (more != 1)}" if more else ""
    return f"FAILED {manifest} ({errors[0].one_line()}{others}, as above)"


def content_folder(args: argparse.Namespace) -> str | None:
    """`--root`, else the folder of the MANIFESTs named (chapters are found from there, so
    pictures and includes must be too), else the current folder; None, once the user's
    mistake is printed, when the manifests named are in several folders."""
    if args.root == "":  # `--root "$CONTENT"` with CONTENT unset: not the current folder unasked
        print("deckwright: error: --root is empty: name the content folder ('.' for the current one)",
              file=sys.stderr)
        return None
    if args.root is not None:
        return str(args.root)
    folders: dict[str, str] = {}  # each folder (its real path) as first named
    for name in args.manifests:
        # A manifest named by a symbolic link: its chapters are found from its own folder.
        folder = os.path.dirname(os.path.realpath(name) if os.path.islink(name) else name) or "."
        folders.setdefault(os.path.realpath(folder), folder)
    if len(folders) > 1:
        named = ", ".join(folders.values())
        print(f"deckwright: error: the manifests named are in several folders ({named}): "
              "pass --root DIR, the content folder they are in", file=sys.stderr)
        return None
    return next(iter(folders.values()), ".")


def open_project(args: argparse.Namespace) -> tuple[Project, list[str]] | None:
    """The content folder (see content_folder) and the MANIFEST arguments found in it (an empty
    list: all of them); None, once the user's mistake is printed, when there is nothing to do."""
    from .builder import resolve_manifest
    from .errors import DeckwrightError
    from .reader import Project

    root = content_folder(args)
    if root is None:
        return None
    project = Project.at(root)
    if not project.root.is_dir():
        if args.root is None:  # the folder of the manifests named
            print(f"{args.manifests[0]}: error: no such manifest ({root} is not a folder)", file=sys.stderr)
        else:
            print(f"deckwright: error: --root {root} is not a folder", file=sys.stderr)
        return None
    try:
        manifests = [resolve_manifest(project, m) for m in args.manifests]
    except DeckwrightError as exc:  # formats itself as `path: error: message`
        print(exc, file=sys.stderr)
        return None
    if not manifests and not project.manifests():
        print(f"deckwright: error: no *.yml manifest in {project.root}", file=sys.stderr)
        return None
    return project, manifests


def out_is_a_folder(out: str | None) -> bool:
    """False, once the user's mistake is printed, when `--out` names a file: it cannot be
    the folder the decks are written into (and is left as it is); or is empty."""
    if out == "":  # `--out "$DIST"` with DIST unset: not the current folder unasked
        print("deckwright: error: --out is empty: name the output folder ('.' for the current one)",
              file=sys.stderr)
        return False
    if out is not None and os.path.isfile(out):
        print(f"deckwright: error: --out {out} is a file, not a folder", file=sys.stderr)
        return False
    return True


def run_build(args: argparse.Namespace) -> int:
    from .builder import build_into

    opened = open_project(args)
    if opened is None or not out_is_a_folder(args.out):
        return EXIT_USAGE
    project, manifests = opened
    built = build_into(project, manifests, args.out, strict=args.strict,
                       jobs=args.jobs or default_jobs(), reuse=not args.force)
    print_results(built.decks)
    for line in cleared_lines(built.cleared):
        print(line)
    return EXIT_OK if all(r.ok for r in built.decks) else EXIT_FAILED


def listed(names: Sequence[str], shown: int = 8) -> str:
    """`a, b, c and 7 more`: the first `shown` names."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def cleared_lines(cleared: Cleared, shown: int = 8) -> list[str]:
    """What a build removed of what earlier builds wrote, and what it left, one line each."""
    lines = []
    if cleared.removed:
        lines.append(f"removed, as no deck writes it now: {listed(cleared.removed, shown)}")
    if cleared.left:
        lines.append(f"not removed, though no deck writes it now: {listed(cleared.left, shown)}")
    return lines


# Each command module has `add_parser(subparsers)`, which sets `func` on its parser;
# the module's last name is its command's name.
COMMAND_MODULES: tuple[str, ...] = (
    "deckwright.serve", "deckwright.site", "deckwright.pdf", "deckwright.check", "deckwright.stats",
)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        known = {"build"} | {name.rpartition(".")[2] for name in COMMAND_MODULES}
        parser = _parser(argv[0] if argv and argv[0] in known else None)
        args = parser.parse_args(argv)
        return int(args.func(args))
    except KeyboardInterrupt:  # Ctrl-C: files are written whole or not at all (writer.py)
        print("deckwright: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output is gone (`| head`): stop quietly
        # What is still buffered for it would fail again as Python exits: drop it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(main())
