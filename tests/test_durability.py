"""A build killed, out of space or refused its folder never leaves a half-written deck.

Every deck file in the output folder is, at any moment, byte for byte either the last
complete build of it or the new one; a failure to write says so as `path:line: message`.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deckwright import cli, writer
from deckwright.errors import DeckwrightError, Problem
from deckwright.model import SourceLoc

from .conftest import REPO, write_files

DECKS = 4
KILLS = 12


def chapter(version: str, number: int) -> str:
    slides = [f"# Chapter {number} ({version})\n\nIntro"]
    slides += [f"## Slide {i} ({version})\n\n" + f"- point {i} of {version}, with some words\n" * 20
               for i in range(400)]
    return "\n---\n".join(slides) + "\n"


def project(root: Path, version: str) -> Path:
    files = {f"deck{n}.yml": f"title: Deck {n}\ncontent:\n- - ch{n}.md\n" for n in range(DECKS)}
    files.update({f"ch{n}.md": chapter(version, n) for n in range(DECKS)})
    return write_files(root, files)


def run_cli(root: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "deckwright", "build", "--root", str(root), "--out", str(out)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def decks(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("*.html")}


def _differs(data: bytes, expected: dict[str, dict[str, bytes]], name: str) -> str:
    """Where `data` first differs from each version's deck (for the failure message)."""
    where = []
    for version, files in expected.items():
        other = files[name]
        at = next((i for i, (a, b) in enumerate(zip(data, other)) if a != b), min(len(data), len(other)))
        where.append(f"{version}: {len(data)} vs {len(other)} bytes, first difference at {at}: "
                     f"{data[at - 40:at + 40]!r} vs {other[at - 40:at + 40]!r}")
    return "; ".join(where)


def writing_started(out: Path, since: int, deadline: float) -> None:
    """Wait until some deck (or its temporary file) in `out` is newer than `since`."""
    while time.monotonic() < deadline:
        for entry in os.scandir(out):
            if entry.name.endswith((".html", ".tmp")) and entry.stat().st_mtime_ns > since:
                return
        time.sleep(0.001)


