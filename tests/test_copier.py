"""Copying aside (`--jobs 2`): another process copies the pictures; the pages are the same,
whatever becomes of it (tests/test_durability.py: pages wait for their pictures, and a
picture that cannot be copied fails its decks only, with one process or two)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deckwright import copier, forking, writer
from deckwright.builder import build
from deckwright.reader import Project

from .conftest import REPO, write_files
from .test_colourer import files, printing_pid, running

PICTURE = "<svg xmlns='http://www.w3.org/2000/svg'/>\n"


def picture_project(root: Path, decks: int = 3, pictures: int = 4) -> Path:
    return write_files(root, {
        **{f"d{n}.yml": f"title: D{n}\ncontent:\n- ch{n}.md\n" for n in range(decks)},
        **{f"ch{n}.md": "# Chapter\n\n" + "\n\n---\n\n".join(
            f"![](images/p{(n + i) % (decks + pictures)}.svg)" for i in range(pictures)) + "\n"
           for n in range(decks)},
        **{f"images/p{i}.svg": PICTURE.replace("/>", f" id='{i}'/>") for i in range(decks + pictures)},
    })


def test_with_two_jobs_another_process_copies_the_pictures(tmp_path, monkeypatch):
    root = picture_project(tmp_path / "src")
    build(Project.at(root), None, tmp_path / "one", env={}, jobs=1)
    log = tmp_path / "copies.log"
    real_copy = writer.OutputDir.copy_file

    def logged_copy(self, source, rel):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()} {rel}\n")
        return real_copy(self, source, rel)

    monkeypatch.setattr(writer.OutputDir, "copy_file", logged_copy)
    results = build(Project.at(root), None, tmp_path / "two", env={}, jobs=2)
    assert all(r.ok for r in results)
    assert files(tmp_path / "one") == files(tmp_path / "two")
    copies = [line.split() for line in log.read_text().splitlines()]
    pictures = {pid for pid, rel in copies if rel.startswith("images/")}
    assert len(pictures) == 1 and pictures != {str(os.getpid())}
    shown = [f"images/p{i}.svg" for i in range(6)]  # p6 is in no deck
    assert sorted({rel for _, rel in copies if rel.startswith("images/")}) == shown


def test_a_dead_copier_costs_nothing_but_time(tmp_path, monkeypatch, capfd):
    root = picture_project(tmp_path / "src")
    one = build(Project.at(root), None, tmp_path / "one", env={}, jobs=1)
    monkeypatch.setattr(copier, "copy_all", lambda *args: os._exit(3))  # dies when handed work
    results = build(Project.at(root), None, tmp_path / "two", env={}, jobs=2)
    assert all(r.ok for r in results)
    assert [r.outputs for r in results] == [r.outputs for r in one]
    assert files(tmp_path / "one") == files(tmp_path / "two")
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_copier_handed_nothing_ends_with_the_build(tmp_path):
    started = copier.Copier.start(tmp_path)
    assert started is not None and running(started.pid)
    started.stop()
    assert not running(started.pid)


def slow_copier(tmp_path: Path, monkeypatch, seconds: float) -> tuple[copier.Copier, list[Path]]:
    """A copier at work on ten pictures, each taking `seconds` to copy (handed just now);
    it marks each picture it starts on in `tmp_path/at-work` (see at_work)."""
    root = picture_project(tmp_path / "src", decks=1, pictures=10)
    real_copy = writer.OutputDir.copy_file
    (tmp_path / "at-work").mkdir()

    def slow(self, source, rel):
        (tmp_path / "at-work" / Path(rel).name).touch()
        time.sleep(seconds)
        return real_copy(self, source, rel)

    monkeypatch.setattr(writer.OutputDir, "copy_file", slow)  # the forked process has it too
    started = copier.Copier.start(tmp_path / "out")
    pictures = sorted((root / "images").iterdir())
    assert started is not None and started.copy([("d0.yml", [(p, f"images/{p.name}") for p in pictures])])
    return started, pictures


def at_work(tmp_path: Path, picture: Path, seconds: float = 60) -> None:
    """Wait until the slow copier has started on `picture` (`seconds`: only a deadline for a
    hang: the forked process may take a while to be given the work on a busy machine)."""
    end = time.monotonic() + seconds
    while not (tmp_path / "at-work" / picture.name).exists():
        assert time.monotonic() < end, "the copier never started"
        time.sleep(0.01)


def stopped_within(helper: copier.Copier, seconds: float) -> bool:
    """Whether `helper.stop()` returns in time (if not, the process is killed, to leave none)."""
    stopping = threading.Thread(target=helper.stop, daemon=True)
    stopping.start()
    stopping.join(seconds)
    if stopping.is_alive():
        os.kill(helper.pid, signal.SIGKILL)
    return not stopping.is_alive()


def test_a_copier_stopped_at_work_ends_after_the_picture_in_hand(tmp_path, monkeypatch):
    """Ctrl-C while pictures are copied: the build need not wait for all of them."""
    started, pictures = slow_copier(tmp_path, monkeypatch, 0.4)
    at_work(tmp_path, pictures[0])
    assert stopped_within(started, 1.5)
    assert not running(started.pid)
    copied = [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert copied == [pictures[0].name]  # whole, and no temporary file left


def test_a_copier_stuck_on_a_picture_is_killed_after_a_grace(tmp_path, monkeypatch):
    monkeypatch.setattr(copier, "STOP_GRACE", 0.5)
    started, pictures = slow_copier(tmp_path, monkeypatch, 600)  # a disk that never answers, say
    at_work(tmp_path, pictures[0])
    assert stopped_within(started, 5)
    assert not running(started.pid)


def test_a_second_ctrl_c_while_the_copier_stops_still_ends_it(tmp_path, monkeypatch):
    started, _ = slow_copier(tmp_path, monkeypatch, 600)

    def ctrl_c(seconds):  # as the build waits for the copier to leave
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), forking.all_stopped():
        monkeypatch.setattr(forking.time, "sleep", ctrl_c)
        started.stop()
    monkeypatch.undo()
    assert not running(started.pid)


SLOW_COPIES = """
import os, sys, time
from deckwright import builder, copier, writer
from deckwright.reader import Project

copy_file = writer.OutputDir.copy_file

def slow(self, source, rel):  # each picture takes a while: the copier is at work when killed
    time.sleep(0.3)
    return copy_file(self, source, rel)

writer.OutputDir.copy_file = slow
""" + printing_pid("copier.Copier") + """
builder.build(Project.at(sys.argv[1]), None, sys.argv[2], env={}, jobs=2)
"""


def test_the_copier_stops_when_the_build_is_killed(tmp_path):
    """Killing only the build (not its process group): the copier ends after the picture in hand."""
    root = picture_project(tmp_path / "src", decks=2, pictures=10)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-c", SLOW_COPIES, str(root), str(out)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = int(build.stdout.readline())
    deadline = time.monotonic() + 30
    while not list(out.glob("images/*.svg")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert running(pid), "the copier ended before the build was killed"
    build.kill()
    build.wait()
    deadline = time.monotonic() + 5
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)
    assert len(list(out.glob("images/*.svg"))) <= 3  # of 12: the first, and the one in hand
    assert not list(out.glob("*.html"))
    assert build.stderr.read() == ""
