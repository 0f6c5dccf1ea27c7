"""`deckwright serve` on a copy of the corpus: a change rebuilds exactly the decks that use it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from deckwright.reader import Project
from deckwright.serve import DeckSite

pytestmark = pytest.mark.corpus


def quiet(_: str) -> None:
    pass


@pytest.fixture
def site(corpus_copy: Path, tmp_path: Path) -> DeckSite:
    site = DeckSite(Project.at(corpus_copy), [], tmp_path / "out", log=quiet, err=quiet)
    results = site.build_all()
    assert len(results) == 12 and all(r.ok for r in results)
    return site


def users(site: DeckSite, path: Path) -> set[str]:
    return {m for m, state in site.states.items() if path in state.inputs}


def rebuilt_by(site: DeckSite, path: Path) -> set[str]:
    before = dict(site.built_count)
    events = list(site.rebuild({path}, frozenset()))
    assert all(e.data["errors"] is None for e in events)
    return {m for m, n in site.built_count.items() if n > before.get(m, 0)}


def test_a_chapter_of_one_deck_rebuilds_that_deck_only(site: DeckSite):
    root = site.project.root
    uses = Counter(p for state in site.states.values() for p in state.inputs if p.suffix == ".md")
    only = sorted(p for p, n in uses.items() if n == 1 and p.is_relative_to(root / "k8s"))
    chapter = only[0]
    [deck] = users(site, chapter)
    chapter.write_text(chapter.read_text() + "\n---\n\n## One more slide\n")
    assert rebuilt_by(site, chapter) == {deck}
    html = site.root / site.states[deck].html
    assert "One more slide" in html.read_text()


def test_shared_title_rebuilds_all_twelve(site: DeckSite):
    title = site.project.root / "shared" / "title.md"
    assert users(site, title) == set(site.states)
    title.write_text(title.read_text().replace("\n", "\n\nA new line on the title\n", 1))
    assert rebuilt_by(site, title) == set(site.states)
    assert len(site.states) == 12


def test_an_included_file_outside_the_content_folder_rebuilds_its_decks(site: DeckSite):
    root = site.project.root
    included = sorted(p for s in site.states.values() for p in s.inputs
                      if not p.is_relative_to(root) and p.suffix in (".yaml", ".yml"))
    target = included[0]
    expected = users(site, target)
    assert expected and (target.parent, False) in site.watched()
    target.write_text(target.read_text() + "\n# edited\n")
    assert rebuilt_by(site, target) == expected
