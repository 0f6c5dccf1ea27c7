"""Whatever people type, deckwright answers with a deck or `path:line: message`, never a traceback.

Hostile inputs that once crashed or hung run in a subprocess with limits on time and
memory (a regression must fail one test, not kill the test run). Generated inputs
(hypothesis) run in-process with a deadline; see `PROFILES` for how many.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, write_files

MEMORY_LIMIT = 1 << 30  # address space of a limited build: 1 GiB
TIME_LIMIT = 120  # seconds: generous, the machine is shared


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def limited_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m deckwright ARGS` in `root`, with bounded memory and time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "deckwright", *args], cwd=root, env=env, capture_output=True,
        text=True, timeout=TIME_LIMIT, preexec_fn=_limits, check=False,
    )


def alias_bomb(levels: int = 9, width: int = 9) -> tuple[str, str]:
    """YAML anchors each holding `width` aliases of the one before ("billion laughs"),
    as mapping lines (no indent), and the alias of the last one."""
    lines = ["b0: &b0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines), f"*b{levels}"


def assert_clean_failure(run: subprocess.CompletedProcess[str], expected: str) -> None:
    """Exit 1, no traceback, and the expected `path:line: error: message` on stderr."""
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    assert expected in run.stderr, run.stderr[-2000:]


# -- inputs that once crashed -----------------------------------------------------------------


DEEP_MANIFESTS = {
    # libyaml's composer recursed per level: the process died of a stack overflow (SIGSEGV).
    "flow lists": (lambda: "content: " + "[" * 200_000 + "]" * 200_000 + "\n",
                   "deck.yml:1:109: error: lists and mappings nest over 100 levels deep"),
    "flow mappings": (lambda: "title: x\nother: " + "{a: " * 100_000 + "1" + "}" * 100_000
                      + "\ncontent: [a.md]\n",
                      "deck.yml:2:404: error: lists and mappings nest over 100 levels deep"),
    # Deep enough for Python's recursion limit while flattening parts (RecursionError).
    "parts": (lambda: "content:\n- " + "[" * 900 + "a.md" + "]" * 900 + "\n",
              "deck.yml:2:101: error: lists and mappings nest over 100 levels deep"),
    # The same depth reached through aliases: shallow text, deep lists.
    "aliases": (lambda: "\n".join(["x0: &a0 [a.md]"] + [f"x{i}: &a{i} [*a{i - 1}]" for i in range(1, 3000)])
                + "\ncontent:\n- *a2999\n", "deck.yml:2899:8: error: lists nest over 100 levels deep"),
}


@pytest.mark.parametrize("case", sorted(DEEP_MANIFESTS))
def test_deeply_nested_manifests_fail_with_a_message(tmp_path, case):
    manifest, expected = DEEP_MANIFESTS[case]
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": manifest(), "a.md": "# A\n"})
    assert_clean_failure(limited_cli(root, "build", "--out", str(tmp_path / "out")), expected)


def _bombed(where: str) -> str:
    anchors, alias = alias_bomb()
    value = {"content": f"content: {alias}\n", "part": f"content:\n- {alias}\n"}.get(where)
    return anchors + "\n" + (value or f"{where}: {alias}\ncontent: [a.md]\n")


# (command, manifest with the alias bomb under a key, index.yaml or None, expected on stderr
# with exit 1, or None for a success). 9**10 items if anything expanded them. An alias's
# problem is reported where its anchor stands (YAML keeps no place for the alias itself).
ALIAS_BOMBS = {
    "build content": (["build"], _bombed("content"), None, "deck.yml:1:5: error: manifest is too large (over 100000 YAML nodes)"),
    "build part": (["build"], _bombed("part"), None, "error: manifest is too large (over 100000 YAML nodes)"),
    "build title": (["build"], _bombed("title"), None, "deck.yml:10:5: error: 'title' must be text, not a list"),
    "build exclude": (["build"], _bombed("exclude"), None, "deck.yml:9:5: error: 'exclude' items must be class names"),
    "build unknown key": (["build"], _bombed("colour"), None, None),
    # These two expanded the bomb: `stats` read `duration` with yaml.safe_load, `site` built
    # each index.yaml field whole; both ran out of time and memory.
    "stats duration": (["stats"], _bombed("duration"), None, None),
    "site index.yaml": (["site"], "content: [a.md]\n",
                        "- title: x\n" + "\n".join("  " + line for line in alias_bomb()[0].split("\n"))
                        + f"\n  city: {alias_bomb()[1]}\n", None),
}


@pytest.mark.parametrize("case", sorted(ALIAS_BOMBS))
def test_yaml_alias_bombs_end_quickly_in_bounded_memory(tmp_path, case):
    command, manifest, index, expected = ALIAS_BOMBS[case]
    files = {"deck.yml": manifest, "a.md": "# A\n\nText\n"}
    if index is not None:
        files["index.yaml"] = index
    root = write_files(tmp_path / "repo" / "slides", files)
    out = [] if command == ["stats"] else ["--out", str(tmp_path / "out")]
    run = limited_cli(root, *command, *out)
    if expected is None:
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    else:
        assert_clean_failure(run, expected)


def test_an_include_bomb_stops_with_a_message(tmp_path):
    # Six files each including the next twenty times: 20**6 includes (it never finished).
    files = {"deck.yml": "content: [a.md]\n", "a.md": "# A\n\n@@INCLUDE[slides/i0.md]\n", "i6.md": "x\n"}
    for i in range(6):
        files[f"i{i}.md"] = f"@@INCLUDE[slides/i{i + 1}.md]\n" * 20
    root = write_files(tmp_path / "repo" / "slides", files)
    run = limited_cli(root, "build", "--out", str(tmp_path / "out"))
    assert_clean_failure(run, "i5.md:6: error: over 1000 @@INCLUDEs expanded in one chapter")
