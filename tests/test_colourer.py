"""Colouring ahead (`--jobs 2`): the same pages as one process, whatever becomes of the colourer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from deckwright import colourer, highlight
from deckwright.builder import build
from deckwright.reader import Project
from deckwright.stamps import STAMP_FILE

from .conftest import REPO, write_files

BASH = "```bash\necho {n}\n```"


def files(out: Path) -> dict[str, bytes]:
    """The files a build wrote, but its record of them (their times differ from folder to folder)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != STAMP_FILE}


def small_project(root: Path) -> Path:
    return write_files(root, {
        "a.yml": "title: A\ncontent:\n- one.md\n- two.md\n",
        "b.yml": "title: B\ncontent:\n- two.md\n",
        "one.md": "# One\n\n" + BASH.format(n=1) + "\n\n---\n\n## @@TITLE@@\n\n```bash\necho @@TITLE@@\n```\n",
        "two.md": "# Two\n\n.small[\n" + BASH.format(n=2) + "\n]\n\n---\n\n```\nplain\n```\n",
    })


def test_the_corpus_gives_the_same_files_with_one_process_and_two(corpus_root, tmp_path):
    project = Project.at(corpus_root / "slides")
    one = build(project, None, tmp_path / "one", env={}, jobs=1)
    two = build(project, None, tmp_path / "two", env={}, jobs=2)
    assert all(r.ok for r in one + two)
    assert [(r.manifest, r.slides, r.outputs) for r in one] == [(r.manifest, r.slides, r.outputs) for r in two]
    first, second = files(tmp_path / "one"), files(tmp_path / "two")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_blocks_go_over_deck_by_deck_each_once_with_the_decks_values(monkeypatch):
    sent = []
    decks = [
        ("a.yml", ["x\n" + BASH.format(n=1) + "\n", "```bash\necho @@TITLE@@\n```\n"], {"TITLE": "A"}),
        ("b.yml", ["```bash\necho @@TITLE@@\n```\n", "x\n" + BASH.format(n=1) + "\n"], {"TITLE": "B"}),
    ]
    monkeypatch.setattr(colourer, "BATCH_BLOCKS", 2)
    colourer.colour_ahead(decks, sent.append)
    assert [(name, len(batch), last, left) for name, batch, last, left in sent] == [
        ("a.yml", 2, False, 2), ("a.yml", 1, True, 1), ("b.yml", 1, True, 0)]
    a_blocks = [block for name, batch, _, _ in sent if name == "a.yml" for block in batch]
    assert sorted(a_blocks) == sorted([BASH.format(n=1), "```bash\necho @@TITLE@@\n```", "```bash\necho A\n```"])
    assert list(sent[-1][1]) == ["```bash\necho B\n```"]  # the rest came with a.yml
    for _, coloured, _, _ in sent:
        for block, text in coloured.items():
            assert text == highlight.colour_block(block)
            assert highlight.highlight_markdown("\n" + block + "\n\n") == "\n" + text + "\n\n"


def test_a_block_is_remembered_whatever_the_newlines_around_it():
    block = "  ```bash\n  echo hi\n  ```"
    coloured = highlight.colour_block(block)
    assert coloured != block
    for before, after in [("", ""), ("\n", ""), ("", "\n"), ("\n", "\n\n\n")]:
        assert highlight.highlight_markdown(before + block + after) == before + coloured + after


def test_a_dead_colourer_costs_nothing_but_time(tmp_path, monkeypatch, capfd):
    root = small_project(tmp_path / "src")
    build(Project.at(root), None, tmp_path / "one", env={}, jobs=1)
    monkeypatch.setattr(colourer, "colour_ahead", lambda *args: os._exit(3))  # dies at once
    highlight._COLOURED.clear()
    results = build(Project.at(root), None, tmp_path / "two", env={}, jobs=2)
    assert all(r.ok for r in results)
    assert files(tmp_path / "one") == files(tmp_path / "two")
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_failing_colourer_prints_no_traceback(tmp_path, monkeypatch, capfd):
    root = small_project(tmp_path / "src")

    def broken(*args):
        raise RuntimeError("a bug in the colourer")

    monkeypatch.setattr(colourer, "colour_ahead", broken)
    results = build(Project.at(root), None, tmp_path / "out", env={}, jobs=2)
    assert all(r.ok for r in results) and len(results) == 2
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def printing_pid(helper: str) -> str:
    """Script lines making `helper.start` (colourer.Colourer, say) print the id of the
    process it forks."""
    return f"""
start = {helper}.start

def started(*args):
    found = start(*args)
    print(found.pid, flush=True)
    return found

{helper}.start = started
"""


