"""The helper processes of a build (colourer.py, copier.py): forked, joined to it by a pipe."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe


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
    try:
        pid = os.fork()
    except OSError:  # no process to spare: the build does the work itself
        ours.close()
        theirs.close()
        return None
    if pid == 0:
        try:
            ours.close()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            work(theirs, lambda: os.getppid() != build)
            theirs.close()
        except BaseException:  # noqa: BLE001, S110 - never a traceback
            pass
        finally:
            os._exit(0)
    theirs.close()
    return pid, ours
