"""What the build reads from git: the content folder's work tree, remote, branch, commit and
whether it has uncommitted changes (footer links and the build info line)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deckwright.reader import GitState, read_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "slides").mkdir(parents=True)
    (root / "slides" / "a.md").write_text("# A\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "trunk")
    git(root, "add", ".")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first")
    git(root, "remote", "add", "origin", "git@example.org:team/course.git")
    return root


def test_a_content_folder_in_a_work_tree(repo):
    state = read_git(repo / "slides")
    assert state == GitState(toplevel=str(repo.resolve()), remote="git@example.org:team/course.git",
                             branch="trunk", commit=git(repo, "rev-parse", "--short", "HEAD"), dirty=False)


def test_uncommitted_changes_and_a_detached_head(repo):
    git(repo, "checkout", "-q", "--detach")
    (repo / "slides" / "a.md").write_text("# A, edited\n", encoding="utf-8")
    state = read_git(repo / "slides")
    assert state.dirty and state.branch is None and state.commit


def test_a_work_tree_without_a_remote_or_a_commit(tmp_path):
    git(tmp_path, "init", "-q", "-b", "trunk")
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    state = read_git(tmp_path)  # (no commit yet: git names no branch either)
    assert state == GitState(toplevel=str(tmp_path.resolve()), remote=None, branch=None, commit=None, dirty=True)


def test_outside_a_work_tree_git_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # (tmp_path might be in one)
    assert read_git(tmp_path) == GitState(None, None, None, None, False)