def test_a_build_killed_at_any_moment_leaves_only_complete_decks(tmp_path):
    """SIGKILL a real build subprocess (seeded moments, so a failure can be replayed): a third
    anywhere in its run, the rest just after it starts writing a deck. After each kill every
    deck in dist/ is byte for byte a complete old or new deck, and no temporary file shows."""
    root = tmp_path / "repo" / "slides"
    expected = {}
    for version in ("v1", "v2"):  # each version's complete decks, built apart
        project(root, version)
        start = time.monotonic()
        assert run_cli(root, tmp_path / version).wait(timeout=300) == 0
        expected[version] = decks(tmp_path / version)
        duration = time.monotonic() - start
    assert len(expected["v1"]) == DECKS and expected["v1"] != expected["v2"]

    out = tmp_path / "dist"
    project(root, "v1")
    assert run_cli(root, out).wait(timeout=300) == 0
    rng = random.Random(7)
    states = set()
    for kill in range(KILLS):
        project(root, "v2" if kill % 2 == 0 else "v1")  # each build has something to write
        since = time.time_ns()
        build = run_cli(root, out)
        if kill % 3:  # as soon as a deck is being written, then a little later
            writing_started(out, since, deadline=time.monotonic() + 4 * duration)
            time.sleep(rng.random() * 0.05)
        else:  # anywhere in the run
            time.sleep(duration * (kill + rng.random()) / KILLS)
        # The whole process group, as a CI timeout or the OOM killer's cgroup kill does: killing
        # only the parent leaves `--jobs` workers running, still reading the chapters that this
        # loop rewrites next (their decks are whole, but built from half-saved chapters).
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=60)
        found = decks(out)
        assert set(found) == set(expected["v1"]), "a deck went missing"
        for name, data in found.items():
            versions = [v for v in expected if expected[v][name] == data]
            assert versions, f"{name} is half-written after kill {kill}: {_differs(data, expected, name)}"
            states.add(versions[0])
        leftovers = [p for p in out.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
        assert all(p.name.startswith(".") for p in leftovers), "a temporary file is visible"
    assert states == {"v1", "v2"}, "the kills never caught a build midway"

    project(root, "v2")
    assert run_cli(root, out).wait(timeout=300) == 0
    assert decks(out) == expected["v2"]


def build_twice(tmp_path: Path, capsys, break_second) -> tuple[int, str, Path]:
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content: [a.md]\n", "a.md": "# A\n\nOld\n"})
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 0
    (root / "a.md").write_text("# A\n\nNew\n")
    capsys.readouterr()
    with break_second(out):
        code = cli.main(["build", "--root", str(root), "--out", str(out)])
    return code, capsys.readouterr().err, out


def test_a_full_disk_is_a_clear_error_and_the_previous_deck_stays(tmp_path, capsys, monkeypatch):
    """A full disk is simulated: the write of the deck's file raises ENOSPC after half the bytes
    (a real full file system cannot be made without privileges or a loop device)."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_disk(out):
        monkeypatch.setattr(writer.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
        return monkeypatch.context()

    code, err, out = build_twice(tmp_path, capsys, full_disk)
    assert code == 1 and "Traceback" not in err
    assert f"{out / 'deck.yml.html'}: error: cannot write: No space left on device" in err
    assert "Old" in (out / "deck.yml.html").read_text()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "a temporary file was left"


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    """Read-only, honestly: `chmod` does not stop root (tests may run as root), so the output
    folder is made unwritable by being a path under a regular file (ENOTDIR for everyone)."""
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content: [a.md]\n", "a.md": "# A\n"})
    (tmp_path / "file").write_text("a file, not a folder")
    code = cli.main(["build", "--root", str(root), "--out", str(tmp_path / "file" / "dist")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert (f"{tmp_path / 'file' / 'dist' / 'assets' / 'deckwright.css'}: error: cannot write: "
            f"{tmp_path / 'file'} is a file, not a folder") in err.splitlines()


def test_a_file_or_broken_link_where_a_folder_goes_is_named(tmp_path, capsys):
    """Not the file that could not be written, which does not exist ('File exists')."""
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content: [a.md]\n",
                                                      "a.md": "# A\n\n![](images/p.svg)\n",
                                                      "images/p.svg": "<svg/>"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "images").write_text("a file, not a folder")
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    assert (f"{out / 'images' / 'p.svg'}: error: cannot write: {out / 'images'} is a file, not a folder"
            in capsys.readouterr().err.splitlines())
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "link")]) == 1
    assert (f"{tmp_path / 'link' / 'assets' / 'deckwright.css'}: error: cannot write: "
            f"{tmp_path / 'link'} is a symbolic link to nothing, not a folder"
            in capsys.readouterr().err.splitlines())


SLOW_PAGES = """
import sys, time
from deckwright import builder, cli
from deckwright.reader import Project

write_page = builder.write_page

def slow_write_page(*args, **kwargs):  # each deck's page takes a while to write
    time.sleep(0.4)
    return write_page(*args, **kwargs)

builder.write_page = slow_write_page
"""
SLOW_BUILD = SLOW_PAGES + """
builder.build(Project.at(sys.argv[1]), None, sys.argv[2], env={}, jobs=2)
"""


def test_nothing_is_written_after_a_killed_build_with_jobs(tmp_path):
    """`--jobs 2`: killing only the build (not its process group) must not let a process it
    forked go on writing decks for a build that is over (its colouring process writes
    nothing and ends: tests/test_colourer.py)."""
    root = write_files(tmp_path / "src", {
        **{f"deck{n}.yml": f"title: Deck {n}\ncontent:\n- ch.md\n" for n in range(8)},
        "ch.md": "# Chapter\n\nText\n",
    })
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(root), str(out)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(out.glob("*.html")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert build.poll() is None, "the build ended before any deck was written"
    build.kill()  # the build only, in the middle of a deck
    build.wait()
    time.sleep(8 * 0.4 + 2)  # long enough to write all 8 decks if anything went on
    assert 1 <= len(list(out.glob("*.html"))) <= 4  # those written before the kill


SLOW_CLI = SLOW_PAGES + """
sys.exit(cli.main(sys.argv[1:]))
"""


def processes_naming(text: str) -> list[int]:
    """The live processes whose command line holds `text` (forked helpers share the build's)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes() and not _zombie(cmdline.parent):
                found.append(int(cmdline.parent.name))
        except OSError:  # ended meanwhile
            pass
    return found


def _zombie(proc: Path) -> bool:
    return proc.joinpath("stat").read_text().rpartition(")")[2].split()[0] == "Z"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_ends_a_build_with_one_line_and_no_process_left(tmp_path, jobs):
    root = write_files(tmp_path / "src", {
        **{f"deck{n}.yml": f"title: Deck {n}\ncontent:\n- ch.md\n" for n in range(8)},
        "ch.md": "# Chapter\n\n![](images/p.svg)\n",
        "images/p.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-c", SLOW_CLI, "build", "--root", str(root), "--out", str(out),
                              "--jobs", jobs], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("*.html")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert build.poll() is None, "the build ended before any deck was written"
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=30)
    assert build.returncode == 130 and err == "deckwright: interrupted\n"
    assert 1 <= len(list(out.glob("*.html"))) < 8
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") and not p.name.startswith(".")]
    deadline = time.monotonic() + 5
    while processes_naming(str(root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(str(root)) == []


# Ctrl-C landing as the colourer is started, at the two places it used to be lost (the
# colourer left running kept the copier's pipe open: the build waited for the copier forever).
CTRL_C_AS_COLOURER_STARTS = """
import os, signal, sys, time
from deckwright import cli, colourer

def at_work(decks, send, orphaned):  # a colourer still colouring when the build stops
    time.sleep(600)

colourer.colour_ahead = at_work
if sys.argv[1] == "fork":  # as the colourer's fork (the second) returns, in the build
    fork, forks = os.fork, []

    def fork_then_ctrl_c():
        pid = fork()
        forks.append(pid)
        if pid and len(forks) == 2:
            signal.raise_signal(signal.SIGINT)
        return pid

    os.fork = fork_then_ctrl_c
else:  # as the build makes the object standing for it
    def interrupted(self, pid, results):
        raise KeyboardInterrupt

    colourer.Colourer.__init__ = interrupted
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("where", ["fork", "object"])
def test_ctrl_c_as_the_helpers_start_ends_the_build_and_every_helper(tmp_path, where):
    root = write_files(tmp_path / "src", {
        "deck.yml": "title: Deck\ncontent:\n- ch.md\n",
        "ch.md": "# Chapter\n\n![](images/p.svg)\n\n```bash\necho hi\n```\n",
        "images/p.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-c", CTRL_C_AS_COLOURER_STARTS, where, "build", "--root", str(root),
                              "--out", str(out), "--jobs", "2"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = build.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail("the build hung as it stopped")
    assert build.returncode == 130 and err == "deckwright: interrupted\n"
    assert processes_naming(str(root)) == []  # the helpers were waited for before the build ended
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_ctrl_c_as_a_temporary_file_is_made_leaves_none(tmp_path, monkeypatch):
    """Ctrl-C right after the file beside the target is created (before writing it): the
    interrupt must not come between its creation and what removes it."""
    real_open = os.open

    def open_then_ctrl_c(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        if os.path.basename(path).endswith(".tmp"):
            signal.raise_signal(signal.SIGINT)  # KeyboardInterrupt as soon as Python looks
        return fd

    out = tmp_path / "out"
    monkeypatch.setattr(os, "open", open_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        writer.OutputDir(out).write_text("deck.html", "<html></html>")
    monkeypatch.undo()
    assert [p.name for p in out.iterdir()] == []


PICTURE = "<svg xmlns='http://www.w3.org/2000/svg'/>" + " " * 100_000


def picture_project(root: Path) -> Path:
    return write_files(root, {
        "a.yml": "title: A\ncontent:\n- a.md\n",
        "b.yml": "title: B\ncontent:\n- b.md\n",
        "a.md": "# A\n\n![](images/one.svg)\n\n---\n\n![](images/two.svg)\n",
        "b.md": "# B\n\n![](images/two.svg)\n\n---\n\n![](images/three.svg)\n",
        **{f"images/{n}.svg": PICTURE for n in ("one", "two", "three")},
    })


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: a forked process copies them (copier.py)
def test_a_page_is_written_only_once_every_picture_it_shows_is_complete(tmp_path, monkeypatch, jobs):
    """Pages are written after every deck is made: each must still find all its pictures
    complete (a shared one included), however slowly they are copied."""
    from deckwright import builder

    root = picture_project(tmp_path / "src")
    out = tmp_path / "out"
    real_copy, real_write = writer.OutputDir.copy_file, builder.write_page
    seen = {}

    def slow_copy(self, source, rel):
        time.sleep(0.2)
        return real_copy(self, source, rel)

    def checked_write(deck, output, html=None):
        seen[deck.manifest.html] = sorted(
            p.relative_to(out).as_posix() for p in (out / "images").glob("*.svg")
            if p.read_bytes() == PICTURE.encode())
        return real_write(deck, output, html)

    monkeypatch.setattr(writer.OutputDir, "copy_file", slow_copy)
    monkeypatch.setattr(builder, "write_page", checked_write)
    assert cli.main(["build", "--root", str(root), "--out", str(out), "--jobs", jobs]) == 0
    assert set(seen["a.yml.html"]) >= {"images/one.svg", "images/two.svg"}
    assert set(seen["b.yml.html"]) >= {"images/two.svg", "images/three.svg"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_picture_that_cannot_be_copied_fails_its_decks_only(tmp_path, monkeypatch, capfd, jobs):
    root = picture_project(tmp_path / "src")
    out = tmp_path / "out"
    real_copy = writer.OutputDir.copy_file

    def refusing_copy(self, source, rel):  # as OutputDir says a write it cannot do
        if rel == "images/three.svg":
            raise DeckwrightError(Problem(SourceLoc(str(out / rel), 0), "cannot write: Input/output error"))
        return real_copy(self, source, rel)

    monkeypatch.setattr(writer.OutputDir, "copy_file", refusing_copy)
    code = cli.main(["build", "--root", str(root), "--out", str(out), "--jobs", jobs])
    err = capfd.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"{out / 'images' / 'three.svg'}: error: cannot write: Input/output error" in err
    assert (out / "a.yml.html").is_file() and not (out / "b.yml.html").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_deck_that_cannot_be_written_still_says_its_warnings(tmp_path, capfd, jobs):
    """Its manifest's and its chapters' alike, after the error (here a file is where the
    deck's pictures' folder goes)."""
    root = picture_project(tmp_path / "src")
    (root / "b.yml").write_text("title: B\ncontent:\n- b.md\nbogus: 1\n")
    (root / "b.md").write_text((root / "b.md").read_text() + "\n[to nowhere](#nowhere)\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "images").write_text("a file, not a folder")
    assert cli.main(["build", "--root", str(root), "--out", str(out), "b.yml", "--jobs", jobs]) == 1
    err = [line for line in capfd.readouterr().err.splitlines() if ": " in line and line[0] != " "]
    assert err[0].startswith(f"{out / 'images'}") and ": error: cannot write: " in err[0]
    assert err[1:3] == ["b.yml:4:1: warning: unknown key 'bogus' is ignored",
                        "b.md:9: warning: link to #nowhere goes nowhere: no slide of this deck is named so"]
