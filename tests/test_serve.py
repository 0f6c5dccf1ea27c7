"""`deckwright serve` without a browser: what a change rebuilds, what the tab is told, the server."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path

import pytest

from deckwright import check, cli, serve
from deckwright.model import Entry, SourceLoc
from deckwright.reader import Project
from deckwright.serve import (
    Changes,
    DeckSite,
    DeckState,
    Shown,
    chapter_warnings,
    first_changed,
    slide_hunks,
)
from deckwright.server import Debouncer, editor_file

MANIFEST = """\
title: Serve test
content:
- |
  class: title

  Serve test
- chapters/one.md
- chapters/two.md
"""

ONE = """\
# Chapter one

First slide of one

---

## Second of one

- a point
"""

TWO = """\
# Chapter two

Two, slide one

---

## Two, slide two

--

- a step

---

## Two, slide three

Last words
"""

PROJECT = {"deck.yml": MANIFEST, "chapters/one.md": ONE, "chapters/two.md": TWO}


def quiet(_: str) -> None:
    pass


@pytest.fixture
def site(make_project, tmp_path: Path) -> DeckSite:
    root = make_project(PROJECT)
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    return site


def rebuild(site: DeckSite, *paths: Path) -> list:
    return list(site.rebuild(set(paths), frozenset()))


# -- which slide to show ----------------------------------------------------------------


def shown(*pairs: tuple[str, str]) -> list[Shown]:
    return [Shown(path, hash(text)) for path, text in pairs]


def test_first_changed_is_the_first_differing_slide_of_the_saved_file():
    old = shown(("a.md", "1"), ("b.md", "x"), ("a.md", "2"), ("a.md", "3"))
    new = shown(("a.md", "1"), ("b.md", "y"), ("a.md", "2"), ("a.md", "3 edited"))
    assert first_changed(old, new, {"a.md"}) == 3
    assert first_changed(old, new, {"b.md"}) == 1


def test_first_changed_is_none_when_nothing_visible_changed_in_that_file():
    old = shown(("a.md", "1"), ("b.md", "x"))
    new = shown(("t.md", "toc"), ("a.md", "1"), ("b.md", "x"))
    assert first_changed(old, new, {"a.md"}) is None


def test_first_changed_after_removing_the_last_slides_shows_the_files_last_slide():
    old = shown(("a.md", "1"), ("a.md", "2"), ("a.md", "3"), ("z.md", "end"))
    new = shown(("a.md", "1"), ("a.md", "2"), ("z.md", "end"))
    assert first_changed(old, new, {"a.md"}) == 1


def test_first_changed_finds_an_inserted_slide():
    old = shown(("a.md", "1"), ("a.md", "2"))
    new = shown(("a.md", "1"), ("a.md", "new"), ("a.md", "2"))
    assert first_changed(old, new, {"a.md"}) == 1


def test_hunks_count_shown_slides_and_carry_only_changed_markdown():
    state = DeckState("d.yml", "d.html", slides=["A", "B\n--\nB2", "C", "D"], steps=[1, 2, 1, 1])
    hunks = slide_hunks(state, ["A", "B\n--\nB2\n--\nB3", "C", "E", "F"], [1, 3, 1, 1, 1])
    assert hunks == [
        {"start": 1, "remove": 2, "add": 3, "markdown": "B\n--\nB2\n--\nB3"},
        {"start": 4, "remove": 1, "add": 2, "markdown": "E\n---\nF"},
    ]


def test_changes_cover_files_inside_a_changed_folder(tmp_path: Path):
    changes = Changes({tmp_path / "chapters"})
    assert changes.touch(tmp_path / "chapters" / "one.md")
    assert not changes.touch(tmp_path / "chapters-old" / "one.md")
    assert not changes.touch(tmp_path / "other.md")


# -- what a change rebuilds and what the tab hears ---------------------------------------


def test_saving_a_chapter_rebuilds_its_deck_and_points_at_the_edited_slide(site: DeckSite):
    two = site.project.root / "chapters/two.md"
    two.write_text(TWO.replace("Last words", "Final words"))
    [event] = rebuild(site, two)
    assert event.page == "deck.yml.html" and event.changed
    data = event.data
    assert data["errors"] is None
    # the title slide, chapter one's 2 slides, then two's 4 shown slides (one `--` step)
    assert data["target"] == 6 and data["total"] == 7
    [hunk] = data["patch"]
    assert hunk["start"] == 6 and hunk["remove"] == 1 and hunk["add"] == 1
    assert "Final words" in hunk["markdown"]
    assert "Final words" in (site.root / "deck.yml.html").read_text()


def test_renaming_a_chapter_points_at_its_first_slide_as_an_edit_would(site: DeckSite):
    """Only the footers of its slides change (the file's name): the tab still goes there."""
    root = site.project.root
    (root / "chapters/two.md").rename(root / "chapters/deux.md")
    (root / "deck.yml").write_text(MANIFEST.replace("chapters/two.md", "chapters/deux.md"))
    # what the watcher reports: the file moved (from, to) and the manifest saved
    [event] = rebuild(site, root / "chapters/two.md", root / "chapters/deux.md", root / "deck.yml")
    assert event.data["target"] == 3 and event.data["total"] == 7  # the title slide, one's 2 slides


def test_after_a_failed_build_the_tab_goes_to_what_was_saved_meanwhile(make_project, tmp_path: Path):
    """A slide added while its picture was missing: the save of the picture builds the deck,
    and the tab goes to that slide (and fetches a picture saved meanwhile again)."""
    root = make_project({**PROJECT, "chapters/one.md": ONE + "\n![](old.png)\n", "old.png": "1"})
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    (root / "old.png").write_text("2")
    (root / "chapters/two.md").write_text(TWO + "\n---\n\n## New\n\n![](new.png)\n")
    [event] = rebuild(site, root / "old.png", root / "chapters/two.md")
    assert event.data["errors"] == "chapters/two.md:23: error: picture 'new.png' does not exist"
    (root / "new.png").write_text("3")
    [event] = rebuild(site, root / "new.png")
    assert event.data["errors"] is None and event.data["total"] == 8
    assert event.data["target"] == 7 and event.data["pictures"] == ["new.png", "old.png"]


def test_a_save_that_leaves_the_bytes_as_they_were_rebuilds_nothing(site: DeckSite):
    """An editor saving an unchanged file, or a watcher's late event for a save already
    built: the same deck again would only print "built" once more, and reload nothing."""
    import os

    root = site.project.root
    two = root / "chapters/two.md"
    assert rebuild(site, two, root / "deck.yml") == []
    temp = two.with_name("two.md.new")
    temp.write_text(TWO)
    os.replace(temp, two)  # another file now, with the same bytes
    assert rebuild(site, two, temp) == []
    assert site.built_count == {"deck.yml": 1}
    two.write_text(TWO.replace("Last words", "Final words"))
    [event] = rebuild(site, two)
    assert "Final words" in event.data["patch"][0]["markdown"]
    assert rebuild(site, two) == []  # the watcher's second event for that save
    (root / "interstitials.txt").write_text("https://pictures.example/1.jpg\n")
    assert len(rebuild(site, root / "interstitials.txt")) == 1
    assert rebuild(site, root / "interstitials.txt") == []
    two.write_text(TWO)  # and back: built again
    [event] = rebuild(site, two)
    assert "Last words" in event.data["patch"][0]["markdown"]
    assert site.built_count == {"deck.yml": 4}


def test_a_file_changed_after_a_deck_read_it_rebuilds_though_a_later_read_saw_its_bytes(
        make_project, tmp_path: Path):
    """Both chapters include shared.md. One is saved, and shared.md too, just after: the
    rebuild reads shared.md's new text for chapter one, chapter two keeps the old one it
    was parsed with. shared.md's own event then finds the bytes a build read, yet chapter
    two is stale."""
    including = "\n---\n\n@@INCLUDE[slides/shared.md]\n"
    root = make_project({**PROJECT, "chapters/one.md": ONE + including,
                         "chapters/two.md": TWO + including, "shared.md": "Shared, first\n"})
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    (root / "chapters/one.md").write_text(ONE.replace("a point", "a new point") + including)
    (root / "shared.md").write_text("Shared, second\n")
    rebuild(site, root / "chapters/one.md")
    assert (site.root / "deck.yml.html").read_text().count("Shared, second") == 1
    [event] = rebuild(site, root / "shared.md")
    assert event.data["errors"] is None
    assert (site.root / "deck.yml.html").read_text().count("Shared, second") == 2


def test_a_file_read_again_by_the_checks_is_still_rebuilt_when_it_changed(site: DeckSite, monkeypatch):
    """Saved chapters are checked slide by slide after the build, reading them again: a save
    in between is seen by the check, not the deck. Its event must still rebuild."""
    two = site.project.root / "chapters/two.md"
    checked = serve.chapter_warnings

    def saved_meanwhile(workshop, entry):
        if entry.path == "chapters/two.md":
            two.write_text(TWO.replace("Last words", "Later words"))
        return checked(workshop, entry)

    monkeypatch.setattr(serve, "chapter_warnings", saved_meanwhile)
    two.write_text(TWO.replace("Last words", "Final words"))
    [event] = rebuild(site, two)
    assert "Final words" in event.data["patch"][0]["markdown"]
    monkeypatch.setattr(serve, "chapter_warnings", checked)
    [event] = rebuild(site, two)
    assert "Later words" in event.data["patch"][0]["markdown"]


def test_a_chapter_added_to_the_manifest_points_at_its_first_slide(site: DeckSite):
    """Not at the first slide the manifest itself holds (its inline chapter's, the title)."""
    root = site.project.root
    (root / "chapters/three.md").write_text("# Chapter three\n\nNew\n")
    assert rebuild(site, root / "chapters/three.md") == []  # listed nowhere yet
    (root / "deck.yml").write_text(MANIFEST.replace("- chapters/one.md\n", "- chapters/three.md\n- chapters/one.md\n"))
    [event] = rebuild(site, root / "deck.yml")
    assert event.data["target"] == 1 and event.data["total"] == 8


def test_first_changed_counts_a_slide_from_another_file_as_changed():
    old = shown(("a.md", "1"), ("b.md", "x"), ("b.md", "y"))
    new = shown(("a.md", "1"), ("c.md", "x"), ("c.md", "y"))
    assert first_changed(old, new, {"b.md", "c.md"}) == 1


def test_saving_an_included_file_points_at_the_slide_that_shows_it(make_project, tmp_path: Path):
    including = TWO.replace("Last words", "```yaml\n@@INCLUDE[slides/examples/x.yaml]\n```")
    root = make_project({**PROJECT, "chapters/two.md": including, "examples/x.yaml": "a: 1\n"})
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    (root / "examples/x.yaml").write_text("a: 2\n")
    [event] = rebuild(site, root / "examples/x.yaml")
    assert event.data["target"] == 6 and ": 2" in event.data["patch"][0]["markdown"]


def test_saving_the_interstitials_points_at_the_first_picture_slide_that_changed(make_project,
                                                                                 tmp_path: Path):
    # Before each chapter's title slide, a picture slide shows the next interstitial.
    pictures = "https://pictures.example/1.jpg\nhttps://pictures.example/2.jpg\n"
    parts = MANIFEST.replace("- chapters/one.md\n- chapters/two.md\n",
                             "- # One\n  - chapters/one.md\n- # Two\n  - chapters/two.md\n")
    root = make_project({**PROJECT, "deck.yml": parts, "interstitials.txt": pictures})
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    (root / "interstitials.txt").write_text(pictures.replace("2.jpg", "3.jpg"))
    [event] = rebuild(site, root / "interstitials.txt")
    # the title slide, one's picture and title slides and its 2 slides, then two's picture
    assert event.data["target"] == 5 and "3.jpg" in event.data["patch"][0]["markdown"]


@pytest.mark.parametrize("added", [False, True])
def test_a_renamed_or_added_chapter_points_at_its_title_not_at_the_picture_before_it(
        make_project, tmp_path: Path, added: bool):
    """The picture slide before a chapter is located at it, but what it shows did not
    change: the tab goes to the chapter's title slide, as for an edit of the chapter."""
    pictures = "https://pictures.example/1.jpg\nhttps://pictures.example/2.jpg\n"
    parts = MANIFEST.replace("- chapters/one.md\n- chapters/two.md\n",
                             "- # One\n  - chapters/one.md\n- # Two\n  - chapters/two.md\n")
    files = {**PROJECT, "deck.yml": parts, "interstitials.txt": pictures}
    if added:
        files["deck.yml"] = parts.replace("- # Two\n  - chapters/two.md\n", "")
    root = make_project(files)
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    saved = [root / "deck.yml"]
    if not added:
        (root / "chapters/two.md").rename(root / "chapters/deux.md")
        saved += [root / "chapters/two.md", root / "chapters/deux.md"]
    (root / "deck.yml").write_text(parts.replace("chapters/two.md", "chapters/deux.md" if not added else "chapters/two.md"))
    [event] = rebuild(site, *saved)
    # the title slide, one's picture and title slides and its 2 slides, two's picture, its title
    assert event.data["target"] == 6


@pytest.mark.parametrize("change", [("title: Serve test", "title: Renamed"),
                                    ("content:", "slidenumberprefix: 'Serve: '\ncontent:")])
def test_a_change_outside_the_slides_makes_the_tab_reload(site: DeckSite, change: tuple[str, str]):
    # The page's <title> and the slide numbers' prefix are read once, as the page starts.
    manifest = site.project.root / "deck.yml"
    manifest.write_text(MANIFEST.replace(*change))
    [event] = rebuild(site, manifest)
    assert event.changed and event.data["patch"] is None and event.data["errors"] is None
    manifest.write_text(MANIFEST.replace(*change).replace("- chapters/one.md\n", ""))
    [event] = rebuild(site, manifest)
    assert event.data["patch"]  # the slides alone changed: swapped in


def test_lines_added_to_a_slide_the_deck_excludes_point_nowhere(make_project, tmp_path: Path):
    # The slides below it only see their footers' line numbers move.
    hidden = TWO.replace("---\n\n## Two, slide two", "---\n\nclass: hidden\n\n## Hidden\n\n---\n\n"
                                                      "## Two, slide two")
    root = make_project({**PROJECT, "deck.yml": MANIFEST + "exclude: hidden\n", "chapters/two.md": hidden})
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=quiet)
    assert all(r.ok for r in site.build_all())
    (root / "chapters/two.md").write_text(hidden.replace("## Hidden\n", "## Hidden\n\nmore\n\nlines\n"))
    [event] = rebuild(site, root / "chapters/two.md")
    assert event.data["target"] is None
    assert event.data["patch"] and ".source[\nchapters/two.md:" in event.data["patch"][0]["markdown"]


