"""Warm builds: a deck whose files did not change since the last build is kept, not rebuilt."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

from deckwright import cli, stamps
from deckwright.builder import build
from deckwright.reader import Project
from deckwright.stamps import STAMP_FILE, code_fingerprint, file_stat

from .conftest import write_files

FILES = {
    "one.yml": "title: One\ncontent:\n- shared.md\n- only-one.md\n",
    "two.yml": "title: Two\nexclude: [extra]\ncontent:\n- shared.md\n",
    "shared.md": "# Shared\n\nSee ![dot](images/dot.svg)\n\n@@NOPE@@\n",
    "only-one.md": "# Only one\n\nText.\n",
    "images/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}


def age(root: Path, seconds: int = 3600) -> None:
    """Make every file look edited `seconds` ago (files edited just now are never recorded)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (then, then))


def project(tmp_path: Path, files: dict[str, str] = FILES) -> Project:
    root = write_files(tmp_path / "repo" / "slides", files)
    age(root)
    return Project.at(root)


def run(proj: Project, out: Path, **kwargs) -> dict[str, object]:
    results = build(proj, None, out, env={}, reuse=True, **kwargs)
    return {r.manifest: r for r in results}


def test_second_build_keeps_every_deck_and_reports_the_same(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    first = run(proj, out)
    html = {name: (out / r.html).read_bytes() for name, r in first.items()}
    mtimes = {name: (out / r.html).stat().st_mtime_ns for name, r in first.items()}
    second = run(proj, out)
    assert [r.reused for r in first.values()] == [False, False]
    assert [r.reused for r in second.values()] == [True, True]
    for name, r in second.items():
        assert (out / r.html).read_bytes() == html[name]
        assert (out / r.html).stat().st_mtime_ns == mtimes[name]  # not even rewritten
        assert r.slides == first[name].slides and r.inputs == first[name].inputs
        assert [str(p) for p in r.problems] == [str(p) for p in first[name].problems]
    assert any("@@NOPE@@" in str(p) for p in second["one.yml"].problems)  # warnings replayed


def test_strict_fails_on_a_kept_decks_warnings(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    again = run(proj, out, strict=True)
    assert not again["one.yml"].ok
    assert all(p.is_error for p in again["one.yml"].problems)


def test_a_changed_chapter_rebuilds_the_decks_using_it_only(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    chapter = proj.root / "only-one.md"
    chapter.write_text("# Only one\n\nNew text.\n")
    age(chapter, 60)  # edited a minute ago
    again = run(proj, out)
    assert {n: r.reused for n, r in again.items()} == {"one.yml": False, "two.yml": True}
    assert "New text." in (out / "one.yml.html").read_text()


def test_what_the_build_depends_on_besides_chapters_rebuilds(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    # An environment override changes every deck.
    overridden = build(proj, None, out, env={"OVERRIDE_chat": "#room"}, reuse=True)
    assert not any(r.reused for r in overridden)
    # A lost output file or picture is written again.
    run(proj, out)
    (out / "two.yml.html").unlink()
    (out / "images" / "dot.svg").unlink()
    again = run(proj, out)
    assert not again["two.yml"].reused and (out / "two.yml.html").is_file()
    assert (out / "images" / "dot.svg").is_file()
    # A file that did not exist and now does (interstitials.txt) is an input too.
    (proj.root / "interstitials.txt").write_text("images/dot.svg\n")
    age(proj.root / "interstitials.txt", 60)
    assert not any(r.reused for r in run(proj, out).values())


def test_a_file_edited_during_the_build_is_not_trusted(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    (proj.root / "shared.md").write_text("# Shared\n\nJust saved.\n")  # mtime: now
    run(proj, out)
    again = run(proj, out)
    assert not again["one.yml"].reused and not again["two.yml"].reused
    assert run(proj, out)["one.yml"].reused is False  # until it is old enough


def test_failed_decks_are_always_built_again(tmp_path):
    files = dict(FILES, **{"two.yml": "title: Two\ncontent:\n- missing.md\n"})
    proj, out = project(tmp_path, files), tmp_path / "dist"
    run(proj, out)
    again = run(proj, out)
    assert again["one.yml"].reused and not again["two.yml"].reused and not again["two.yml"].ok


def test_a_damaged_stamp_file_means_a_full_build(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    stamps = json.loads((out / STAMP_FILE).read_text())
    stamps["decks"]["one.yml"]["inputs"] = "not a mapping"
    (out / STAMP_FILE).write_text(json.dumps(stamps))
    again = run(proj, out)
    assert not again["one.yml"].reused and again["two.yml"].reused
    (out / STAMP_FILE).write_text("{ not json")
    assert not any(r.reused for r in run(proj, out).values())


def test_a_build_looks_at_each_file_once_to_record_its_decks(tmp_path, monkeypatch):
    """Both decks show shared.md and its picture: the stamps look at them once, not per deck."""
    looked = Counter()

    def counting_stat(path):
        looked[Path(path)] += 1
        return file_stat(path)

    proj, out = project(tmp_path), tmp_path / "dist"
    monkeypatch.setattr(stamps, "file_stat", counting_stat)
    run(proj, out)
    shared = [proj.root / "shared.md", proj.root / "images" / "dot.svg", out / "images" / "dot.svg"]
    assert [looked[p] for p in shared] == [1, 1, 1]
    assert max(looked.values()) == 1
    saved = json.loads((out / STAMP_FILE).read_text())["decks"]
    assert saved["one.yml"]["inputs"][str(shared[0])] == saved["two.yml"]["inputs"][str(shared[0])]


def test_editing_deckwright_itself_changes_the_fingerprint(tmp_path):
    code = write_files(tmp_path / "code", {"a.py": "x = 1\n", "t/remark.html": "<html>\n"})
    before = code_fingerprint([code])
    assert code_fingerprint([code]) == before
    (code / "t" / "remark.html").write_text("<html lang=en>\n")
    assert code_fingerprint([code]) != before


def test_command_keeps_up_to_date_decks_unless_forced(tmp_path, capsys):
    proj, out = project(tmp_path), tmp_path / "dist"
    args = ["build", "--root", str(proj.root), "--out", str(out), "--jobs", "1"]
    assert cli.main(args) == 0
    assert "2 built, 0 failed" in capsys.readouterr().out
    assert cli.main(args) == 0
    printed = capsys.readouterr()
    # The warning of the chapter both decks share: printed once, counted once, and each
    # deck's line says it has one.
    assert printed.out.endswith("0 built, 2 up to date, 0 failed, 1 warning\n")
    assert printed.out.count("(up to date, 1 warning)") == 2
    assert printed.err.count("@@NOPE@@") == 1
    assert cli.main(args + ["--force"]) == 0
    assert "2 built, 0 failed" in capsys.readouterr().out


def test_two_processes_build_what_one_does(tmp_path):
    proj = project(tmp_path)
    one = build(proj, None, tmp_path / "a", env={}, jobs=1)
    two = build(proj, None, tmp_path / "b", env={}, jobs=2)
    assert [(r.manifest, r.slides, r.ok) for r in one] == [(r.manifest, r.slides, r.ok) for r in two]
    for r in one:
        assert (tmp_path / "a" / r.html).read_bytes() == (tmp_path / "b" / r.html).read_bytes()


def test_a_kept_deck_with_diagrams_still_finds_mermaid(tmp_path):
    diagram = '# A flowchart\n\n<pre class="mermaid">\nflowchart LR\n  A --> B\n</pre>\n'
    proj = project(tmp_path, {**FILES, "drawn.yml": "title: Drawn\ncontent:\n- drawn.md\n",
                              "drawn.md": diagram})
    out = tmp_path / "dist"
    mermaid = [out / "assets" / "vendor" / name for name in ("mermaid.min.js", "mermaid.LICENSE")]
    run(proj, out)
    for path in mermaid:
        path.unlink()
    again = run(proj, out)
    assert {name: r.reused for name, r in again.items()} == {"drawn.yml": False, "one.yml": True,
                                                             "two.yml": True}
    assert all(path.is_file() for path in mermaid)
    assert all(r.reused for r in run(proj, out).values())


# ---------- what earlier builds wrote and this one does not ----------

def files_in(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {STAMP_FILE}


def test_a_renamed_manifests_page_and_a_picture_no_longer_shown_are_removed(tmp_path, capsys):
    """Only what the record says a build wrote: the owner's own files stay, and so does a
    folder that still holds something."""
    proj, out = project(tmp_path), tmp_path / "dist"
    args = ["build", "--root", str(proj.root), "--out", str(out), "--jobs", "1"]
    assert cli.main(args) == 0
    (out / "mine.html").write_text("the owner's own page")
    (out / "images" / "mine.svg").write_text("<svg/>")
    (proj.root / "one.yml").rename(proj.root / "uno.yml")
    assert cli.main(args) == 0
    assert "removed, as no deck writes it now: one.yml.html" in capsys.readouterr().out.splitlines()
    assert files_in(out) >= {"uno.yml.html", "two.yml.html", "images/dot.svg", "mine.html", "images/mine.svg"}
    assert "one.yml.html" not in files_in(out)
    (proj.root / "shared.md").write_text("# Shared\n\nNo picture now.\n")
    (out / "images" / "mine.svg").unlink()
    assert cli.main(args) == 0
    assert "removed, as no deck writes it now: images/dot.svg" in capsys.readouterr().out.splitlines()
    assert not (out / "images").exists()  # left empty by the picture: gone too
    assert (out / "mine.html").is_file()
    assert cli.main(args) == 0
    assert "removed" not in capsys.readouterr().out  # nothing more to remove


def test_a_renamed_page_is_removed_with_force_and_when_one_manifest_is_built(tmp_path):
    """The record is kept by every build (not only those that keep decks up to date); a
    build of some decks leaves the others' files alone, but for a manifest no longer there."""
    proj, out = project(tmp_path), tmp_path / "dist"
    build(proj, None, out, env={})
    (proj.root / "two.yml").write_text("title: Two\nhtml: deux.html\ncontent:\n- shared.md\n")
    assert build(proj, ["two.yml"], out, env={})[0].ok
    assert {"one.yml.html", "deux.html"} <= files_in(out) and "two.yml.html" not in files_in(out)
    (proj.root / "one.yml").unlink()
    assert build(proj, ["two.yml"], out, env={})[0].ok
    assert "one.yml.html" not in files_in(out) and "deux.html" in files_in(out)


def test_a_failed_deck_keeps_its_last_good_page(tmp_path):
    """Even when the manifest that fails now names another page, or is renamed but names
    the same page: what the deck last wrote is kept."""
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    page = (out / "one.yml.html").read_bytes()
    (proj.root / "one.yml").write_text("title: One\nhtml: new.html\ncontent:\n- missing.md\n")
    assert not run(proj, out)["one.yml"].ok
    assert (out / "one.yml.html").read_bytes() == page and (out / "images" / "dot.svg").is_file()
    (proj.root / "one.yml").write_text("title: One\nhtml: uno.html\ncontent:\n- shared.md\n")
    assert run(proj, out)["one.yml"].ok and "one.yml.html" not in files_in(out)
    (proj.root / "one.yml").rename(proj.root / "uno.yml")
    (proj.root / "uno.yml").write_text("title: One\nhtml: uno.html\ncontent:\n- bad.md\n")
    (proj.root / "bad.md").write_text("![a picture not there](images/missing.svg)\n")
    assert not run(proj, out)["uno.yml"].ok
    assert (out / "uno.html").is_file()


def test_a_file_changed_since_it_was_written_is_left_and_said(tmp_path, capsys):
    proj, out = project(tmp_path), tmp_path / "dist"
    args = ["build", "--root", str(proj.root), "--out", str(out), "--jobs", "1"]
    assert cli.main(args) == 0
    (out / "one.yml.html").write_text("now the owner's")
    (proj.root / "one.yml").unlink()
    assert cli.main(args) == 0
    assert ("not removed, though no deck writes it now: one.yml.html (changed since it was written)"
            in capsys.readouterr().out.splitlines())
    assert (out / "one.yml.html").read_text() == "now the owner's"


def test_a_record_edited_out_of_shape_removes_nothing_it_should_not(tmp_path):
    proj, out = project(tmp_path), tmp_path / "dist"
    run(proj, out)
    (tmp_path / "outside.txt").write_text("not in the output folder")
    saved = json.loads((out / STAMP_FILE).read_text())
    stat = file_stat(tmp_path / "outside.txt")
    saved["written"]["/nowhere/gone.yml"] = {"build": {"../outside.txt": stat, "x": "bad"}}
    saved["written"]["/nowhere/other.yml"] = {"build": {"../outside.txt": stat}}
    (out / STAMP_FILE).write_text(json.dumps(saved))
    run(proj, out)
    assert (tmp_path / "outside.txt").is_file()


def test_a_content_folders_own_picture_is_never_removed(tmp_path, capsys):
    """--out the content folder itself, or an output folder whose images/ is a symbolic
    link (to the content's pictures, or anywhere else): the picture a build 'wrote' there is
    the content's, or another folder's; once no deck shows it, it is left and said, not
    removed."""
    proj = project(tmp_path)
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "images").symlink_to(proj.root / "images")
    for out in (proj.root, linked):
        args = ["build", "--root", str(proj.root), "--out", str(out), "--jobs", "1"]
        assert cli.main(args) == 0
        (proj.root / "shared.md").write_text("# Shared\n\nNo picture now.\n")
        assert cli.main(args) == 0
        lines = capsys.readouterr().out.splitlines()
        assert (proj.root / "images" / "dot.svg").is_file()
        assert not any(line.startswith("removed") for line in lines)
        assert any(line.startswith("not removed, though no deck writes it now: images/dot.svg (")
                   for line in lines)
        (proj.root / "shared.md").write_text(FILES["shared.md"])
        age(proj.root)
    elsewhere = tmp_path / "shared-images"
    elsewhere.mkdir()
    out = tmp_path / "dist"
    out.mkdir()
    (out / "images").symlink_to(elsewhere)
    args = ["build", "--root", str(proj.root), "--out", str(out), "--jobs", "1"]
    assert cli.main(args) == 0 and (elsewhere / "dot.svg").is_file()
    (proj.root / "shared.md").write_text("# Shared\n\nNo picture now.\n")
    assert cli.main(args) == 0
    assert ("not removed, though no deck writes it now: images/dot.svg (a symbolic link leads it "
            "out of the output folder)" in capsys.readouterr().out.splitlines())
    assert (elsewhere / "dot.svg").is_file()