SLOW_COLOURS = """
import sys, time
from deckwright import builder, colourer, highlight
from deckwright.reader import Project

colour_block = highlight.colour_block

def slow(block):  # each block takes a while: the colourer is still at work when killed
    time.sleep(0.2)
    return colour_block(block)

highlight.colour_block = slow
""" + printing_pid("colourer.Colourer") + """
builder.build(Project.at(sys.argv[1]), None, sys.argv[2], env={}, jobs=2)
"""


def test_the_colourer_stops_when_the_build_is_killed(tmp_path):
    """Killing only the build (not its process group) leaves no colourer at work."""
    root = write_files(tmp_path / "src", {
        **{f"deck{n}.yml": f"title: Deck {n}\ncontent:\n- ch{n}.md\n" for n in range(4)},
        **{f"ch{n}.md": "# Chapter\n\n" + "\n\n".join(BASH.format(n=f"{n} {i}") for i in range(20)) + "\n"
           for n in range(4)},
    })
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-c", SLOW_COLOURS, str(root), str(tmp_path / "out")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = int(build.stdout.readline())
    time.sleep(0.5)
    assert running(pid), "the colourer ended before the build was killed"
    build.kill()
    build.wait()
    deadline = time.monotonic() + 5  # it stops after the block in hand
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)
    assert build.stderr.read() == ""


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (ended, not yet waited for)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_the_colourer_finds_blocks_as_remark_does_in_plain_cases():
    from deckwright.remark_lexer import fenced_blocks

    text = ("# T\n\n```bash\necho 1\n```\n\n.lab[\n\n- step:\n  ```yaml\n  a: b\n  ```\n\n]\n\n"
            "~~~~\ntilde ``` inside\n~~~~\n\n    ```\n    indented code, not a fence\n    ```\n")
    remark = [text[start:end] for start, end in fenced_blocks(text)]
    likely = colourer.likely_blocks(text)
    assert remark == likely[:3]  # the fence inside indented code is one more, never asked for
    assert likely[3] == "    ```\n    indented code, not a fence\n    ```"


def test_the_colourer_finds_every_block_of_the_corpus(corpus_root):
    """Its quick expression might miss a block (the build would colour it, loading Pygments
    for it): on the corpus it misses none."""
    from deckwright.builder import Workshop
    from deckwright.remark_lexer import fenced_blocks

    project = Project.at(corpus_root / "slides")
    workshop = Workshop.open(project, env={})
    texts = {text for _, chapters, _ in workshop.deck_texts(project.manifests()) for text in chapters}
    remark = {text[start:end] for text in texts for start, end in fenced_blocks(text)}
    likely = {block for text in texts for block in colourer.likely_blocks(text)}
    assert len(remark) > 1000
    assert remark - likely == set()
    assert len(likely - remark) < 10  # coloured for nothing


def test_pages_whose_blocks_have_come_go_first_else_the_last_deck_is_coloured_here():
    from deckwright.builder import STEAL_AT, DeckResult, _Made, _next_page

    class Progress:  # the colourer, done with some decks
        def __init__(self, done, left):
            self.done, self.left = done, left

        def has_coloured(self, name):
            return name in self.done

        def wait(self, seconds):  # its next batch: it is done with the next deck
            self.done.add(next(name for name in ("c.yml", "d.yml") if name not in self.done))
            return True

    def order(progress):
        pages = [_Made(DeckResult(name), None, [], []) for name in ("a.yml", "b.yml", "c.yml", "d.yml")]
        written = []
        while pages:
            written.append(pages.pop(_next_page(pages, progress)).result.manifest)
            progress.done.add("a.yml")  # meanwhile, the colourer sends a.yml
        return written

    assert order(Progress({"b.yml"}, STEAL_AT + 1)) == ["b.yml", "a.yml", "d.yml", "c.yml"]
    assert order(Progress({"b.yml"}, STEAL_AT)) == ["b.yml", "a.yml", "c.yml", "d.yml"]
    assert _next_page([_Made(DeckResult("x.yml"), None, [], [])], None) == 0

    class Stalled(Progress):
        def wait(self, seconds):
            return False  # nothing came

    assert order(Stalled({"b.yml"}, STEAL_AT)) == ["b.yml", "a.yml", "d.yml", "c.yml"]


def test_a_stalled_colourer_is_not_waited_for_long(tmp_path, monkeypatch):
    """It said it has little left, then sends nothing more: the build colours the rest."""
    root = small_project(tmp_path / "src")
    build(Project.at(root), None, tmp_path / "one", env={}, jobs=1)

    def stalls(decks, send, orphaned=lambda: False):
        send(("a.yml", {}, False, 3))
        time.sleep(60)

    monkeypatch.setattr(colourer, "colour_ahead", stalls)
    highlight._COLOURED.clear()
    start = time.monotonic()
    results = build(Project.at(root), None, tmp_path / "two", env={}, jobs=2)
    assert all(r.ok for r in results)
    assert time.monotonic() - start < 10  # 1 s per page at most, not 60
    assert files(tmp_path / "one") == files(tmp_path / "two")
