"""Each user mistake gives one clear message at its file and line (text and place tested)."""

from __future__ import annotations

import json

import pytest

from deckwright import cli
from deckwright.builder import build
from deckwright.reader import Project

from .conftest import write_files

CHAPTER = "# Chapter\n\nText\n"


def problems(tmp_path, files: dict[str, str]) -> list[str]:
    root = write_files(tmp_path / "repo" / "slides", files)
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    return [str(p).split("\n")[0] for p in result.problems]


@pytest.mark.parametrize(
    "manifest, expected",
    [
        (
            "title: Kubernetes\n  chat: none\ncontent: [a.md]\n",
            "deck.yml:2:7: error: invalid YAML: mapping values are not allowed",
        ),
        ('title: "unclosed\ncontent: [a.md]\n', "deck.yml:3:1: error: invalid YAML: found unexpected end of stream"),
        ("title: [a, b]\ncontent: [a.md]\n", "deck.yml:1:8: error: 'title' must be text, not a list"),
        ("content: a.md\n", "deck.yml:1:10: error: 'content' must be a list, not a value"),
        ("title: x\n", "deck.yml:1: error: the manifest has no 'content' list"),
        ("title: x\ncontent: []\n", "deck.yml:2:10: error: 'content' lists no chapters"),
        ("content:\n- - []\n", "deck.yml:2:1: error: 'content' lists no chapters"),
        ("exclude: [x]\ncontent:\n- hidden.md\n",
         "deck.yml:1: error: the deck has no slides: its chapters are empty, or every slide is excluded"),
        ("content:\n- a.md\n- missing.md\n", "deck.yml:3:3: error: chapter file 'missing.md' does not exist"),
        ("content:\n- a.md\n- - a.md\n", "deck.yml:3:5: error: chapter 'a.md' is listed twice (first at line 2)"),
        ("content:\n- ../outside.md\n", "deck.yml:2:3: error: chapter path '../outside.md' leaves the content folder"),
        ("content:\n- a.md\n- {x: 1}\n", "deck.yml:3:3: error: a content item must be a chapter path or Markdown text"),
        ("- a.md\n", "deck.yml:1: error: a manifest must be a YAML mapping"),
        ("exclude: {a: 1}\ncontent: [a.md]\n", "deck.yml:1:10: error: 'exclude' must be a list of class names"),
    ],
)
def test_manifest_errors(tmp_path, manifest, expected):
    # (libyaml and pure-Python PyYAML end some messages differently: compare the start)
    found = problems(tmp_path, {"deck.yml": manifest, "a.md": CHAPTER, "hidden.md": "class: x\n\nHidden\n"})
    assert any(p.startswith(expected) for p in found), found


def test_every_manifest_problem_is_reported_at_once(tmp_path):
    found = problems(
        tmp_path,
        {"deck.yml": "title: [x]\ncolour: red\ncontent:\n- nope.md\n- a.md\n- a.md\n", "a.md": CHAPTER},
    )
    assert found == [
        "deck.yml:1:8: error: 'title' must be text, not a list",
        "deck.yml:4:3: error: chapter file 'nope.md' does not exist",
        "deck.yml:6:3: error: chapter 'a.md' is listed twice (first at line 5)",
        "deck.yml:2:1: warning: unknown key 'colour' is ignored",
    ]


@pytest.mark.parametrize(
    "chapter, expected",
    [
        ("# A\n---\nText\n```bash\nls\n---\nmore\n", "a.md:4: error: code fence is never closed"),
        ("# A\n.lab[\n```\necho\n]\n", "a.md:3: error: code fence is never closed"),
        ("# A\n\n@@INCLUDE[nothere.yaml]\n", "a.md:3: error: @@INCLUDE[nothere.yaml]: no such file"),
        ("# A\n\n@@INCLUDE[../../etc/passwd]\n", "a.md:3: error: @@INCLUDE[../../etc/passwd] leaves the repository"),
        ("# A\n\n@@INCLUDE[/etc/passwd]\n", "a.md:3: error: @@INCLUDE[/etc/passwd] leaves the repository"),
        ("# A\n\n![pic](images/gone.png)\n", "a.md:3: error: picture 'images/gone.png' does not exist"),
        ("# A\n\nSee @@TYPO@@\n", "a.md:3: warning: unknown directive @@TYPO@@ is left as it is"),
        ("# A\n\n[elsewhere](#nowhere)\n", "a.md:3: warning: link to #nowhere: no slide of deck.yml.html is named so"),
    ],
)
def test_chapter_problems(tmp_path, chapter, expected):
    assert expected in problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})


@pytest.mark.parametrize(
    "raw",
    [
        b"# A\n\nok\ncaf\xe9\n",
        b"\xef\xbb\xbf# A\n\nok\ncaf\xe9\n",  # a BOM before: not counted in the line, nor the byte
        b"# A\r\n\r\nok\r\ncaf\xe9\r\n",  # CRLF line ends
        b"# A\r\rok\rcaf\xe9\r",  # lone CR line ends (as the build reads them)
    ],
)
def test_invalid_utf8_names_its_line(tmp_path, raw):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content:\n- a.md\n"})
    (root / "a.md").write_bytes(raw)
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == ["a.md:4: error: not valid UTF-8 (byte 0xe9)"]


@pytest.mark.parametrize("command", [
    ["build", "--out", "OUT"], ["site", "--out", "OUT"], ["check"], ["check", "--format", "json"],
    ["stats"], ["stats", "--format", "json"],
])
@pytest.mark.parametrize("broken, expected", [
    ("not UTF-8", "interstitials.txt:1: error: not valid UTF-8 (byte 0xff)"),
    ("a link out of the folder", "interstitials.txt:1: error: path leaves the content folder"),
])
def test_an_unreadable_interstitials_txt_fails_every_command_with_one_message(tmp_path, capsys, command,
                                                                               broken, expected):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content:\n- a.md\n", "a.md": CHAPTER,
                                                      "images/a.png": "(a picture it may name)"})
    if broken == "not UTF-8":
        (root / "interstitials.txt").write_bytes(b"images/a.png\xff\n")
    else:
        (tmp_path / "outside.txt").write_text("images/a.png\n")
        (root / "interstitials.txt").symlink_to(tmp_path / "outside.txt")
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    assert cli.main([*args, "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    if "json" in command:
        data = json.loads(out)
        found = [f"{p['path']}:{p['line']}: {p['severity']}: {p['message']}"
                 for p in data.get("findings", data.get("problems"))]
        assert found == [expected]
    else:
        assert (out + err).count(expected) == 1 and "warning:" not in out + err, out + err


def test_include_cycle_is_refused(tmp_path):
    files = {
        "deck.yml": "content:\n- a.md\n",
        "a.md": "# A\n\n@@INCLUDE[slides/b.txt]\n",
        "b.txt": "one\n@@INCLUDE[slides/b.txt]\n",
    }
    assert "b.txt:2: error: @@INCLUDE[slides/b.txt] includes itself" in problems(tmp_path, files)


def test_bad_yaml_shows_the_offending_line(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "title: Kubernetes\n  chat: none\n"})
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert str(result.problems[0]).split("\n")[1].strip() == "chat: none"
