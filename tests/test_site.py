"""`deckwright site` without a browser: what lands in the site folder, chapter pages, bundles, single files."""

from __future__ import annotations

import argparse
import datetime
import errno
import os
import posixpath
import shutil
import zipfile
from pathlib import Path

import pytest

from deckwright import cli, site, writer
from deckwright.builder import Workshop, compile_deck
from deckwright.reader import Project

from .conftest import write_files
from .pages import page_markdown

FIXTURE = Path(__file__).parent / "fixtures" / "site" / "slides"
TODAY = datetime.date(2026, 3, 1)


def source_of(page: Path) -> str:
    """The Markdown a deck page hands remark."""
    return page_markdown(page.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site") / "workshops" / "slides"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture(scope="module")
def built(content, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = site.build_site(Project.at(content), None, out, env={}, today=TODAY, single_file=True)
    return result, out


def test_site_holds_decks_pages_bundles_and_only_used_pictures(built):
    result, out = built
    assert result.ok and [r.manifest for r in result.decks] == ["demo.yml", "other.yml"]
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"index.html", "demo.yml.html", "other.yml.html", "images/dot.svg", "assets/index.css",
            "assets/deckwright.css", "assets/vendor/remark.min.js", "slides.zip", "other-bundle.zip",
            "single/demo.yml.html", "single/other.yml.html"} <= files
    assert "images/unused.svg" not in files  # in the content folder, shown by no deck (only in code)
    assert sorted(f for f in files if f.startswith("chapters/")) == [
        "chapters/intro/hello.md.html",
        "chapters/intro/pictures.md.html",
        "chapters/more/only-other.md.html",
        "chapters/more/steps.md.html",
    ]
    # The sources stay out (assets/vendor has remark's README, beside its licence).
    assert not any(f.endswith((".md", ".yml", ".yaml")) for f in files if not f.startswith("assets/"))


def test_index_yaml_link_to_a_deck_not_built_warns_with_its_line(built):
    result, _ = built
    assert [str(p) for p in result.problems] == [
        "index.yaml:50:3: warning: 'slides: gone-selfpaced.yml.html' names no deck built for this site"
    ]


def test_slides_grouped_by_chapter_follow_the_compiled_deck(content):
    project = Project.at(content)
    workshop = Workshop.open(project, {})
    manifest, _ = workshop.load("demo.yml")
    deck, _ = compile_deck(workshop, manifest)
    groups = site.slides_by_chapter(workshop, manifest, deck)
    assert list(groups) == ["intro/hello.md", "intro/pictures.md", "more/steps.md"]
    # Every slide of the deck is in one group, but the inline front matter: the title
    # slide, the contents slide and the two parts' tables of contents.
    grouped = [s for slides in groups.values() for s in slides]
    assert len(grouped) == len(deck.slides) - 4
    assert sum(s.generated == "table of contents" for s in deck.slides) == 2
    steps = groups["more/steps.md"]
    assert [s.generated or s.properties.get("name", "") or s.loc.line for s in steps] == ["title slide", 1, 24]
    assert [len(s.steps) for s in steps] == [1, 3, 1]  # the in-person slide is excluded here


def test_chapter_page_uses_the_first_deck_that_shows_it(built):
    _, out = built
    hello = source_of(out / "chapters/intro/hello.md.html")
    # demo.yml comes first and keeps the self-paced slide; its values are substituted.
    assert "This deck is Demo<br/>workshop" in hello
    assert "Chat: [Chat](https://chat.example.org/)" in hello
    assert "Only for self-paced learners" in hello
    assert "@@" not in hello
    # Each step keeps its footer, linked to the file and line.
    assert "[intro/hello.md:17](https://github.com/example/workshops/blob/" in hello  # its heading
    only_other = source_of(out / "chapters/more/only-other.md.html")
    assert "Used by other.yml alone." in only_other


def test_chapter_page_links_outside_the_chapter_open_the_deck(built):
    _, out = built
    hello = source_of(out / "chapters/intro/hello.md.html")
    assert "name: toc-hello\nclass: title" in hello  # its title slide, as in the deck
    assert "[Back to table of contents](../../demo.yml.html#toc-part-1)" in hello
    assert "[Next chapter](../../demo.yml.html#toc-pictures)" in hello
    assert "- Back to [the contents](../../demo.yml.html#toc-part-1)" in hello
    page = (out / "chapters/intro/hello.md.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../../assets/deckwright.css">' in page
    assert "<title>Hello \u2014 Demo workshop</title>" in page


def test_chapter_page_pictures_point_up_to_the_site_root(built):
    _, out = built
    pictures = source_of(out / "chapters/intro/pictures.md.html")
    assert "![A dot](../../images/dot.svg)" in pictures
    assert '<img src="../../images/dot.svg" alt="A dot" width="60">' in pictures
    assert '<img srcset="../../images/dot.svg 2x" alt="Sharp"> <video poster="../../images/dot.svg">' in pictures
    assert '<object data="../../images/dot.svg"' in pictures and "[dot]: ../../images/dot.svg" in pictures
    assert "about the dot: ![The dot](../../images/dot.svg)" in pictures  # in the notes
    # A label defined in another chapter: its definition comes along, ending the last slide.
    assert "\n]\n\n\n[far-dot]: ../../images/dot.svg\n???\n" in pictures
    assert "`![not a picture](images/unused.svg)`" in pictures  # code is left alone
    assert (out / "chapters/intro/../../images/dot.svg").is_file()


def test_zip_bundles_hold_their_decks_and_what_they_need(built):
    _, out = built
    with zipfile.ZipFile(out / "slides.zip") as z:
        names = set(z.namelist())
        assert {"slides/demo.yml.html", "slides/images/dot.svg", "slides/assets/deckwright.css",
                "slides/assets/vendor/remark.min.js"} <= names
        assert not any("other.yml" in n or "chapters/" in n or n.endswith(".zip") for n in names)
        assert not any(n.endswith(".js") and "vendor/" not in n for n in names)  # no dev-server script
        assert z.read("slides/demo.yml.html") == (out / "demo.yml.html").read_bytes()
    with zipfile.ZipFile(out / "other-bundle.zip") as z:
        names = set(z.namelist())
        assert "other-bundle/other.yml.html" in names and "other-bundle/demo.yml.html" not in names
        assert "other-bundle/images/dot.svg" not in names  # other.yml shows no picture


def test_zip_is_the_same_file_when_rebuilt(content, built, tmp_path):
    _, out = built
    again = site.build_site(Project.at(content), ["demo.yml"], tmp_path, env={}, today=TODAY)
    assert again.zips == {"slides.zip": (out / "slides.zip").stat().st_size}
    assert (tmp_path / "slides.zip").read_bytes() == (out / "slides.zip").read_bytes()


def test_single_file_has_everything_inside(built):
    _, out = built
    page = (out / "single/demo.yml.html").read_text(encoding="utf-8")
    assert 'src="assets/' not in page and 'href="assets/' not in page
    assert "<style>" in page and ".remark-slide-content" in page  # deckwright.css, inline
    assert '<script src="data:text/javascript;base64,' in page  # remark, inline
    markdown = source_of(out / "single/demo.yml.html")
    assert "![A dot](data:image/svg+xml;base64," in markdown
    assert '<img src="data:image/svg+xml;base64,' in markdown
    assert '<img srcset="data:image/svg+xml;base64,' in markdown and "[dot]: data:image/svg+xml;base64," in markdown
    assert "images/dot.svg" not in markdown.replace("intro/pictures.md", "")


def test_zip_name_comes_from_the_manifest(content):
    workshop = Workshop.open(Project.at(content), {})
    demo, _ = workshop.load("demo.yml")
    other, _ = workshop.load("other.yml")
    assert (site.zip_name(demo), site.zip_name(other)) == ("slides.zip", "other-bundle.zip")


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="deckwright")
    site.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_command_line_prints_what_it_wrote(content, tmp_path, capsys):
    code = _run(["site", "--root", str(content), "--out", str(tmp_path), "--today", "2026-03-01"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "index.yaml:50:3: warning: 'slides: gone-selfpaced.yml.html' names no deck" in err
    assert f"chapter pages: 4 in {tmp_path}/chapters/" in out
    assert f"offline bundle: {tmp_path}/slides.zip" in out
    assert f"index: {tmp_path}/index.html, 8 workshops from index.yaml" in out
    assert not (tmp_path / "single").exists()


def test_a_bundle_line_counts_the_pictures_its_decks_load_from_the_network(tmp_path, capsys):
    content = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "title: Deck\nchapters:\n- a.md\n",
        "a.md": "# A\n\n![](https://example.com/a.png)\n\n---\n\n![again](https://example.com/a.png)\n\n"
                '<img src="//cdn.example.org/b.svg">\n\n`![](https://example.com/in-code.png)`\n',
    })
    assert _run(["site", "--root", str(content), "--out", str(tmp_path / "site")]) == 0
    line = next(li for li in capsys.readouterr().out.splitlines() if li.startswith("offline bundle:"))
    assert line.endswith("; 2 pictures of its decks load from the network, blank offline: "
                         "check --offline lists them)")


def test_command_line_strict_fails_on_index_warnings(content, tmp_path, capsys):
    code = _run(["site", "--root", str(content), "--out", str(tmp_path), "--strict", "demo.yml"])
    assert code == 1
    assert "index.yaml:50:3: error: 'slides: gone-selfpaced.yml.html'" in capsys.readouterr().err


def test_command_line_usage_errors(content, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        _run(["site", "--root", str(content), "--today", "March 3"])
    assert exc.value.code == 2
    assert "not a date (YYYY-MM-DD): 'March 3'" in capsys.readouterr().err
    assert _run(["site", "--root", str(tmp_path / "nowhere")]) == 2
    assert _run(["site", "--root", str(content), "missing.yml"]) == 2
    assert "missing.yml: error: no such manifest in " in capsys.readouterr().err


@pytest.mark.parametrize("rel", ["chapters/intro/hello.md.html", "assets/index.css", "slides.zip", "index.html"])
def test_a_full_disk_stops_the_site_with_one_message_at_the_file(content, tmp_path, capsys, monkeypatch, rel):
    """The disk fills up as the site writes `rel` (a chapter page, its style, the bundle, the index)."""
    real_open = os.open

    def full_disk(path, *args, **kwargs):
        if os.path.basename(path).startswith(f".{posixpath.basename(rel)}."):  # the file beside it
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(writer.os, "open", full_disk)
    out = tmp_path / "out"
    assert _run(["site", "--root", str(content), "--out", str(out), "--today", "2026-03-01"]) == 1
    printed, err = capsys.readouterr()
    assert [line for line in err.splitlines() if ": error: " in line] == [
        f"{out / rel}: error: cannot write: No space left on device"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not (out / "index.html").exists() and "index:" not in printed  # the site stops there


def test_a_site_folder_that_cannot_be_written_is_a_clear_error(content, tmp_path, capsys):
    """Under a regular file (chmod does not stop root): each deck fails, and the site's own files too."""
    (tmp_path / "file").write_text("a file, not a folder")
    out = tmp_path / "file" / "site"
    assert cli.main(["site", "--root", str(content), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert (f"{out / 'assets' / 'index.css'}: error: cannot write: {tmp_path / 'file'} is a file, "
            "not a folder") in err.splitlines()


def test_index_shows_the_time_stats_estimates_and_the_declared_length(make_project, tmp_path, capsys):
    """31 slides at 0.4 minute each: 12.4 minutes, which both commands show as 12."""
    slides = "\n---\n".join(f"## Slide {n}\n\ntext\n" for n in range(31))
    root = make_project({"deck.yml": "title: Deck\nduration: 1  day\ncontent:\n- a.md\n", "a.md": slides})
    assert cli.main(["stats", "--root", str(root), "deck.yml"]) == 0
    assert "31 slides shown (0 generated: 0 toc, 0 title, 0 picture; 0 extra details; 0 labs), about 0h12" \
        in capsys.readouterr().out
    out = tmp_path / "site"
    assert site.build_site(Project.at(root), None, out, env={}, today=TODAY).ok
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<td class="number">12 min<span class="planned">planned: 1 day</span></td>' in page


def test_pages_of_a_deck_that_fails_are_kept_and_named_once(tmp_path, capsys):
    """A deck that built last time fails now: its page, bundle, single file and the chapter
    page only it showed stay (nothing is lost) but the index no longer links them: said in
    one line. A file the site never wrote is not named."""
    root = tmp_path / "workshops" / "slides"
    shutil.copytree(FIXTURE, root)
    out = tmp_path / "site"
    argv = ["site", "--root", str(root), "--out", str(out), "--today", "2026-03-01", "--single-file"]
    assert _run(argv) == 0
    assert "kept from an earlier site" not in capsys.readouterr().out
    (out / "mine.html").write_text("the owner's own page")
    with (root / "more" / "only-other.md").open("a") as chapter:
        chapter.write("\n![broken](images/missing.svg)\n")
    assert _run(argv) == 1
    printed = capsys.readouterr().out.splitlines()
    stale = ["chapters/more/only-other.md.html", "other-bundle.zip", "other.yml.html", "single/other.yml.html"]
    assert [line for line in printed if line.startswith("kept")] == [
        "kept from an earlier site, no longer linked from the index: " + ", ".join(stale)]
    assert all((out / rel).is_file() for rel in stale + ["mine.html"])
    assert "other.yml.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_what_an_earlier_site_wrote_for_a_deck_and_this_one_does_not_is_removed(tmp_path, capsys):
    """A bundle renamed, a deck removed, single files no longer asked for: the files an earlier
    site wrote for them are removed (and said), not the owner's own; the index links what is left."""
    root = tmp_path / "workshops" / "slides"
    shutil.copytree(FIXTURE, root)
    out = tmp_path / "site"
    argv = ["site", "--root", str(root), "--out", str(out), "--today", "2026-03-01"]
    assert _run(argv + ["--single-file"]) == 0
    capsys.readouterr()
    (out / "mine.html").write_text("the owner's own page")
    other = root / "other.yml"
    other.write_text(other.read_text().replace("other-bundle.zip", "renamed.zip"))
    assert _run(argv + ["--single-file"]) == 0
    assert "removed, as no deck writes it now: other-bundle.zip" in capsys.readouterr().out.splitlines()
    assert (out / "renamed.zip").is_file() and not (out / "other-bundle.zip").exists()
    other.unlink()
    assert _run(argv + ["--single-file"]) == 0
    gone = ["chapters/more/only-other.md.html", "other.yml.html", "renamed.zip", "single/other.yml.html"]
    assert f"removed, as no deck writes it now: {', '.join(gone)}" in capsys.readouterr().out.splitlines()
    assert not any((out / rel).exists() for rel in gone)
    assert (out / "chapters/intro/hello.md.html").is_file()  # demo.yml shows it too
    assert _run(argv) == 0
    assert "removed, as no deck writes it now: single/demo.yml.html" in capsys.readouterr().out.splitlines()
    assert not (out / "single").exists()
    assert {"mine.html", "demo.yml.html", "slides.zip", "index.html"} <= {p.name for p in out.iterdir()}


def test_stale_files_are_named_on_one_line():
    names = [f"chapters/{n}.md.html" for n in range(10)]
    assert site.stale_line(names, shown=3) == (
        "kept from an earlier site, no longer linked from the index: "
        "chapters/0.md.html, chapters/1.md.html, chapters/2.md.html and 7 more")


def test_a_chapter_in_a_chapters_folder_gets_no_second_one(tmp_path, capsys):
    """The sample workshop keeps its chapters in `chapters/`: their pages are in the site's
    `chapters/` once (not `chapters/chapters/...`), unless another chapter has that page;
    each page's pictures and links still lead up to the site's top."""
    content = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "title: Deck\nchapters:\n- chapters/basics/intro.md\n- chapters/x.md\n- x.md\n",
        "chapters/basics/intro.md": "# Intro\n\n![](images/dot.svg)\n\n[the other X](#top-x)\n",
        "chapters/x.md": "# X in chapters\n",
        "x.md": "name: top-x\n\n# X at the top\n",
        "images/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    out = tmp_path / "site"
    assert _run(["site", "--root", str(content), "--out", str(out)]) == 0
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "chapters").rglob("*.html"))
    assert pages == ["chapters/basics/intro.md.html", "chapters/chapters/x.md.html", "chapters/x.md.html"]
    assert "# X at the top" in source_of(out / "chapters/x.md.html")
    assert "# X in chapters" in source_of(out / "chapters/chapters/x.md.html")
    intro = source_of(out / "chapters/basics/intro.md.html")
    assert "![](../../images/dot.svg)" in intro and "(../../deck.yml.html#top-x)" in intro
    assert (out / "images/dot.svg").is_file()


def test_links_to_a_page_whose_name_holds_url_characters_lead_to_it(tmp_path):
    """'#', '%' and spaces are fine in a manifest's name (so in its page's) and in a `zip`
    name; the index's links and a chapter page's links into the deck encode them."""
    content = write_files(tmp_path / "repo" / "slides", {
        "a #1 50%.yml": "title: Odd\nzip: odd%20%231.zip\nchapters:\n- one.md\n- two.md\n",
        "one.md": "# One\n\n[elsewhere](#away)\n",
        "two.md": "name: away\n\n# Away\n",
    })
    out = tmp_path / "site"
    assert _run(["site", "--root", str(content), "--out", str(out)]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="a%20%231%2050%25.yml.html"' in index and 'href="odd%20%231.zip"' in index
    assert (out / "a #1 50%.yml.html").is_file() and (out / "odd #1.zip").is_file()
    chapter = source_of(out / "chapters/one.md.html")
    assert "[elsewhere](../a%20%231%2050%25.yml.html#away)" in chapter


def test_a_zip_url_decoding_to_a_nul_gets_the_default_bundle(tmp_path):
    """'%00' in a `zip` URL decodes to a NUL, which no file name may hold: the bundle is
    slides.zip, as for a name holding '/' ('%2F'); the site stopped on a ValueError traceback."""
    content = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "title: Deck\nzip: a%00b.zip\nchapters:\n- one.md\n",
        "one.md": "# One\n",
    })
    out = tmp_path / "site"
    assert _run(["site", "--root", str(content), "--out", str(out)]) == 0
    assert (out / "slides.zip").is_file()


@pytest.mark.parametrize("url, named, why", [
    ("a%2Fb.zip", " names the file 'a/b.zip'", "a file's name holds no '/' or '\\' ('%2F', '%5C')"),
    ("https://x.example/a%00b.zip", " names the file 'a\\x00b.zip'", "a file's name holds no NUL character ('%00')"),
    ("https://x.example/.deck.zip", " names the file '.deck.zip'",
     "a name starting with '.' is a hidden file (or a folder above)"),
    ("https://x.example/deck.tar.gz", " names the file 'deck.tar.gz'", "a bundle's name ends in .zip"),
    ("https://x.example/downloads/", "", "the address ends with a folder, not a file"),
])
def test_a_zip_url_no_bundle_can_be_named_after_is_a_warning_at_its_line(tmp_path, capsys, url, named, why):
    """The bundle of a manifest whose `zip` names no file the site may write is slides.zip:
    said at the `zip` line (the deck's @@ZIP@@ gives the address as written, where no bundle
    is); --strict fails on it. Set by OVERRIDE_zip, it is said at the manifest."""
    content = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": f"title: Deck\nslides: https://x.example/\nzip: {url}\nchapters:\n- one.md\n",
        "one.md": "# One\n\n[Download](@@ZIP@@)\n",
    })
    out = tmp_path / "site"
    assert _run(["site", "--root", str(content), "--out", str(out)]) == 0
    assert (out / "slides.zip").is_file()
    expected = (f"deck.yml:3:6: warning: 'zip' '{url}'{named}, which cannot be the deck's offline bundle: "
                f"{why}; `deckwright site` writes the bundle as slides.zip instead (the index links that), "
                "so the deck's @@ZIP@@ address leads to no bundle")
    assert expected in capsys.readouterr().err.splitlines()
    assert _run(["site", "--root", str(content), "--out", str(out), "--strict"]) == 1
    assert "deck.yml:3:6: error: 'zip'" in capsys.readouterr().err