def test_an_unrelated_file_rebuilds_nothing(site: DeckSite):
    other = site.project.root / "chapters/unused.md"
    other.write_text("# Not in any manifest\n")
    assert rebuild(site, other) == []
    assert site.built_count == {"deck.yml": 1}


def test_a_broken_manifest_reports_its_line_then_a_fix_clears_it(site: DeckSite):
    manifest = site.project.root / "deck.yml"
    manifest.write_text(MANIFEST.replace("- chapters/one.md", "- [chapters/one.md"))
    [event] = rebuild(site, manifest)
    assert not event.changed
    assert event.data["errors"].startswith("deck.yml:9:1: error: invalid YAML")
    assert "Serve test" in (site.root / "deck.yml.html").read_text()  # the last good build stays
    manifest.write_text(MANIFEST)
    [event] = rebuild(site, manifest)
    assert event.data["errors"] is None
    assert event.data["target"] is None  # the deck is what it was before the break
    assert not event.changed


def test_a_manifest_that_stops_listing_a_chapter_no_longer_rebuilds_for_it(site: DeckSite):
    manifest = site.project.root / "deck.yml"
    manifest.write_text(MANIFEST.replace("- chapters/one.md\n", ""))
    [event] = rebuild(site, manifest)
    assert event.data["total"] == 5
    assert rebuild(site, site.project.root / "chapters/one.md") == []


