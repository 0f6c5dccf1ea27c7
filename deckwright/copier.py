"""Copying aside: with `--jobs 2`, a forked process copies a build's pictures while the
build makes the pages.

A cold build of the corpus copies some 140 pictures (23 MB): about 50 ms, nearly all
of it in system calls (making files, copying bytes), which the build would otherwise
wait for between making the last deck and making its pages. The process is forked
as the build starts (before any thread), waits for the list, copies each file with
the same atomic writer (writer.py), sends back the problems it met, deck by deck, and
ends. The build writes no page before its pictures are in place.

The build never depends on it: if the process is gone (it could not be forked, it
died), the build copies the pictures itself, as a one-process build does. The
process prints nothing, and ends as soon as the build that forked it is gone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from . import forking
from .errors import DeckwrightError, Problem
from .writer import OutputDir

# For each deck: its name, and the pictures to copy as (source file, path in the output).
Work = list[tuple[str, list[tuple[Path, str]]]]
# For each deck whose pictures could not all be copied: why (a full disk, say).
Copied = dict[str, list[Problem]]
STOP_GRACE = 3.0  # seconds: copying the file in hand, however large, takes less on a sound disk


class Copier:
    """The copying process of a build, as seen from the build."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self._conn = conn
        self._results: Copied | None = None
        self._asked = False

    @classmethod
    def start(cls, out_dir: str | os.PathLike[str]) -> Copier | None:
        """Fork the process, to copy into `out_dir`; None if it cannot fork."""
        forked = forking.fork_helper(lambda conn, orphaned: _copy_handed(conn, OutputDir(out_dir), orphaned),
                                     duplex=True)
        return None if forked is None else cls(*forked)

    def copy(self, work: Work) -> bool:
        """Hand over the pictures of each deck; False if the process is gone."""
        try:
            self._conn.send(work)
        except OSError:
            return False
        self._asked = True
        return True

    def ready(self) -> bool:
        """Whether what was handed over is done (or the process is gone): `copied` won't wait."""
        return not self._asked or self._results is not None or self._conn.poll()

    def copied(self) -> Copied | None:
        """The decks whose pictures it failed to copy, and why (waits for it to be done);
        None if it died first."""
        if self._results is None and self._asked:
            try:
                self._results = self._conn.recv()
            except (EOFError, OSError):
                self._asked = False
        return self._results

    def stop(self) -> None:
        """Wait for the process to end: seeing the pipe close, it leaves, once done with the
        file in hand if any (files are never left half-copied); killed if it takes longer
        than STOP_GRACE."""
        self._conn.close()
        forking.end(self.pid, STOP_GRACE)


def copy_all(work: Work, out: OutputDir, orphaned: Callable[[], bool] = lambda: False) -> Copied:
    """Copy each deck's pictures; returns the problems of the decks whose copy failed.

    Stops early (each file is copied whole or not at all) once `orphaned()`.
    """
    failed: Copied = {}
    for name, pictures in work:
        try:
            out.copy_files(pictures, stop=orphaned)
        except DeckwrightError as exc:  # that deck fails, the others go on
            failed[name] = exc.problems
    return failed


def _copy_handed(conn: Connection, out: OutputDir, orphaned: Callable[[], bool]) -> None:
    """In the process: wait for the work (the end of the pipe, when the build is over or
    gone, ends the process), copy, and answer. The build sends nothing more: something to
    read is the end of the pipe (the build stopped it, on Ctrl-C say), so stop copying."""
    conn.send(copy_all(conn.recv(), out, lambda: orphaned() or conn.poll()))
