"""Every container.training manifest builds, with the slide counts of container.training's own build."""

from __future__ import annotations

import json
import re

import pytest

from deckwright.builder import build
from deckwright.reader import Project

from .conftest import CORPUS_COUNTS


@pytest.fixture(scope="module")
def corpus_build(corpus_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus-dist")
    results = build(Project.at(corpus_root / "slides"), None, out, env={})
    return out, {r.manifest: r for r in results}


def test_every_manifest_builds(corpus_build):
    out, results = corpus_build
    assert sorted(results) == sorted(CORPUS_COUNTS)
    for name, result in results.items():
        assert result.ok, f"{name}: {[str(p) for p in result.problems]}"
        assert (out / f"{name}.html").is_file()


@pytest.mark.parametrize("manifest", sorted(CORPUS_COUNTS))
def test_slide_count_matches_markmaker(corpus_build, manifest):
    _, results = corpus_build
    assert results[manifest].slides == CORPUS_COUNTS[manifest]


def test_only_referenced_pictures_are_copied(corpus_build, corpus_root):
    out, _ = corpus_build
    copied = {p.relative_to(out).as_posix() for p in (out / "images").rglob("*") if p.is_file()}
    available = {
        p.relative_to(corpus_root / "slides").as_posix()
        for p in (corpus_root / "slides" / "images").rglob("*")
        if p.is_file()
    }
    assert copied and copied < available
    assert "images/dockercoins-diagram.png" in copied  # shown by shared/sampleapp.md
    assert "images/running-mario.gif" not in copied  # only chapters no manifest lists show it


def test_logistics_symlink_stand_in_is_followed(corpus_build):
    """The corpus stores the symlink logistics.md as a file naming its target, as git does
    without symlinks; markmaker (through open()) read the target: so do we."""
    out, _ = corpus_build
    html = (out / "kube-fullday.yml.html").read_text()
    assert "logistics-template.md:1" in html
    assert "\nlogistics-template.md\n" not in html


def test_title_in_a_code_block_is_not_a_chapter(corpus_build):
    """markmaker took any line starting with `# ` as a chapter title, code included;
    the corpus has none in code blocks, so counts agree, and deckwright ignores them."""
    out, _results = corpus_build
    html = (out / "kube-selfpaced.yml.html").read_text()
    assert "name: toc-" in html


def test_no_footer_names_a_blank_line(corpus_build, corpus_root):
    """A footer sends the reader to its slide's first line of text: never to the blank
    line after a `---` (most slides of the corpus have one)."""
    out, _ = corpus_build
    html = (out / "kube-selfpaced.yml.html").read_text()
    source = json.loads(re.search(r"window\.deckwrightSource = (\".*?\");</script>", html, re.DOTALL).group(1))
    named = re.findall(r"\.source\[\n\[(?:generated: [^,]*, for )?([^\]\n:]+\.md):(\d+)\]", source)
    assert len(named) > 2000
    lines: dict[str, list[str]] = {}
    for path, line in named:
        if path not in lines:
            lines[path] = (corpus_root / "slides" / path).read_text().splitlines()
        assert lines[path][int(line) - 1].strip(), f"{path}:{line} is blank"