def test_new_and_deleted_manifests(site: DeckSite):
    root = site.project.root
    (root / "more.yml").write_text("title: More\ncontent:\n- chapters/one.md\n")
    [event] = rebuild(site, root / "more.yml")
    assert event.page == "more.yml.html" and event.changed
    (root / "more.yml").unlink()
    [event] = rebuild(site, root / "more.yml")
    assert event.page == "more.yml.html" and event.removed and event.data["gone"]
    assert event.data["errors"] == "more.yml: the manifest was renamed or deleted; more.yml.html is no longer served"
    assert event.keep == {"errors": event.data["errors"], "gone": True}
    assert set(site.states) == {"deck.yml"}
    assert not (site.root / "more.yml.html").exists() and (site.root / "deck.yml.html").exists()


def test_a_deck_given_another_page_name_takes_its_old_page_down(site: DeckSite):
    manifest = site.project.root / "deck.yml"
    manifest.write_text(MANIFEST.replace("content:", "html: workshop.html\ncontent:"))
    built, old = rebuild(site, manifest)
    assert built.page == "workshop.html" and (site.root / "workshop.html").exists()
    assert old.page == "deck.yml.html" and old.removed and old.data["gone"]
    assert old.data["errors"] == "deck.yml now builds workshop.html; deck.yml.html is no longer served"
    assert not (site.root / "deck.yml.html").exists()