def test_a_zip_url_set_from_the_environment_is_said_at_the_manifest(tmp_path):
    content = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "title: Deck\nzip: good.zip\nchapters:\n- one.md\n", "one.md": "# One\n"})
    result = site.build_site(Project.at(content), None, tmp_path / "site", env={"OVERRIDE_zip": "a%2Fb.zip"})
    assert [str(p).split(":")[0:2] for p in result.problems] == [["deck.yml", " warning"]]
    assert str(result.problems[0]).startswith("deck.yml: warning: OVERRIDE_zip (set in the environment) 'a%2Fb.zip'")
    result = site.build_site(Project.at(content), None, tmp_path / "site", env={})
    assert result.problems == [] and list(result.zips) == ["good.zip"]


def test_titles_written_with_html_read_as_text_in_tabs_and_the_index(tmp_path):
    """A title is HTML in its slides (`@@TITLE@@`: `&mdash;` shows as a dash, `<br/>` breaks
    the line): the browser's tab, the index and chapter pages showed `&mdash;` and `<br/>`."""
    root = write_files(tmp_path / "slides", {
        "deck.yml": 'title: "Docker &mdash; <br/>l&#39;atelier"\ncontent:\n- - a.md\n',
        "a.md": "# Bonjour &amp; bienvenue\n\nText\n",
    })
    out = tmp_path / "site"
    result = site.build_site(Project.at(root), None, out, env={}, today=TODAY)
    assert result.ok
    assert "<title>Docker \u2014 l&#39;atelier</title>" in (out / "deck.yml.html").read_text(encoding="utf-8")
    chapter = (out / "chapters" / "a.md.html").read_text(encoding="utf-8")
    assert "<title>Bonjour &amp; bienvenue \u2014 Docker \u2014 l&#39;atelier</title>" in chapter
    assert ">Docker \u2014 l&#39;atelier</a>" in (out / "index.html").read_text(encoding="utf-8")
