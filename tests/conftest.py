"""Shared fixtures: the container.training corpus (read-only) and projects made from dicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "container.training"

# Slides shown by container.training's own build (markmaker at the corpus's commit),
# counted by remark in Chromium: `--` steps included, excluded classes removed.
CORPUS_COUNTS = {
    "intro-fullday.yml": 419,
    "intro-selfpaced.yml": 908,
    "intro-twodays.yml": 702,
    "kadm-fullday.yml": 464,
    "kadm-twodays.yml": 1184,
    "kube-adv.yml": 1094,
    "kube-fullday.yml": 648,
    "kube-halfday.yml": 517,
    "kube-selfpaced.yml": 2653,
    "kube-twodays.yml": 1264,
    "mlops.yml": 312,
    "swarm.yml": 488,
}


@pytest.fixture(scope="session")
def corpus_root() -> Path:
    """The corpus, read-only: copy it (see `corpus_copy`) before writing anything."""
    if not (CORPUS / "slides").is_dir():
        pytest.skip("the container.training corpus is not here (../shared is absent in this clone)")
    return CORPUS


@pytest.fixture
def corpus_copy(corpus_root: Path, tmp_path: Path) -> Path:
    """A writable copy of the corpus; returns its `slides` folder."""
    target = tmp_path / "container.training"
    shutil.copytree(corpus_root, target)
    return target / "slides"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a project given as {relative path: text}; returns `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path: Path):
    """Make a content folder from a dict of files; returns its path (`tmp_path/content/slides`)."""

    def make(files: dict[str, str]) -> Path:
        return write_files(tmp_path / "content" / "slides", files)

    return make