def test_an_unclosed_bracket_in_a_saved_chapter_is_the_builds_error_said_once(site: DeckSite):
    # remark would show '.lab[' as text: the build says so, and serve's own check of the
    # saved chapter (which finds it too) does not say it again.
    printed: list[str] = []
    site.err = printed.append
    root = site.project.root
    two = root / "chapters/two.md"
    two.write_text(TWO.replace("Last words", ".lab[\n\n- an exercise"))
    [event] = rebuild(site, two)
    [expected] = [f for f in check.check(str(root)).findings if f.kind == "unclosed-bracket"]
    error = f"chapters/two.md:17: error: {expected.message}\n    .lab["
    assert event.data["errors"] == error
    assert [line for line in printed if "is not closed" in line] == [error]
    assert not event.data.get("warnings")
    two.write_text(TWO.replace("Last words", ".lab[\n\n- an exercise\n\n]"))
    [event] = rebuild(site, two)
    assert event.data["errors"] is None and event.data["warnings"] is None


def test_a_backquote_left_open_in_a_saved_chapter_is_the_builds_error_said_once(site: DeckSite):
    # remark runs the code span over the separator, merging the slides: the build says so
    # (from the chapter's scan), and serve's own check of the saved chapter does not again.
    printed: list[str] = []
    site.err = printed.append
    root = site.project.root
    two = root / "chapters/two.md"
    two.write_text(TWO.replace("- a step", "- run `ls").replace("Last words", "then `pwd`"))
    [event] = rebuild(site, two)
    [expected] = [f for f in check.check(str(root)).findings if f.kind == "unclosed-backtick"]
    assert str(expected.loc) == "chapters/two.md:11"
    error = f"chapters/two.md:11: error: {expected.message}\n    - run `ls"
    assert event.data["errors"] == error
    assert [line for line in printed if "backquote" in line] == [error]
    assert not event.data.get("warnings")
    two.write_text(TWO.replace("- a step", "- run `ls`"))
    [event] = rebuild(site, two)
    assert event.data["errors"] is None and event.data["warnings"] is None


def test_what_the_build_reports_is_not_among_a_saved_chapters_warnings(site: DeckSite):
    root = site.project.root
    two = root / "chapters/two.md"
    two.write_text(TWO.replace("- a step", "- run `ls").replace("Last words", "then `pwd`"))
    entry = Entry(SourceLoc("deck.yml", 1), None, path="chapters/two.md")
    site.workshop.forget({two})
    assert [p.message for p in site.workshop.chapter(entry).problems if "backquote" in p.message]
    assert chapter_warnings(site.workshop, entry) == []


