"""The helper processes of a build (colourer.py, copier.py): forked, joined to it by a pipe.

However a build ends (Ctrl-C included, landing anywhere), no helper outlives it and
stopping one never waits for long: each forked helper is recorded as it is forked,
with Ctrl-C held back until it is (`_interrupts_held`); `all_stopped` ends whatever
is left; `end` kills a helper that does not leave within its grace. A helper closes
its copies of the pipes of the helpers forked before it: else one left running would
keep another from seeing the end of its pipe (the copier would wait for work forever).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, Pipe

# The helpers forked and not yet waited for: their process ids, and the build's ends of their pipes.
_live: dict[int, Connection] = {}


def fork_helper(work: Callable[[Connection, Callable[[], bool]], object],
                duplex: bool) -> tuple[int, Connection] | None:
    """Fork a process running `work(its end of the pipe, orphaned)`; None if none can be forked.

    Returns the process's id and the build's end of the pipe (with `duplex` False, the
    process only sends). In the process, Ctrl-C is ignored (the build stops it itself),
    nothing it raises is printed (the build does what it left undone), and it leaves
    with `os._exit`, never running the build's exit code. `orphaned()` tells whether the
    build that forked it is gone.
    """
    ours, theirs = Pipe(duplex)
    build = os.getpid()
    with _interrupts_held():
        try:
            pid = os.fork()
        except OSError:  # no process to spare: the build does the work itself
            ours.close()
            theirs.close()
            return None
        if pid == 0:
            _run_helper(work, ours, theirs, lambda: os.getppid() != build)
        _live[pid] = ours
        theirs.close()
    return pid, ours


def _run_helper(work: Callable[[Connection, Callable[[], bool]], object], ours: Connection,
                theirs: Connection, orphaned: Callable[[], bool]) -> None:
    """In the forked process: do the work, then leave without a word."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        ours.close()
        for end in _live.values():  # the other helpers' pipes: theirs to see the end of
            end.close()
        _live.clear()
        work(theirs, orphaned)
        theirs.close()
    except BaseException:  # noqa: BLE001, S110 - never a traceback
        pass
    finally:
        os._exit(0)


def end(pid: int, grace: float) -> None:
    """Wait for helper `pid` to leave, killing it after `grace` seconds (at once with 0).

    It stays recorded until waited for: stopped by Ctrl-C meanwhile, `all_stopped` kills it.
    """
    try:
        pause, deadline = 0.0005, time.monotonic() + grace
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    except ChildProcessError:  # already waited for
        pass
    _live.pop(pid, None)


@contextmanager
def all_stopped() -> Iterator[None]:
    """On leaving, kill the helpers still recorded: those forked as Ctrl-C landed, before
    the build could keep them (handed no work: nothing is left half-done), and those whose
    stopping a second Ctrl-C cut short."""
    try:
        yield
    finally:
        for pid, ours in list(_live.items()):
            end(pid, 0)
            ours.close()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C within held back until the end (then raised as usual): a process forked is
    recorded before KeyboardInterrupt can come. Python runs signal handlers, so raises
    KeyboardInterrupt, in the main thread only: nothing to hold in the others (nor when
    the handler was set outside Python, which could not be put back)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    came: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if came:
            signal.raise_signal(signal.SIGINT)
