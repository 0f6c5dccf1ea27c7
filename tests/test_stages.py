"""Each build stage on small decks (fixtures/stages/*.md: `=== path` files in, Markdown out)."""

from __future__ import annotations

import pytest

from deckwright import links, stages
from deckwright.builder import Workshop
from deckwright.reader import Project
from deckwright.render import deck_markdown

from .conftest import write_files
from .golden import cases_of, check, split_files

ENV = {"REPOSITORY_URL": "https://example.org/team/workshop.git", "BRANCH": "main"}


def run_until(tmp_path, case, last_stage):
    root = write_files(tmp_path / "repo" / "slides", split_files(case.input))
    workshop = Workshop.open(Project.at(root), ENV)
    manifest, _ = workshop.load("deck.yml")
    upto = stages.PIPELINE[: stages.PIPELINE.index(last_stage) + 1]
    return stages.run_pipeline(workshop.deck(manifest), upto)


@pytest.mark.parametrize("case", cases_of("stages/exclusion.md"))
def test_exclusion(tmp_path, case):
    check(case, deck_markdown(run_until(tmp_path, case, stages.exclude_slides)))


@pytest.mark.parametrize("case", cases_of("stages/anchors.md"))
def test_anchors(tmp_path, case):
    deck = run_until(tmp_path, case, stages.assign_anchors)
    check(case, "\n".join(f"{s.title} -> {s.anchor} (part {s.part})" for s in deck.slides if s.title))


@pytest.mark.parametrize("case", cases_of("stages/toc.md"))
def test_toc(tmp_path, case):
    check(case, deck_markdown(run_until(tmp_path, case, stages.insert_toc)))


@pytest.mark.parametrize("case", cases_of("stages/title_slides.md"))
def test_title_slides(tmp_path, case):
    check(case, deck_markdown(run_until(tmp_path, case, stages.insert_title_slides)))


@pytest.mark.parametrize("case", cases_of("stages/directives.md"))
def test_directives(tmp_path, case):
    check(case, deck_markdown(run_until(tmp_path, case, stages.substitute_directives)))


@pytest.mark.parametrize("case", cases_of("stages/footers.md"))
def test_footers(tmp_path, case):
    check(case, deck_markdown(run_until(tmp_path, case, stages.add_footers)))


@pytest.mark.parametrize("case", cases_of("stages/pictures.md"))
def test_pictures(tmp_path, case):
    # Each local picture the deck shows (which the build copies and checks), then each
    # picture it loads from the network (which check --offline names), at its line.
    deck = run_until(tmp_path, case, stages.resolve_picture_references)
    table = links.reference_table(deck.slides)
    shown = [f"{loc} {path}" for slide in deck.slides for loc, path in slide.pictures]
    remote = [f"{loc} {url} (network)" for slide in deck.slides for loc, url in links.slide_remote_pictures(slide, table)]
    check(case, "\n".join(shown + remote))


def test_pipeline_order():
    names = [stage.__name__ for stage in stages.PIPELINE]
    assert names == [
        "exclude_slides",
        "assign_anchors",
        "insert_toc",
        "insert_title_slides",
        "substitute_directives",
        "resolve_picture_references",
        "check_slide_names",
        "check_anchor_links",
        "add_footers",
    ]