def test_warnings_are_printed_when_new_or_in_a_saved_file_and_errors_always(make_project,
                                                                           tmp_path: Path):
    # On a large project, the same warnings printed on every save hide what the save did.
    one = ONE.replace("a point", "a point on @@HOSTNAME@@")
    root = make_project({**PROJECT, "chapters/one.md": one})
    printed: list[str] = []
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=printed.append, err=printed.append)
    site.build_all()
    warning = "chapters/one.md:9: warning: unknown directive @@HOSTNAME@@ is left as it is"
    assert printed[0] == warning and printed[1].startswith("built  deck.yml.html")

    def save(path: str, text: str) -> list[str]:
        printed.clear()
        (root / path).write_text(text)
        rebuild(site, root / path)
        return printed

    # Another file saved: the warning is counted, not repeated.
    [built] = save("chapters/two.md", TWO.replace("Last words", "Final words"))
    assert built.startswith("built  deck.yml.html") and built.endswith("  (1 other warning, unchanged)")
    # Its own file saved: it is printed again, where the author is looking.
    assert save("chapters/one.md", one + "\nmore\n")[0] == warning
    # A new warning elsewhere is printed; the old one is counted.
    lines = save("chapters/two.md", TWO.replace("Last words", "@@PORT@@"))
    assert lines[0] == "chapters/two.md:17: warning: unknown directive @@PORT@@ is left as it is"
    assert lines[1].endswith("  (1 other warning, unchanged)") and len(lines) == 2
    # An error is printed on every build, and a failed build forgets no warning.
    broken = MANIFEST.replace("- chapters/one.md", "- [chapters/one.md")
    for _ in range(2):
        lines = save("deck.yml", broken)
        assert lines[0].startswith("deck.yml:9:1: error: invalid YAML") and lines[-1].startswith("FAILED")
    assert save("deck.yml", MANIFEST)[-1].endswith("  (2 other warnings, unchanged)")


def test_a_problem_in_a_chapter_decks_share_is_printed_once_per_build(make_project, tmp_path: Path):
    # container.training's shared/ chapters are in all twelve decks: one unclosed fence
    # there printed twelve times (with its line below each) hid everything else.
    one = ONE.replace("a point", "a point on @@HOSTNAME@@")
    root = make_project({**PROJECT, "chapters/one.md": one,
                         "other.yml": MANIFEST.replace("Serve test", "Other")})
    printed: list[str] = []
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=printed.append, err=printed.append)
    site.build_all()
    warning = "chapters/one.md:9: warning: unknown directive @@HOSTNAME@@ is left as it is"
    assert printed.count(warning) == 1 and len(printed) == 3  # the warning, then two decks built
    printed.clear()
    (root / "chapters/one.md").write_text(one + "\n```bash\nopen\n")
    rebuild(site, root / "chapters/one.md")
    error = "chapters/one.md:11: error: code fence is never closed\n    ```bash"
    assert printed.count(error) == 1 and printed.count(warning) == 1
    assert [line.split(" (")[0] for line in printed if line.startswith("FAILED")] == [
        "FAILED deck.yml", "FAILED other.yml"]
    # Each save prints its errors again, once.
    printed.clear()
    rebuild(site, root / "chapters/one.md")
    assert printed.count(error) == 1


def test_a_failed_decks_manifest_warnings_come_before_its_chapters_warnings(make_project, tmp_path: Path):
    """As the build says them: errors, then warnings by file in deck order (the manifest first)."""
    root = make_project({**PROJECT, "deck.yml": MANIFEST + "bogus: 1\n",
                         "chapters/two.md": TWO + "\n[to nowhere](#nowhere)\n\n![](gone.png)\n"})
    printed: list[str] = []
    DeckSite(Project.at(root), [], tmp_path / "out", log=printed.append, err=printed.append).build_all()
    assert printed[:3] == [
        "chapters/two.md:21: error: picture 'gone.png' does not exist",
        "deck.yml:9:1: warning: unknown key 'bogus' is ignored",
        "chapters/two.md:19: warning: link to #nowhere goes nowhere: no slide of this deck is named so",
    ]


def test_a_deleted_chapter_is_an_error_with_the_manifest_line(site: DeckSite):
    two = site.project.root / "chapters/two.md"
    two.unlink()
    [event] = rebuild(site, two)
    assert event.data["errors"] == "deck.yml:8:3: error: chapter file 'chapters/two.md' does not exist"
    two.write_text(TWO)
    [event] = rebuild(site, two)
    assert event.data["errors"] is None


def test_a_chapter_listed_before_it_exists_builds_once_it_comes(site: DeckSite):
    root = site.project.root
    manifest = root / "deck.yml"
    manifest.write_text(MANIFEST + "- chapters/three.md\n")
    [event] = rebuild(site, manifest)
    assert "chapters/three.md" in event.data["errors"]
    (root / "chapters/three.md").write_text("# Three\n\nThe third chapter\n")
    [event] = rebuild(site, root / "chapters/three.md")
    assert event.data["errors"] is None and event.data["total"] == 8
    assert "The third chapter" in event.data["patch"][-1]["markdown"]


def test_a_folder_renamed_as_a_whole_rebuilds_the_decks_inside(site: DeckSite):
    root = site.project.root
    (root / "chapters").rename(root / "moved")
    [event] = rebuild(site, root / "chapters", root / "moved")
    assert "chapters/one.md" in event.data["errors"]


