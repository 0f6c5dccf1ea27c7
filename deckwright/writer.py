"""All writing: files land in the output folder atomically, never half-written."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import stat
from collections.abc import Callable, Collection
from pathlib import Path
from typing import BinaryIO

from .errors import DeckwrightError, Problem
from .model import SourceLoc


class OutputDir:
    """The output folder; every file is written beside its target, then renamed into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        # What this writer put at each path: decks share pictures, so look once.
        self._copied: dict[str, tuple[Path, int, int]] = {}

    def write_text(self, rel: str, text: str) -> Path:
        return self.write_bytes(rel, text.encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> Path:
        return self._write(rel, lambda handle: handle.write(data))

    def _write(self, rel: str, fill: Callable[[BinaryIO], object], like: os.stat_result | None = None) -> Path:
        """Write `rel` through `fill`, mode 0644 or (with `like`) that file's mode and times."""
        target = self._target(rel)
        tmp = _temporary(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    fill(handle)
                os.chmod(tmp, 0o644 if like is None else stat.S_IMODE(like.st_mode))
                if like is not None:
                    os.utime(tmp, ns=(like.st_atime_ns, like.st_mtime_ns))
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):  # not made (Ctrl-C came first, or it could not be)
                    os.unlink(tmp)
                raise
        except OSError as exc:
            why = _in_the_way(target) or exc.strerror or str(exc)
            raise DeckwrightError(Problem(SourceLoc(str(target), 0), f"cannot write: {why}")) from None
        return target

    def copy_file(self, source: Path, rel: str) -> Path:
        """Copy a file (its mode and times too) unless the output already has the same size
        and modification time."""
        target = self._target(rel)
        status = source.stat()
        done = (source, status.st_size, status.st_mtime_ns)
        if self._copied.get(rel) == done:
            return target
        if target.is_file():
            have = target.stat()
            if have.st_size == status.st_size and int(have.st_mtime) == int(status.st_mtime):
                self._copied[rel] = done
                return target
        with open(source, "rb") as original:
            self._write(rel, lambda handle: _copy_bytes(original, handle, status.st_size), status)
        self._copied[rel] = done
        return target

    def copy_files(self, files: list[tuple[Path, str]], stop: Callable[[], bool] = lambda: False) -> None:
        """Copy each (file, path in the output folder), as copy_file does; none more once `stop()`."""
        for source, rel in files:
            if stop():
                return
            self.copy_file(source, rel)

    def copy_tree(self, source: Path, rel: str, skip: Collection[str] = ()) -> None:
        """Copy the files of a folder but hidden ones and those `skip` names (from `source`)."""
        for path in sorted(source.rglob("*")):
            name = path.relative_to(source).as_posix()
            if path.is_file() and not path.name.startswith(".") and name not in skip:
                self.copy_file(path, f"{rel}/{name}")

    def remove(self, rel: str) -> str | None:
        """Remove a file, then the folders it leaves empty (up to the output folder); None
        once done, else why it could not be (a path out of the folder is not touched)."""
        try:
            target = self._target(rel)
            os.unlink(target)
        except DeckwrightError as exc:
            return exc.problems[0].message
        except OSError as exc:
            return exc.strerror or str(exc)
        root = Path(os.path.abspath(self.root))
        for folder in target.parents:
            if folder == root:
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or not ours to remove): the folders above are not either
                break
        return None

    def _target(self, rel: str) -> Path:
        root = os.path.abspath(self.root)
        target = os.path.normpath(os.path.join(root, rel))
        if not target.startswith(root + os.sep):
            raise DeckwrightError(Problem(SourceLoc(rel, 0), "output path leaves the output folder"))
        return Path(target)


def _in_the_way(target: Path) -> str | None:
    """What stands where a folder of `target` must be, said (the error, 'File exists' or
    'Not a directory', names neither it nor the folder)."""
    for folder in target.parents:
        if folder.is_dir():
            return None
        if os.path.lexists(folder):
            what = "a file" if os.path.exists(folder) else "a symbolic link to nothing"
            return f"{folder} is {what}, not a folder"
    return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a link put in the temporary file's place is refused
_numbers = itertools.count()


def _temporary(target: Path) -> str:
    """The file written beside `target`, then renamed to it: its own to this process.

    Named before it is made (not by `tempfile`): Ctrl-C landing just as it is made still
    finds it to remove. The process id keeps the processes of a build apart.
    """
    return os.path.join(target.parent, f".{target.name}.{os.getpid()}.{next(_numbers)}.tmp")


def _copy_bytes(source: BinaryIO, target: BinaryIO, size: int) -> None:
    """Copy `size` bytes in the kernel where it can (a build copies hundreds of pictures)."""
    try:
        copied = 0
        while copied < size and (n := os.copy_file_range(source.fileno(), target.fileno(), size - copied)):
            copied += n
    except (AttributeError, OSError):  # not Linux, or not between these file systems
        source.seek(0)
        target.seek(0)
        target.truncate()
        shutil.copyfileobj(source, target)
