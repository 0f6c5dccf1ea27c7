"""The command line in two layers: argument handling (build mocked), then real builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from deckwright import builder, cli
from deckwright.stamps import Cleared

from .conftest import REPO, write_files

GOOD = {"good.yml": "title: Good\ncontent:\n- - a.md\n", "a.md": "# A\n\nHello\n---\nMore\n"}


def test_build_arguments_reach_the_builder(monkeypatch, tmp_path):
    calls = []

    def fake_build(project, manifests, out, env=None, strict=False, jobs=1, reuse=False):
        calls.append((project.root, manifests, out, strict, jobs, reuse))
        return builder.Built([], Cleared(), None)

    root = write_files(tmp_path / "slides", GOOD)
    monkeypatch.setattr(builder, "build_into", fake_build)
    assert cli.main(["build", "--root", str(root), "--out", "site", "--strict", "good.yml"]) == 0
    assert cli.main(["build", "--root", str(root), "--force", "--jobs", "3"]) == 0
    assert calls == [
        (root.resolve(), ["good.yml"], "site", True, cli.default_jobs(), True),
        (root.resolve(), [], "dist", False, 3, False),
    ]
    with pytest.raises(SystemExit):
        cli.main(["build", "--jobs", "many"])


def test_usage_errors_exit_2(tmp_path, capsys):
    assert cli.main(["build", "--root", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert cli.main(["build", "--root", str(tmp_path)]) == 2
    assert "no *.yml manifest" in capsys.readouterr().err
    root = write_files(tmp_path / "slides", GOOD)
    assert cli.main(["build", "--root", str(root), "missing.yml"]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--no-such-option"])
    assert exc.value.code == 2


COMMANDS = ["build", "serve", "site", "pdf", "check", "stats"]  # each takes [MANIFEST ...] [--root DIR]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_content_folder_is_that_of_the_manifests_named(tmp_path, monkeypatch, command):
    root = write_files(tmp_path / "repo" / "slides", GOOD)
    write_files(tmp_path / "repo" / "other", GOOD)
    monkeypatch.chdir(tmp_path / "repo")  # the repository's top, above the content folder

    def opened(*argv: str) -> tuple:
        args = cli._parser(command).parse_args([command, *argv])
        project, manifests = cli.open_project(args)
        return project.root, manifests

    assert opened("slides/good.yml") == (root.resolve(), ["good.yml"])
    assert opened("slides/good.yml", "./slides/../slides/good.yml") == (root.resolve(), ["good.yml"] * 2)
    assert opened("--root", ".", "slides/good.yml") == ((tmp_path / "repo").resolve(), ["slides/good.yml"])
    monkeypatch.chdir(root)
    assert opened("good.yml") == (root.resolve(), ["good.yml"])
    assert opened() == (root.resolve(), [])


def test_a_manifest_named_by_a_symbolic_link_is_read_from_its_own_folder(tmp_path, monkeypatch):
    root = write_files(tmp_path / "repo" / "slides", GOOD)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link.yml").symlink_to(root / "good.yml")
    monkeypatch.chdir(tmp_path / "elsewhere")
    args = cli._parser("build").parse_args(["build", "link.yml"])
    project, manifests = cli.open_project(args)
    assert (project.root, manifests) == (root.resolve(), ["good.yml"])


def test_a_manifest_named_with_root_is_the_one_in_the_content_folder(tmp_path, monkeypatch):
    # Both ./good.yml and content/good.yml exist: with --root content, the second is meant.
    root = write_files(tmp_path / "content", GOOD)
    write_files(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    args = cli._parser("build").parse_args(["build", "--root", "content", "good.yml"])
    project, manifests = cli.open_project(args)
    assert (project.root, manifests) == (root.resolve(), ["good.yml"])


@pytest.mark.parametrize("command", COMMANDS)
def test_manifests_named_in_several_folders_need_root(tmp_path, monkeypatch, capsys, command):
    write_files(tmp_path / "slides", GOOD)
    write_files(tmp_path / "other", GOOD)
    monkeypatch.chdir(tmp_path)
    assert cli.main([command, "slides/good.yml", "other/good.yml"]) == 2
    assert capsys.readouterr().err == (
        "deckwright: error: the manifests named are in several folders (slides, other): "
        "pass --root DIR, the content folder they are in\n")
    assert cli.main([command, "nowhere/good.yml"]) == 2
    assert capsys.readouterr().err == "nowhere/good.yml: error: no such manifest (nowhere is not a folder)\n"


@pytest.mark.parametrize("command", ["build", "site", "serve", "pdf"])
def test_an_out_that_is_a_file_is_a_usage_error(tmp_path, capsys, command):
    root = write_files(tmp_path / "slides", GOOD)
    (tmp_path / "notes.txt").write_text("mine\n")
    out = str(tmp_path / "notes.txt")
    assert cli.main([command, "--root", str(root), "--out", out]) == 2
    assert capsys.readouterr() == ("", f"deckwright: error: --out {out} is a file, not a folder\n")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


@pytest.mark.parametrize("command", ["build", "site", "pdf"])
def test_an_empty_out_is_a_usage_error(tmp_path, monkeypatch, capsys, command):
    # `--out "$DIST"` with DIST unset in a CI script wrote the decks and assets/ into the
    # current folder (the repository's top), as if `--out .` had been given.
    root = write_files(tmp_path / "slides", GOOD)
    monkeypatch.chdir(tmp_path)
    assert cli.main([command, "--root", str(root), "--out", ""]) == 2
    assert capsys.readouterr() == ("", ("deckwright: error: --out is empty: name the output folder "
                                       "('.' for the current one)\n"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slides"]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_root_is_a_usage_error(tmp_path, monkeypatch, capsys, command):
    # `--root "$CONTENT"` with CONTENT unset took the current folder's *.yml for manifests.
    write_files(tmp_path, {"docker-compose.yml": "services: {}\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.main([command, "--root", ""]) == 2
    assert capsys.readouterr().err == ("deckwright: error: --root is empty: name the content folder "
                                       "('.' for the current one)\n")


def test_a_build_from_the_repository_top_finds_pictures_and_includes(tmp_path, monkeypatch, capsys):
    write_files(tmp_path, {"slides/inc.md": "Outside the repository\n"})  # above its top
    repo = tmp_path / "repo"
    write_files(repo, {"slides/deck.yml": "content:\n- chapters/a.md\n",
                       "slides/chapters/a.md": "# A\n\n![p](images/p.svg)\n\n@@INCLUDE[slides/inc.md]\n",
                       "slides/images/p.svg": "<svg/>", "slides/inc.md": "Included\n"})
    monkeypatch.chdir(repo)
    assert cli.main(["build", "slides/deck.yml", "--out", str(tmp_path / "dist")]) == 0
    assert "1 built, 0 failed, 0 warnings" in capsys.readouterr().out
    assert (tmp_path / "dist" / "images" / "p.svg").is_file()
    page = (tmp_path / "dist" / "deck.yml.html").read_text()
    assert "Included" in page and "Outside" not in page


def test_a_layout_slide_is_not_counted_as_shown(tmp_path, capsys):
    # remark does not show a `layout: true` slide: it puts its text before each later one.
    root = write_files(tmp_path / "slides", {
        "deck.yml": "title: T\ncontent:\n- a.md\n",
        "a.md": "# L\n---\nlayout: true\n.footnote[x]\n---\nA\n---\nB\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "dist")]) == 0
    built = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("built ")]
    assert [words[:4] for words in built] == [["built", "deck.yml.html", "3", "slides"]]


def test_one_bad_deck_fails_the_build_but_not_the_others(tmp_path, capsys):
    root = write_files(
        tmp_path / "slides",
        {**GOOD, "bad.yml": "content:\n- - a.md\n- - gone.md\n"},
    )
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "bad.yml:3:5: error: chapter file 'gone.md' does not exist" in printed.err
    assert "Traceback" not in printed.err
    assert "good.yml.html" in printed.out and "1 built, 1 failed" in printed.out
    assert sorted(p.name for p in out.glob("*.html")) == ["good.yml.html"]
    assert not list(out.rglob("*.tmp")), "no half-written files are left"


def test_every_failed_deck_says_why_though_a_shared_error_is_printed_once(tmp_path, capsys):
    root = write_files(tmp_path / "slides", {
        "one.yml": "title: One\ncontent:\n- - a.md\n",
        "two.yml": "title: Two\ncontent:\n- - a.md\n  - b.md\n",
        "a.md": "# A\n\n```\nopen\n",
        "b.md": "# B\n\n.lab[\n\n- do this\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err.count("a.md:3: error: code fence is never closed") == 1
    assert "FAILED one.yml (a.md:3: code fence is never closed, as above)" in err
    assert "FAILED two.yml (a.md:3: code fence is never closed, and 1 more error, as above)" in err


def test_a_chapter_error_does_not_hide_the_decks_other_problems(tmp_path, capsys):
    # One push shows a CI user all there is to fix, not one error at a time.
    root = write_files(tmp_path / "slides", {
        **GOOD,
        "a.md": "# A\n\n![p](gone.png)\n\n@@TYPO@@\n---\nname: x\n\n[go](#nowhere)\n---\nname: x\n\n```\nopen\n",
    })
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    assert [line for line in capsys.readouterr().err.splitlines() if ": " in line and line[0] != " "] == [
        "a.md:3: error: picture 'gone.png' does not exist",
        ("a.md:11: error: slide name 'x' is also the name of the slide at a.md:7: "
         "remark sends every #x link to the last of them"),
        "a.md:13: error: code fence is never closed",
        "a.md:5: warning: unknown directive @@TYPO@@ is left as it is",
        "a.md:9: warning: link to #nowhere goes nowhere: no slide of this deck is named so",
        "FAILED good.yml (a.md:3: picture 'gone.png' does not exist, and 2 more errors, as above)",
    ]
    assert not (out / "good.yml.html").exists()


def test_strict_fails_on_warnings_and_writes_nothing(tmp_path, capsys):
    root = write_files(tmp_path / "slides", {**GOOD, "a.md": "# A\n\n@@TYPO@@\n"})
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 0
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "strict"), "--strict"]) == 1
    assert "a.md:3: error: unknown directive @@TYPO@@" in capsys.readouterr().err
    assert not (tmp_path / "strict" / "good.yml.html").exists()


def test_a_failed_rebuild_keeps_the_previous_deck(tmp_path):
    root = write_files(tmp_path / "slides", GOOD)
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 0
    before = (out / "good.yml.html").read_text()
    (root / "a.md").write_text("# A\n\n```\nunclosed\n")
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    assert (out / "good.yml.html").read_text() == before


def test_brackets_left_open_fail_the_build_at_their_line_in_an_included_file_too(tmp_path, capsys):
    # remark would show '.lab[' as text (or run it into a later chapter), and merge the
    # slides that '.exercise[' runs over: both are errors, at the opener's file and line.
    root = write_files(tmp_path / "slides", {
        **GOOD,
        "a.md": "# A\n\n---\n\n.lab[\n\n- do this\n",
        "b.md": "# B\n\n@@INCLUDE[slides/part.md]\n",
        "part.md": "Intro\n\n.exercise[\n\n- one\n---\n- two ]\n",
        "good.yml": "title: Good\ncontent:\n- - a.md\n  - b.md\n",
    })
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert ("a.md:5: error: '.lab[' is not closed on its slide: remark shows it as text, or takes "
            "the slides after it into the block up to some later ']'\n    .lab[\n") in printed.err
    assert ("part.md:3: error: '.exercise[' is not closed on its slide: its ']' is at line 7, so "
            "remark takes 1 separator(s) ('---', '--', '???') into the block\n    .exercise[\n") in printed.err
    assert "0 built, 1 failed" in printed.out and not (out / "good.yml.html").exists()


def test_python_m_deckwright_and_build_py(tmp_path):
    help_text = subprocess.run(
        [sys.executable, "-m", "deckwright", "build", "--help"], capture_output=True, text=True, check=False
    )
    assert help_text.returncode == 0 and "--strict" in help_text.stdout
    out = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "build.py", "--out", str(out), "--strict"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    manifests = sorted(p.name for p in (REPO / "slides").glob("*.yml"))
    assert len(manifests) >= 2
    for name in manifests:
        assert (out / f"{name}.html").is_file()
    assert (out / "assets" / "vendor" / "remark.min.js").is_file()
    assert (out / "assets" / "deckwright.css").is_file()


def test_a_copy_installed_without_e_carries_its_templates_and_assets(tmp_path):
    """`pip install .` (a wheel): the package alone, away from this repository's templates/
    and assets/ (it stopped on a traceback, 'remark.html' not found). The package is laid
    out by setuptools from pyproject.toml, as in a wheel, without a network."""
    pytest.importorskip("setuptools")
    src, lib = tmp_path / "src", tmp_path / "lib"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for name in ("deckwright", "templates", "assets"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    laid = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()",
                           "-q", "build_py", "--build-lib", str(lib)],
                          cwd=src, capture_output=True, text=True, check=False)
    assert laid.returncode == 0, laid.stderr
    root = write_files(tmp_path / "slides", GOOD)
    env = {**os.environ, "PYTHONPATH": str(lib)}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=False)

    assert run("-c", "import deckwright; print(deckwright.__file__)").stdout.startswith(str(lib))
    for command in ("build", "site"):
        done = run("-m", "deckwright", command, "--root", str(root), "--out", str(tmp_path / command))
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        for page in ("good.yml.html", "assets/deckwright.css", "assets/vendor/remark.min.js"):
            assert (tmp_path / command / page).is_file()
    assert 'href="assets/index.css"' in (tmp_path / "site" / "index.html").read_text()


def test_build_py_builds_this_repositorys_slides_from_any_folder(tmp_path):
    out = tmp_path / "site"
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.html")) == sorted(
        f"{p.name}.html" for p in (REPO / "slides").glob("*.yml"))


# Ctrl-C as the command starts, before it runs: here as the builder is imported (the
# longest part of starting), through each way of running deckwright.
CTRL_C_ON_IMPORT = """
import runpy, sys

