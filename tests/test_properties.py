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
        text=True, timeout=TIME_LIMIT, preexec_fn=_limits,
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