def test_a_chapter_that_is_a_symlink_rebuilds_when_its_target_changes(site: DeckSite):
    root = site.project.root
    target = root / "sources" / "two.md"
    target.parent.mkdir()
    (root / "chapters/two.md").rename(target)
    (root / "chapters/two.md").symlink_to(target)
    [event] = rebuild(site, root / "chapters/two.md")
    assert event.data["errors"] is None
    target.write_text(TWO.replace("Last words", "Through the link"))
    [event] = rebuild(site, target)  # what the watcher reports: the file written
    assert "Through the link" in event.data["patch"][0]["markdown"]


def test_a_failed_deck_says_whether_a_good_build_is_kept(make_project, tmp_path: Path):
    root = make_project({**PROJECT, "deck.yml": MANIFEST.replace("- chapters/one.md", "- [oops")})
    printed: list[str] = []
    site = DeckSite(Project.at(root), [], tmp_path / "out", log=quiet, err=printed.append)
    site.build_all()
    assert printed[-1] == "FAILED deck.yml (no good build yet: the page waits for one)"
    (root / "deck.yml").write_text(MANIFEST)
    rebuild(site, root / "deck.yml")
    (root / "deck.yml").write_text(MANIFEST.replace("- chapters/one.md", "- [oops"))
    rebuild(site, root / "deck.yml")
    assert printed[-1] == "FAILED deck.yml (the page keeps its last good build)"


def test_a_deck_that_never_built_gets_a_waiting_page_that_shows_why(make_project, tmp_path: Path):
    root = make_project({**PROJECT, "deck.yml": MANIFEST.replace("- chapters/one.md", "- [oops")})
    server, _, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    try:
        status, body = get(server, "/deck.yml.html")
        assert status == 200 and b"has not built yet" in body and b"/__live__/client.js" in body
        host, port = server.httpd.server_address[:2]
        stream = socket.create_connection((host, port), timeout=20).makefile("rwb")
        stream.write(b"GET /__live__/events?page=deck.yml.html HTTP/1.1\r\nHost: x\r\n\r\n")
        stream.flush()
        hello = read_event(stream)
        assert hello["replay"] and hello["errors"].startswith("deck.yml:")
    finally:
        server.stop()


# -- the HTTP server ----------------------------------------------------------------------


@pytest.fixture
def running(make_project, tmp_path: Path):
    root = make_project(PROJECT)
    (root.parent / "secret.txt").write_text("not for the web")
    server, site, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    site.err = quiet
    yield server, site
    server.stop()


def get(server, path: str) -> tuple[int, bytes]:
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def test_pages_get_the_client_script_and_assets_are_served(running):
    server, _ = running
    status, body = get(server, "/deck.yml.html")
    assert status == 200
    assert b'<script src="/__live__/client.js" data-page="deck.yml.html" data-version="1"' in body
    assert get(server, "/assets/vendor/remark.min.js")[0] == 200
    status, listing = get(server, "/")
    assert status == 200 and b'href="deck.yml.html"' in listing


def test_each_run_of_the_server_names_itself_in_its_pages_and_events(running, make_project,
                                                                    tmp_path: Path):
    # Versions start at 1 in every run: a tab left open across a restart learns from
    # the run id, not its version, that its page may be out of date.
    server, _ = running
    _, body = get(server, "/deck.yml.html")
    assert f'data-run="{server.run}"'.encode() in body
    stream = socket.create_connection(server.httpd.server_address[:2], timeout=20).makefile("rwb")
    stream.write(b"GET /__live__/events?page=deck.yml.html HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.flush()
    assert read_event(stream)["run"] == server.run
    again, _, _ = serve.start(Project.at(make_project(PROJECT)), [], tmp_path / "again", "127.0.0.1", 0,
                              log=quiet)
    try:
        assert again.run != server.run
        assert f'data-run="{again.run}"'.encode() in get(again, "/deck.yml.html")[1]
    finally:
        again.stop()


def test_a_renamed_manifest_takes_its_page_down_and_an_open_tab_hears_why(running):
    server, site = running
    stream = open_stream(server)
    root = site.project.root
    (root / "deck.yml").rename(root / "renamed.yml")
    event = read_event(stream)
    assert event["gone"] and event["errors"].startswith("deck.yml: the manifest was renamed or deleted")
    status, listing = get(server, "/")
    assert b'href="renamed.yml.html"' in listing and b'href="deck.yml.html"' not in listing
    status, body = get(server, "/deck.yml.html")
    assert status == 404 and b"is no longer served" in body and b"/__live__/client.js" in body
    # Back under its name: served again, and the open tab reloads it.
    (root / "renamed.yml").rename(root / "deck.yml")
    event = read_event(stream)
    assert event["errors"] is None and event["version"] == 2
    status, body = get(server, "/deck.yml.html")
    assert status == 200 and b"Serve test" in body


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                                  "/..%2fsecret.txt"])
def test_requests_cannot_leave_the_served_folder(running, path: str):
    server, _ = running
    status, body = get(server, path)
    assert status in (403, 404) and b"not for the web" not in body


def test_the_server_listens_on_localhost_by_default():
    args = cli._parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.func is serve.run


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_that_cannot_be_is_a_usage_error(make_project, capsys, port):
    # 99999 stopped serve on a traceback (OverflowError from bind), after building every deck.
    root = make_project(PROJECT)
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--root", str(root), "--port", port])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert f"argument --port: not a port number (0 to 65535): '{port}'" in err