class CtrlC:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "deckwright.builder":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC)
entry = sys.argv.pop(1)
if entry == "deckwright":  # what the installed command runs
    from deckwright.cli import main
    sys.exit(main())
elif entry == "-m":
    runpy.run_module("deckwright", run_name="__main__", alter_sys=True)
else:
    runpy.run_path(entry, run_name="__main__")
"""


@pytest.mark.parametrize("entry", ["deckwright", "-m", "build.py"])
def test_ctrl_c_as_deckwright_starts_prints_one_line(tmp_path, entry):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", CTRL_C_ON_IMPORT, entry, "build", "--root", str(tmp_path)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (130, "deckwright: interrupted\n")


def test_sample_decks_share_chapters(tmp_path):
    """The sample has an in-person day and a self-paced variant sharing chapters."""
    import yaml

    decks = [yaml.safe_load(p.read_text()) for p in sorted((REPO / "slides").glob("*.yml"))]

    def chapters(manifest: dict) -> set[str]:
        items, found = list(manifest.get("content") or manifest.get("chapters")), set()
        while items:
            item = items.pop()
            if isinstance(item, list):
                items += item
            elif "\n" not in item:
                found.add(item)
        return found

    shared = set.intersection(*(chapters(d) for d in decks))
    assert len(shared) >= 5
    assert {tuple(d.get("exclude", [])) for d in decks} >= {("self-paced",), ("in-person",)}


def test_the_guide_gives_the_deckwright_command_before_this_repositorys_build_py():
    """A trainer's own course has no build.py: a slide of the guide naming it names
    `deckwright build --root slides` first."""
    import re

    for chapter in sorted((REPO / "slides" / "chapters").glob("*.md")):
        for slide in re.split(r"^---$", chapter.read_text(encoding="utf-8"), flags=re.MULTILINE):
            if "build.py" in slide:
                general = slide.find("deckwright build --root slides")
                assert 0 <= general < slide.index("build.py"), (chapter.name, slide)


def test_the_guides_example_messages_are_what_the_build_prints(tmp_path, capsys):
    """'When something is wrong' (slides/chapters/build.md) shows three messages for three
    typos in this workshop: each is printed word for word, at its line, when made."""
    import re

    text = (REPO / "slides" / "chapters" / "build.md").read_text(encoding="utf-8")
    slide = text[text.index("## When something is wrong"):]
    shown = re.search(r"```\n(.*?)\n```", slide, re.DOTALL).group(1).splitlines()
    root = tmp_path / "repo" / "slides"
    shutil.copytree(REPO / "slides", root)
    # The typos the messages are about: a chapter, a picture and a slide name misspelled.
    for rel, right, wrong in [("intro-fullday.yml", "chapters/welcome.md", "chapters/welcom.md"),
                              ("chapters/pictures-and-links.md", "(images/end.svg)", "(images/ned.svg)"),
                              ("chapters/slides.md", "(#toc-pictures-and-links)", "(#slide-propertis)")]:
        path = root / rel
        assert path.read_text(encoding="utf-8").count(right) == 1, (rel, right)
        path.write_text(path.read_text(encoding="utf-8").replace(right, wrong), encoding="utf-8")
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr().err.splitlines()
    assert len(shown) == 3 and [line for line in shown if line not in printed] == []


@pytest.mark.parametrize("command", [["build"], ["check"], ["stats"], ["stats", "--where-used", "a.md"]])
def test_output_into_a_closed_pipe_ends_quietly(tmp_path, command):
    """`deckwright stats | head -1`: once the reader has what it wants and is gone, the
    command stops without a traceback (it printed one, 'BrokenPipeError'), as a shell
    tool stopped by SIGPIPE does (status 141)."""
    root = write_files(tmp_path / "slides", GOOD)
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "deckwright", *command, "--root", str(root)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    reader_gone.stdout.close()  # before the command writes anything
    err = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=60) == 141 and "Traceback" not in err and "Exception" not in err, err


def test_deck_lines_line_up_with_wide_page_names(tmp_path, capsys):
    """The slide counts of `built` and `kept` lines stand in one column when a page's name
    holds characters a terminal shows two columns wide (CJK, emoji)."""
    from .test_stats import shown_width

    root = write_files(tmp_path / "slides", {
        "good.yml": GOOD["good.yml"], "ワークショップ.yml": GOOD["good.yml"], "a.md": GOOD["a.md"],
    })
    for _ in range(2):  # built, then kept
        assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "dist")]) == 0
        lines = [line for line in capsys.readouterr().out.splitlines() if " slides " in line]
        assert len(lines) == 2 and any("ワークショップ" in line for line in lines), lines
        assert len({shown_width(line.split(" slides ")[0]) for line in lines}) == 1, lines


def test_a_decks_page_says_the_language_its_manifest_gives(tmp_path, capsys, monkeypatch):
    """`lang: fr`: screen readers read the page in French, browsers hyphenate and offer to
    translate from it; every page said it was English. Without `lang`, the page is English."""
    root = write_files(tmp_path / "slides", {
        "fr.yml": "title: Atelier\nlang: fr\ncontent:\n- - a.md\n",
        "en.yml": GOOD["good.yml"],
        "bad.yml": "title: Bad\nlang: français\ncontent:\n- - a.md\n",
        "a.md": GOOD["a.md"],
    })
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(root), "--out", str(out)]) == 1
    assert '<html lang="fr">' in (out / "fr.yml.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (out / "en.yml.html").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert ("bad.yml:2:7: error: 'lang' must be a language tag, as 'en', 'fr' or 'pt-BR', "
            "not 'français'") in err, err
    monkeypatch.setenv("OVERRIDE_lang", "de")
    assert cli.main(["build", "--root", str(root), "--out", str(out), "en.yml"]) == 0
    assert '<html lang="de">' in (out / "en.yml.html").read_text(encoding="utf-8")


def test_a_private_use_or_grandfathered_language_tag_is_one(tmp_path, capsys):
    """BCP 47 allows private-use tags, alone (`x-klingon`) or after a language (`en-x-custom`),
    and keeps a few tags from before it (`i-klingon`): the manifest's `lang` rejected the
    first and the last. A tag not so made is still an error, at its line."""
    tags = ["x-klingon", "en-x-custom", "i-klingon", "zh-Hant-TW", "es-419", "de-CH-1996", "x-", "en-", "i-foo"]
    root = write_files(tmp_path / "slides", {"a.md": GOOD["a.md"]} | {
        f"{i}.yml": f"title: T\nlang: {tag}\ncontent:\n- - a.md\n" for i, tag in enumerate(tags)})
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "dist")]) == 1
    for i, tag in enumerate(tags[:6]):
        assert f'<html lang="{tag}">' in (tmp_path / "dist" / f"{i}.yml.html").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "error" in line] == [
        f"{i}.yml:2:7: error: 'lang' must be a language tag, as 'en', 'fr' or 'pt-BR', not '{tag}'"
        for i, tag in enumerate(tags) if i >= 6]
