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

The same file keeps what deckwright wrote for each deck (`written`), whatever the build's
context and with `--force` too: by manifest (its absolute path) and by the command that
wrote it ("build": the page, its pictures, mermaid; "site": its chapter pages, bundle and
single file), each file with its size and time once written. A file an earlier build wrote
that no deck's record holds any longer (its manifest renamed or deleted, its `html` or `zip`
renamed, a picture no longer shown) is removed, unless it changed since it was written: then
it may be the user's and is left; so is one a symbolic link leads out of the output folder,
or the content folder's own (a picture, with the output folder the content folder). A failed deck's record is kept, and with it its last good
page.
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
Written = dict[str, dict[str, dict[str, Stat]]]  # manifest -> command -> file -> its stat


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
class Cleared:
    """What `Stamps.clear` did with the files earlier builds wrote and this one did not."""

    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # changed since written, or not removable: why

    def add(self, other: Cleared) -> None:
        self.removed = sorted(self.removed + other.removed)
        self.left = sorted(self.left + other.left)


@dataclass
class Stamps:
    """The stamp file of one output folder, for one build context."""

    out: OutputDir
    context: dict[str, object]
    decks: dict[str, dict] = field(default_factory=dict)
    written: Written = field(default_factory=dict)
    # Files let go of since the file was read (file -> the stats they were written with).
    _released: dict[str, list[Stat]] = field(default_factory=dict)

    @classmethod
    def open(cls, out: OutputDir, context: dict[str, object]) -> Stamps:
        """The recorded decks, or none if the file is missing, unreadable or from another
        context; and what was written for each, whatever the context."""
        stamps = cls(out, json.loads(json.dumps(context)))  # as it reads back from JSON
        try:
            saved = json.loads((out.root / STAMP_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return stamps
        if not isinstance(saved, dict):
            return stamps
        if saved.get("context") == stamps.context:
            decks = saved.get("decks")
            stamps.decks = decks if isinstance(decks, dict) else {}
        stamps.written = _valid_written(saved.get("written"))
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

    def wrote(self, manifest: str, command: str, outputs: Iterable[str],
              stat: Callable[[str], Stat] = file_stat) -> None:
        """Note the files `command` wrote for a deck (`manifest`: its absolute path) this time,
        in place of those it wrote before."""
        self._let_go(manifest, command)
        self.written.setdefault(manifest, {})[command] = {
            rel: stat(os.path.join(self.out.root, rel)) for rel in sorted(set(outputs))}

    def has_written(self, manifest: str, command: str) -> bool:
        return command in self.written.get(manifest, {})

    def forget_gone(self, command: str) -> None:
        """Let go of what `command` wrote for the decks whose manifest is no longer there."""
        for manifest in [m for m in self.written if not os.path.isfile(m)]:
            self._let_go(manifest, command)

    def _let_go(self, manifest: str, command: str) -> None:
        files = self.written.get(manifest, {}).pop(command, None) or {}
        for rel, stat in files.items():
            self._released.setdefault(rel, []).append(stat)
        if manifest in self.written and not self.written[manifest]:
            del self.written[manifest]

    def clear(self, content: str | os.PathLike[str], keep: Iterable[str] = ()) -> Cleared:
        """Remove the files let go of that no deck's record holds (nor `keep`), each only if
        it is as it was written and is the output folder's own (see `_not_ours`; `content`:
        the content folder). Returns what was removed and what was left, with why."""
        held = {rel for commands in self.written.values() for files in commands.values() for rel in files}
        held.update(keep)
        cleared = Cleared()
        for rel, stats in sorted(self._released.items()):
            if rel in held:
                continue
            now = file_stat(os.path.join(self.out.root, rel))
            if now is None:
                continue
            if now not in stats:
                cleared.left.append(f"{rel} (changed since it was written)")
                continue
            why = _not_ours(self.out.root, rel, content) or self.out.remove(rel)
            if why:
                cleared.left.append(f"{rel} ({why})")
            else:
                cleared.removed.append(rel)
        self._released = {}
        return cleared

    def save(self) -> None:
        data = {"context": self.context, "decks": self.decks, "written": self.written}
        self.out.write_text(STAMP_FILE, json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")


def _not_ours(out: Path, rel: str, content: str | os.PathLike[str]) -> str | None:
    """Why the file `rel` of the output folder `out`, though written there, is not the
    folder's to remove, if it is not: a symbolic link (of a folder on its path) leads it
    out of the folder, or it is the content folder's own file (`--out` the content folder:
    a picture is copied onto itself)."""
    path = os.path.join(out, rel)
    real_out = os.path.realpath(out)
    if not os.path.realpath(path).startswith(real_out + os.sep):
        return "a symbolic link leads it out of the output folder"
    try:
        if os.path.samefile(path, os.path.join(content, rel)):
            return "it is the content folder's own file"
    except OSError:  # no such file in the content folder
        pass
    return None


def _valid_written(saved: object) -> Written:
    """The record of what was written, as read back; parts edited out of shape are dropped."""
    if not isinstance(saved, dict):
        return {}

    def valid_stat(stat: object) -> bool:
        return stat is None or (isinstance(stat, list) and len(stat) == 2
                                and all(isinstance(n, int) for n in stat))

    return {
        manifest: {command: files for command, files in commands.items()
                   if isinstance(files, dict) and all(isinstance(rel, str) and valid_stat(st)
                                                      for rel, st in files.items())}
        for manifest, commands in saved.items() if isinstance(commands, dict)
    }