def read_event(stream) -> dict:
    while True:
        line = stream.readline()
        if not line:
            raise AssertionError("the event stream closed")
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def test_a_save_reaches_the_event_stream(running):
    server, site = running
    host, port = server.httpd.server_address[:2]
    stream = socket.create_connection((host, port), timeout=20).makefile("rwb")
    stream.write(b"GET /__live__/events?page=deck.yml.html HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.flush()
    assert read_event(stream) == {"version": 1, "replay": True, "run": server.run}
    two = site.project.root / "chapters/two.md"
    time.sleep(0.2)  # the watcher is running
    two.write_text(TWO.replace("Last words", "Final words"))
    event = read_event(stream)
    assert event["base"] == 1 and event["version"] == 2 and event["target"] == 6
    assert event["run"] == server.run
    assert set(event["timing"]) >= {"seen", "started", "sent", "compile", "prepare"}


def open_stream(server):
    host, port = server.httpd.server_address[:2]
    stream = socket.create_connection((host, port), timeout=20).makefile("rwb")
    stream.write(b"GET /__live__/events?page=deck.yml.html HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.flush()
    read_event(stream)
    time.sleep(0.2)  # the watcher is running
    return stream


def test_an_editor_saving_through_a_temporary_file_is_seen_once(running):
    import os

    server, site = running
    stream = open_stream(server)
    two = site.project.root / "chapters/two.md"
    temp = two.with_name(".two.md.swp")
    temp.write_text(TWO.replace("Last words", "Saved atomically"))
    os.replace(temp, two)
    event = read_event(stream)
    assert event["version"] == 2 and "Saved atomically" in event["patch"][0]["markdown"]
    assert site.built_count == {"deck.yml": 2}


# JetBrains IDEs' safe write, one step every ~50 ms: the new text goes to a temporary
# file, the file is renamed aside, the temporary file takes its name, the old one goes.
def jetbrains_save(path: Path, text: str, pause: float = 0.05) -> None:
    import os

    temp, old = path.with_name(path.name + "___jb_tmp___"), path.with_name(path.name + "___jb_old___")
    temp.write_text(text)
    time.sleep(pause)
    os.rename(path, old)
    time.sleep(pause)
    os.rename(temp, path)
    time.sleep(pause)
    old.unlink()


@pytest.mark.parametrize("name, written_by_an_editor", [
    ("two.md___jb_tmp___", True), ("two.md___jb_old___", True),  # JetBrains
    ("two.md~", True), ("4913", True), ("5036", True), (".two.md.swp", True), (".two.md.swo", True),  # vim
    (".#two.md", True), ("#two.md#", True),  # Emacs
    (".two.md.kate-swp", True), ("two.md.vsctmp", True), (".goutputstream-Q1X2Z3", True),
    ("two.md", False), ("deck.yml", False), ("4914", False), ("1000", False), ("#", False),
    ("notes.swp.md", False), (".gitignore", False),
])
def test_files_editors_write_beside_a_saved_one_are_not_changes(name: str, written_by_an_editor: bool):
    assert editor_file(Path("chapters") / name) is written_by_an_editor


class Acted:
    """A debouncer's action: what it was given, when, and whether the watched file was there."""

    def __init__(self, watched: Path) -> None:
        self.watched, self.calls = watched, []

    def __call__(self, paths: set[Path], first: float) -> None:
        self.calls.append((paths, time.time(), self.watched.exists()))


def debounce(watched: Path, acted: Acted, grace: float) -> Debouncer:
    """A debouncer as serve's, for which `watched` is a file the rebuild needs."""
    vanished = lambda paths: watched in paths and not watched.exists()
    debouncer = Debouncer(acted, quiet=0.03, longest=2.0, vanished=vanished, grace=grace)
    debouncer.start()
    return debouncer


def feed(debouncer: Debouncer, *events) -> None:
    """Events as the watcher reports them, through its filter."""
    from deckwright.server import _Handler

    for event in events:
        _Handler(debouncer.add).on_any_event(event)


def test_a_safe_write_rebuilds_once_after_the_file_is_back(tmp_path: Path):
    import os

    from watchdog.events import FileCreatedEvent, FileDeletedEvent, FileMovedEvent

    path = tmp_path / "two.md"
    path.write_text("before")
    temp, old = f"{path}___jb_tmp___", f"{path}___jb_old___"
    acted = Acted(path)
    debouncer = debounce(path, acted, grace=1.0)
    try:
        Path(temp).write_text("after")
        feed(debouncer, FileCreatedEvent(temp))
        time.sleep(0.05)
        os.rename(path, old)
        feed(debouncer, FileMovedEvent(str(path), old))
        time.sleep(0.05)  # longer than the quiet period: the file is missing now
        os.rename(temp, path)
        feed(debouncer, FileMovedEvent(temp, str(path)))
        time.sleep(0.05)
        os.unlink(old)
        feed(debouncer, FileDeletedEvent(old))
        wait_until(lambda: acted.calls)  # a busy machine may take a while to run it
        time.sleep(0.1)  # and no other call follows
    finally:
        debouncer.stop()
    assert [(paths, there) for paths, _, there in acted.calls] == [({path}, True)]


def wait_until(condition, seconds: float = 60) -> None:
    """Wait for something sure to come; `seconds` is only a deadline for a hang."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_an_ordinary_save_does_not_wait_and_a_deleted_file_waits_for_the_grace_only(tmp_path: Path):
    from watchdog.events import FileDeletedEvent, FileModifiedEvent

    path = tmp_path / "two.md"
    path.write_text("saved")
    acted = Acted(path)
    debouncer = debounce(path, acted, grace=1.0)
    try:
        saved = time.time()
        feed(debouncer, FileModifiedEvent(str(path)))
        while not acted.calls and time.time() < saved + 5:
            time.sleep(0.01)
        path.unlink()
        deleted = time.time()
        feed(debouncer, FileDeletedEvent(str(path)))
        while len(acted.calls) < 2 and time.time() < deleted + 5:
            time.sleep(0.01)
    finally:
        debouncer.stop()
    [(_, at_save, _), (_, at_delete, there)] = acted.calls
    assert at_save - saved < 0.5  # the quiet period, not the grace
    assert not there and 1.0 <= at_delete - deleted < 3.0


def test_a_safe_writing_editor_shows_no_error_in_between(running):
    server, site = running
    stream = open_stream(server)
    two = site.project.root / "chapters/two.md"
    jetbrains_save(two, TWO.replace("Last words", "Saved safely"))
    event = read_event(stream)
    assert event["errors"] is None and "Saved safely" in event["patch"][0]["markdown"]
    # What the tab hears next is the next save: the watcher's events for this one that come
    # after its build (a busy machine), the old file's deletion, the editor's files, rebuild nothing.
    (two.parent / "one.md").write_text(ONE.replace("a point", "a new point"))
    event = read_event(stream)
    assert "a new point" in event["patch"][0]["markdown"]
    assert site.built_count == {"deck.yml": 3}


def test_a_burst_of_changes_rebuilds_once(running):
    server, site = running
    stream = open_stream(server)
    root = site.project.root
    for i in range(30):  # like a checkout touching many files
        (root / "chapters" / f"new-{i}.md").write_text(f"# New {i}\n")
    (root / "chapters/one.md").write_text(ONE.replace("a point", "a new point"))
    (root / "chapters/two.md").write_text(TWO.replace("Last words", "Burst"))
    seen = set()
    while seen != {"a new point", "Burst"}:
        event = read_event(stream)
        seen |= {w for h in event["patch"] for w in ("a new point", "Burst") if w in h["markdown"]}
    # 32 changes: one rebuild, or a few if the machine stalled in the middle of the burst
    assert site.built_count["deck.yml"] - 1 <= 3


def test_stop_ends_open_streams(running):
    server, _ = running
    host, port = server.httpd.server_address[:2]
    stream = socket.create_connection((host, port), timeout=20).makefile("rwb")
    stream.write(b"GET /__live__/events?page=deck.yml.html HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.flush()
    read_event(stream)
    server.stop()
    while stream.readline():
        pass  # reaches the end instead of hanging
    assert not server.observer.is_alive()


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_stops_the_command_cleanly(make_project, tmp_path: Path, signal_name: str):
    import signal
    import subprocess
    import sys

    root = make_project(PROJECT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckwright", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("watching"):
                break
        assert any(line.strip().endswith("/deck.yml.html") for line in lines), lines
        url = next(line.split()[-3] for line in lines if line.startswith("serving"))
        assert url.startswith("http://127.0.0.1:")
        proc.send_signal(getattr(signal, signal_name))
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "stopping" in out


def test_the_listing_links_a_page_whose_name_holds_url_characters(make_project, tmp_path: Path):
    # '#', '%' and spaces are fine in a manifest's name; a link must encode them, else the
    # browser reads '#...' as a fragment and '%..' as an escape.
    root = make_project({**PROJECT, "a #1 50%.yml": MANIFEST})
    server, _, _ = serve.start(Project.at(root), [], tmp_path / "out", "127.0.0.1", 0, log=quiet)
    try:
        status, listing = get(server, "/")
        assert status == 200 and b'href="a%20%231%2050%25.yml.html"' in listing
        assert get(server, "/a%20%231%2050%25.yml.html")[0] == 200
    finally:
        server.stop()


def test_the_addresses_printed_and_opened_are_whole_links_whatever_the_page_name(capsys, monkeypatch):
    """A page named with a space or accents (`atelier été.yml.html`): its address was printed
    as is, and a terminal's link (or --open) stopped at the space."""
    from types import SimpleNamespace

    from deckwright import serve as serve_module

    site = SimpleNamespace(root="slides", states={"a.yml": SimpleNamespace(html="atelier été.yml.html")})
    server = SimpleNamespace(url="http://127.0.0.1:8000/")
    serve_module._announce(server, site)
    assert "  http://127.0.0.1:8000/atelier%20%C3%A9t%C3%A9.yml.html" in capsys.readouterr().out.splitlines()
    assert serve_module.page_url(server, "atelier été.yml.html") == "http://127.0.0.1:8000/atelier%20%C3%A9t%C3%A9.yml.html"
