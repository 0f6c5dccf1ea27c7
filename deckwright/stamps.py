"""What the last build of an output folder was made from, so that an unchanged deck is not rebuilt.

`deckwright build` keeps one small JSON file in the output folder (`.deckwright-stamps.json`,
like Sphinx's `.buildinfo`). For each deck written it records the size and modification
time of every file the deck was built from and of every file written for it, with the
deck's slide count and warnings. A later build skips a deck when all of that still holds
and the build's context is the same: the deckwright code, templates and assets, the
environment overrides and the git state. Warnings are replayed, so a skipped deck reports
what a rebuilt one would, and `--strict` still fails on them.

Only decks that built cleanly enough to be written are recorded; a failed deck is always
built again. Nor is a deck recorded when one of its files changed shortly before or during
its build (within `RACY_NS` of its start): that file may have changed again within the
same clock tick, after it was read (git's "racy clean" problem).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .model import SourceLoc
from .reader import GitState
from .render import ASSETS, TEMPLATES
from .writer import OutputDir

STAMP_FILE = ".deckwright-stamps.json"
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
ENV_KEYS = ("REPOSITORY_URL", "BRANCH")  # besides OVERRIDE_*: what the environment changes
RACY_NS = 2_000_000_000  # coarse file system clocks tick every 2 s

Stat = list[int] | None  # [size, mtime_ns], None for a file that is not there


def file_stat(path: str | os.PathLike[str]) -> Stat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def stat_once() -> Callable[[str], Stat]:
    """`file_stat` looking at each file once: for recording the decks of one build."""
    return functools.cache(file_stat)


def code_fingerprint(folders: Iterable[Path] = (PACKAGE, TEMPLATES, ASSETS)) -> str:
    """A digest of the sizes and times of deckwright's own files: editing one rebuilds all."""
    digest = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                digest.update(f"{path}\0{file_stat(path)}\n".encode())
    return digest.hexdigest()


def build_context(git: GitState, env: Mapping[str, str]) -> dict[str, object]:
    """What every deck of a build depends on besides its own files."""
    return {
        "format": FORMAT,
        "code": code_fingerprint(),
        "git": [git.toplevel, git.remote, git.branch, git.commit, git.dirty],
        "env": sorted((k, v) for k, v in env.items() if k.startswith("OVERRIDE_") or k in ENV_KEYS),
    }


def _problem_record(p: Problem) -> list[object]:
    return [p.loc.path, p.loc.line, p.loc.col, p.message, p.severity, p.excerpt]


def _problem(record: list) -> Problem:
    path, line, col, message, severity, excerpt = record
    return Problem(SourceLoc(path, line, col), message, severity, excerpt)


@dataclass
class Reused:
    """What a skipped deck's last build reported."""

    html: str
    slides: int
    problems: list[Problem]
    inputs: frozenset[Path]
    outputs: tuple[str, ...]


@dataclass
class Stamps:
    """The stamp file of one output folder, for one build context."""

    out: OutputDir
    context: dict[str, object]
    decks: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def open(cls, out: OutputDir, context: dict[str, object]) -> Stamps:
        """The recorded decks, or none if the file is missing, unreadable or from another context."""
        stamps = cls(out, json.loads(json.dumps(context)))  # as it reads back from JSON
        try:
            saved = json.loads((out.root / STAMP_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return stamps
        if isinstance(saved, dict) and saved.get("context") == stamps.context:
            decks = saved.get("decks")
            stamps.decks = decks if isinstance(decks, dict) else {}
        return stamps

    def fresh(self, manifest: str) -> Reused | None:
        """The last build of `manifest`, if none of its inputs or outputs has changed since."""
        stamp = self.decks.get(manifest)
        try:
            if stamp is None or any(file_stat(p) != s for p, s in stamp["inputs"].items()):
                return None
            if any(file_stat(self.out.root / rel) != s for rel, s in stamp["outputs"].items()):
                return None
            return Reused(
                html=stamp["html"],
                slides=stamp["slides"],
                problems=[_problem(r) for r in stamp["problems"]],
                inputs=frozenset(Path(p) for p in stamp["inputs"]),
                outputs=tuple(stamp["outputs"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):  # a stamp file edited by hand
            return None

    def record(self, manifest: str, started_ns: int, html: str, slides: int,
               problems: list[Problem], inputs: Iterable[Path], outputs: Iterable[str],
               stat: Callable[[str], Stat] = file_stat) -> None:
        """Remember a deck written by a build that started at `started_ns` (time.time_ns()).

        `stat`: how files are looked at (decks share most files: a build looks once at
        each, see `stat_once`).
        """
        stats = {name: stat(name) for name in map(str, inputs)}  # in key order when saved
        if any(s is not None and s[1] > started_ns - RACY_NS for s in stats.values()):
            self.forget(manifest)
            return
        self.decks[manifest] = {
            "html": html,
            "slides": slides,
            "problems": [_problem_record(p) for p in problems],
            "inputs": stats,
            "outputs": {rel: stat(os.path.join(self.out.root, rel)) for rel in sorted(set(outputs))},
        }

    def forget(self, manifest: str) -> None:
        self.decks.pop(manifest, None)

    def save(self) -> None:
        data = {"context": self.context, "decks": self.decks}
        self.out.write_text(STAMP_FILE, json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")
