"""Each user mistake gives one clear message at its file and line (text and place tested)."""

from __future__ import annotations

import json

import pytest

from deckwright import cli
from deckwright.builder import build
from deckwright.check import check
from deckwright.model import SourceLoc
from deckwright.reader import Project
from deckwright.site import build_site

from .conftest import write_files
from .test_stamps import age

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
        # a nested list written under a chapter instead of after a '- ': YAML joins the lines
        ("content:\n- a.md\n  - b.md\n", ("deck.yml:2:3: error: chapter file 'a.md - b.md' does not "
         "exist: YAML reads lines 2 to 3 as one path (a line indented under an item goes on with it; "
         "a part is written '- - first.md', its next chapters '  - next.md' under it)")),
        ("content:\n- a.md\n- - a.md\n", "deck.yml:3:5: error: chapter 'a.md' is listed twice (first at line 2)"),
        ("content:\n- ../outside.md\n", "deck.yml:2:3: error: chapter path '../outside.md' leaves the content folder"),
        ("content:\n- a.md\n- {x: 1}\n", "deck.yml:3:3: error: a content item must be a chapter path or Markdown text"),
        ("- a.md\n", "deck.yml:1: error: a manifest must be a YAML mapping"),
        ("exclude: {a: 1}\ncontent: [a.md]\n", "deck.yml:1:10: error: 'exclude' must be a list of class names"),
        # exclude names classes: a number, true or an empty item leaves the slides in
        ("exclude: 5\ncontent: [a.md]\n", "deck.yml:1:10: error: 'exclude' must be a class name or a list of them, not 5"),
        ("exclude: true\ncontent: [a.md]\n",
         "deck.yml:1:10: error: 'exclude' must be a class name or a list of them, not true"),
        ("exclude: [null, x]\ncontent: [a.md]\n", "deck.yml:1:11: error: 'exclude' items must be class names, not null"),
        ("exclude: [x, 1.5]\ncontent: [a.md]\n", "deck.yml:1:14: error: 'exclude' items must be class names, not 1.5"),
        ("exclude:\n- x\n-\ncontent: [a.md]\n",
         "deck.yml:3:2: error: 'exclude' items must be class names, not an empty item"),
        ("exclude: ['']\ncontent: [a.md]\n", "deck.yml:1:11: error: 'exclude' items must be class names, not ''"),
        ("exclude: ['in person']\ncontent: [a.md]\n",
         "deck.yml:1:11: error: 'exclude' items must be class names, not 'in person' (a class name has no spaces"),
        ("exclude: self-paced, in person\ncontent: [a.md]\n",
         "deck.yml:1:10: error: 'exclude' names classes between commas: 'in person' is no class name"),
        # YAML keeps the last of two keys: the first would be lost without a word
        ("content: [hidden.md]\ntitle: T\ncontent: [a.md]\n",
         "deck.yml:3:1: error: key 'content' is given twice (first at line 1)"),
        ("title: A\ncontent: [a.md]\ntitle: B\n", "deck.yml:3:1: error: key 'title' is given twice (first at line 1)"),
        ("x: &d {title: A}\n<<: *d\n<<: *d\ncontent: [a.md]\n",
         "deck.yml:3:1: error: key '<<' is given twice (first at line 2)"),
        ("content: [a.md]\n? [a, b]\n: 1\n", "deck.yml:2:3: error: a key must be a name, not a list"),
        ("<<: 5\ncontent: [a.md]\n", "deck.yml:1:5: error: '<<' merges a mapping or a list of mappings, not a value"),
        ("<<: &d {title: A, <<: *d}\ncontent: [a.md]\n", "deck.yml:1:5: error: a mapping cannot merge itself"),
    ],
)
def test_manifest_errors(tmp_path, manifest, expected):
    # (libyaml and pure-Python PyYAML end some messages differently: compare the start)
    found = problems(tmp_path, {"deck.yml": manifest, "a.md": CHAPTER, "hidden.md": "class: x\n\nHidden\n"})
    assert any(p.startswith(expected) for p in found), found


ONE_DAY = (  # line 12 opens a list that nothing closes
    "title: One day\ncontent:\n- shared/title.md\n- - a.md\n  - b.md\n- - c.md\n  - d.md\n  - e.md\n"
    "  - f.md\n  - g.md\n- - h.md\n  - [oops \"ACME &mdash; \"\n  - i.md\n- - j.md\n  - k.md\n"
)


@pytest.mark.parametrize(
    "manifest, where, started",
    [
        (ONE_DAY, "deck.yml:16:1", "(in the list opened at line 12)"),
        ("title: x\ncontent: {a: a.md\nb: 1\n", "deck.yml:3:2", "(in the mapping opened at line 2)"),
        ('title: "unclosed\ncontent: [a.md]\n', "deck.yml:3:1", "(in the quoted text opened at line 1)"),
        ("title: x\ncontent\nmore: 1\n", "deck.yml:3:1", "(in the key started at line 2)"),
        ("title: x\nchat: |x\ncontent: [a.md]\n", "deck.yml:2:8", "(in the block of text started at column 7)"),
        ("title: &t A\nchat: &t B\ncontent: [a.md]\n", "deck.yml:2:7",
         "found duplicate anchor 't' (first at line 1)"),
    ],
)
def test_yaml_errors_say_where_what_they_were_reading_began(tmp_path, manifest, where, started):
    """One line: PyYAML's problem at its place, and where the list (the quoted text...) began."""
    found = problems(tmp_path, {"deck.yml": manifest, "a.md": CHAPTER})
    assert len(found) == 1 and found[0].startswith(f"{where}: error: invalid YAML: "), found
    assert found[0].endswith(started), found


@pytest.mark.parametrize(
    "manifest, expected",
    [
        ("content:\n- &c a.md\n- hidden.md\n- - *c\n",
         "deck.yml:4:5: error: chapter 'a.md' is listed twice (first at line 2)"),
        ("part: &p [a.md, hidden.md]\ncontent:\n- *p\n- - *p\n",
         "deck.yml:4:5: error: chapter 'a.md' is listed twice (first at line 3)"),
    ],
)
def test_a_chapter_listed_again_by_an_alias_is_named_at_the_alias(tmp_path, manifest, expected):
    found = problems(tmp_path, {"deck.yml": manifest, "a.md": CHAPTER, "hidden.md": "class: x\n\nHidden\n"})
    assert expected in found, found


@pytest.mark.parametrize(
    "manifest",
    [
        "defaults: &d\n  title: Merged\n  content: [a.md]\n<<: *d\n",
        "one: &one {title: Merged}\ntwo: &two {title: Lost, content: [a.md]}\n<<: [*one, *two]\n",
        "d: &d {title: Lost, content: [hidden.md]}\n<<: *d\ntitle: Merged\ncontent: [a.md]\n",
    ],
)
def test_merge_keys_bring_their_values_as_yaml_loaders_do(tmp_path, manifest):
    # Written keys win over merged ones, earlier merged mappings over later ones.
    found = problems(tmp_path, {"deck.yml": manifest, "a.md": CHAPTER, "hidden.md": "class: x\n\nHidden\n"})
    assert [p for p in found if "error" in p] == []
    page = (tmp_path / "out" / "deck.yml.html").read_text()
    assert "<title>Merged</title>" in page and "Chapter" in page


# A chapter path that is no file says what it is instead. Links: name -> target.
@pytest.mark.parametrize(
    "entry, links, expected",
    [
        ("ch/dir.md", {}, "deck.yml:2:3: error: chapter file 'ch/dir.md' is a folder, not a file"),
        ("ch/", {}, "deck.yml:2:3: error: chapter file 'ch/' is a folder, not a file"),
        ("loop.md", {"loop.md": "loop.md"}, "deck.yml:2:3: error: chapter file 'loop.md' is a loop of symbolic links"),
        ("out.md", {"out.md": "../outside.md"},
         "deck.yml:2:3: error: chapter file 'out.md' leads outside the content folder (a symbolic link)"),
        ("gone.md", {"gone.md": "nowhere.md"}, "deck.yml:2:3: error: chapter file 'gone.md' is a symbolic link to nothing"),
        ("nope.md", {}, "deck.yml:2:3: error: chapter file 'nope.md' does not exist"),
    ],
)
def test_a_chapter_path_that_is_no_file_says_what_it_is(tmp_path, entry, links, expected):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": f"content:\n- {entry}\n- a.md\n", "a.md": CHAPTER,
                                                     "ch/dir.md/inside.md": CHAPTER})
    write_files(tmp_path / "repo", {"outside.md": CHAPTER})
    for name, target in links.items():
        (root / name).symlink_to(target)
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == [expected]


@pytest.mark.parametrize(
    "picture, links, why",
    [
        ("images/dir.png", {}, "is a folder, not a file"),
        ("images/out.png", {"images/out.png": "../../outside.png"},
         "leads outside the content folder (a symbolic link)"),
        # the whole folder linked elsewhere in the repository: ls shows the picture there
        ("shared/pic.png", {"shared": "../common"}, "leads outside the content folder (a symbolic link)"),
        ("images/gone.png", {"images/gone.png": "nowhere.png"}, "is a symbolic link to nothing"),
        ("images/nope.png", {}, "does not exist"),
        ("../outside.png", {}, "leaves the content folder"),
    ],
)
def test_a_picture_that_is_no_file_says_what_it_is(tmp_path, picture, links, why):
    # 'does not exist' for a picture that `ls` shows sent authors looking for a typo.
    root = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "content:\n- - a.md\n", "a.md": f"# A\n\n![pic]({picture})\n",
        "interstitials.txt": picture + "\n", "images/dir.png/inside.png": "(a picture)",
        "images/ok.png": "(a picture)"})
    write_files(tmp_path / "repo", {"outside.png": "(a picture)", "common/pic.png": "(a picture)"})
    for name, target in links.items():
        (root / name).symlink_to(target)
    expected = [f"interstitials.txt:1: error: picture '{picture}' {why}",
                f"a.md:3: error: picture '{picture}' {why}"]
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == expected
    found = [str(f).split(" [")[0] for f in check(str(root)).findings]
    assert sorted(f for f in found if "picture '" in f) == sorted(expected)


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
        ("# A\n.lab[\n```\necho\n]\n", ("a.md:3: error: code fence is never closed: its '.lab[' (at line 2) "
         "ends first, at the ']' at line 5 (remark counts the brackets in code too)")),
        # a `]` in the code of a box ends the box, and the fence with it
        ("# A\n.exercise[\n.lab[\n```bash\necho ']'\n```\n]\n]\n", ("a.md:4: error: code fence is never "
         "closed: its '.lab[' (at line 3) ends first, at the ']' at line 5 (remark counts the brackets in code too); "
         "so its closing fence, at line 6, opens a fence never closed either")),
        ("# A\n\n@@INCLUDE[nothere.yaml]\n", "a.md:3: error: @@INCLUDE[nothere.yaml]: no such file in the repository (the folder above the content folder 'slides')"),
        ("# A\n\n@@INCLUDE[../../etc/passwd]\n", "a.md:3: error: @@INCLUDE[../../etc/passwd] leaves the repository"),
        ("# A\n\n@@INCLUDE[/etc/passwd]\n", "a.md:3: error: @@INCLUDE[/etc/passwd] leaves the repository"),
        ("# A\n\n![pic](images/gone.png)\n", "a.md:3: error: picture 'images/gone.png' does not exist"),
        ("# A\n\nSee @@TYPO@@\n", "a.md:3: warning: unknown directive @@TYPO@@ is left as it is"),
        ("# A\n\nSee [Docs].\n\n[Docs]: https://example.com/\n",
         ("a.md:5: warning: reference label [Docs] has capital letters: remark looks every reference up "
          "in lower case, so no link finds it (write [docs]: ...)")),
        ("# A\n\nSee [Docs].\n\n???\n\n[Docs]: https://example.com/\n",  # in the notes: remark reads it too
         ("a.md:7: warning: reference label [Docs] has capital letters: remark looks every reference up "
          "in lower case, so no link finds it (write [docs]: ...)")),
        # A fence left open, then another one opening in it (container.training has one):
        # remark shows all up to the next closing run as code, a slide separator too.
        ("# A\n\n```bash\nmkdir x\n\n---\n\n## B\n\n```bash\nls\n```\n\nafter\n",
         ("a.md:10: warning: a code fence opens inside the code block of line 3 (is its closing fence "
          "missing?): remark shows both as one code block, up to line 12, taking in 1 slide separator line(s)")),
        ("# A\n.lab[\n  ```\n  ls\n  ```yaml\n  a: 1\n  ```\n]\n",
         ("a.md:5: warning: a code fence opens inside the code block of line 3 (is its closing fence "
          "missing?): remark shows both as one code block, up to line 7")),
        ("# A\n\ntext\n\n---\n\n---\n\nmore\n", "a.md:5: warning: an empty slide: remark shows it blank (a '---' too many?)"),
        ("# A\n\ntext\n---\n", "a.md:4: warning: an empty slide: remark shows it blank (a '---' too many?)"),
        ("# A\n\n[elsewhere](#nowhere)\n", "a.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so"),
    ],
)
def test_chapter_problems(tmp_path, chapter, expected):
    assert expected in problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})


@pytest.mark.parametrize(
    "manifest",
    [
        "content:\n- toc.md\n- []\n- - a.md\n",  # a part that lists nothing
        "exclude: [x]\ncontent:\n- toc.md\n- - hidden.md\n- - a.md\n",  # whose chapters are left out
        "content:\n- toc.md\n- - untitled.md\n- - a.md\n",  # whose chapters have no title
    ],
    ids=["empty", "excluded", "untitled"],
)
def test_an_empty_table_of_contents_is_said(tmp_path, manifest):
    """`@@TOC@@` makes a slide per part: one whose part shows no chapter title was a blank
    'Part 1' slide, with no word of it."""
    found = problems(tmp_path, {"deck.yml": manifest, "toc.md": "@@TOC@@\n", "a.md": CHAPTER,
                                "hidden.md": "class: x\n\n# Hidden\n", "untitled.md": "Text\n"})
    assert ("toc.md:1: warning: an empty slide: the table of contents of part 1 lists no chapter "
            "(none of that part's chapters that this deck shows has a '# ' title)") in found, found
    assert not any("part 2" in p for p in found), found


def test_a_fence_cut_by_its_box_is_one_error(tmp_path):
    """The `]` in a box's code ends the box, and the fence with it: the block's closing fence
    is then an opener of its own, never closed. One mistake, one error, which says both."""
    said = problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": (
        "# A\n\n.lab[\n```bash\necho \"]\"\n```\n]\n\n---\n\nmore\n")})
    assert [p for p in said if ": error: " in p] == [
        ("a.md:4: error: code fence is never closed: its '.lab[' (at line 3) ends first, at the ']' at "
         "line 5 (remark counts the brackets in code too); so its closing fence, at line 6, opens a fence "
         "never closed either")]


@pytest.mark.parametrize("chapter", [
    "# A\n\n````markdown\n```python\nprint(1)\n```\n````\n",  # a block showing a fence: more marks
    "# A\n\n~~~markdown\n```python\nprint(1)\n```\n~~~\n",  # or the other kind
    "# A\n\n```yaml\na: 1\n---\nb: 2\n```\n\n```bash\nls\n```\n",  # YAML documents, then a block
    "# A\n\n```\n``` not a fence: no language after it\n```\n",
])
def test_fences_shown_in_code_are_fine(tmp_path, chapter):
    assert [p for p in problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})
            if "fence" in p] == []


@pytest.mark.parametrize("chapter", [
    "# A\n---\nclass: pic\nbackground-image: url(images/x.png)\n",  # properties only: a picture slide
    "# A\n---\n\n???\nSay it aloud\n",  # notes only: the presenter's
    "# A\n---\n\n--\n\nthen this\n",  # an empty first step
])
def test_a_slide_with_properties_notes_or_steps_is_not_empty(tmp_path, chapter):
    assert [p for p in problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})
            if "empty" in p] == []


def test_a_missing_interstitial_picture_is_the_error_of_its_line_said_once(tmp_path):
    files = {"deck.yml": "content:\n- - a.md\n", "interstitials.txt": "\nimages/gone.png\n",
             "a.md": "# A\n---\n\n# B\n"}  # two chapters: the picture shows twice
    assert problems(tmp_path, files) == ["interstitials.txt:2: error: picture 'images/gone.png' does not exist"]


def test_a_deck_fails_on_the_missing_interstitials_it_shows_and_check_names_them_all(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {
        "one.yml": "content:\n- - a.md\n", "two.yml": "content:\n- - a.md\n  - b.md\n",
        "a.md": CHAPTER, "b.md": "# B\n", "images/ok.png": "(a picture)",
        "interstitials.txt": "images/ok.png\nimages/gone.png\n",  # one.yml shows only the first
    })
    one, two = build(Project.at(root), None, tmp_path / "out", env={})
    assert one.ok and [str(p) for p in two.problems] == [
        "interstitials.txt:2: error: picture 'images/gone.png' does not exist"]
    assert [str(f) for f in check(str(root)).findings] == [
        "interstitials.txt:2: error: picture 'images/gone.png' does not exist [two.yml]"]


def left_open(place: str, name: str) -> str:
    return (f"{place}: error: '{name}[' is not closed on its slide: remark shows it as text, or "
            "takes the slides after it into the block up to some later ']'")


def swallowing(place: str, name: str, close: int | str, separators: int) -> str:
    """`close`: the line of the `]`, or its file and line when it is in another file."""
    close = f"line {close}" if isinstance(close, int) else close
    return (f"{place}: error: '{name}[' is not closed on its slide: its ']' is at {close}, so "
            f"remark takes {separators} separator(s) ('---', '--', '???') into the block")


IN_DECK_ORDER = {
    "deck.yml": "content:\n- - b.md\n  - a.md\n",  # b.md is shown first
    "interstitials.txt": "images/between.png\n",  # shown before b.md's title slide
    "a.md": "# A\n\n![a](images/a.png)\n\n.lab[\n",
    "b.md": "# B\n\n![by reference][gone]\n\n![direct](images/direct.png)\n\n[gone]: images/gone.png\n",
}
IN_DECK_ORDER_ERRORS = [
    "interstitials.txt:1: error: picture 'images/between.png' does not exist",
    "b.md:3: error: picture 'images/gone.png' does not exist",
    "b.md:5: error: picture 'images/direct.png' does not exist",
    "a.md:3: error: picture 'images/a.png' does not exist",
    left_open("a.md:5", ".lab"),
]


def test_a_decks_errors_come_by_file_as_the_deck_shows_them_then_by_line(tmp_path, capsys):
    """Whichever stage finds them (a chapter's scan, pictures by reference last): the
    FAILED line names the first, and stats' JSON lists them in the same order."""
    root = write_files(tmp_path / "repo" / "slides", IN_DECK_ORDER)
    assert cli.main(["build", "--root", str(root), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if ": error: " in line] == IN_DECK_ORDER_ERRORS
    assert err[-1] == ("FAILED deck.yml (interstitials.txt:1: picture 'images/between.png' does not "
                       "exist, and 4 more errors, as above)")
    assert cli.main(["stats", "--root", str(root), "--format", "json"]) == 1
    listed = json.loads(capsys.readouterr().out)["problems"]
    assert [f"{p['path']}:{p['line']}: {p['severity']}: {p['message']}" for p in listed] == IN_DECK_ORDER_ERRORS


def test_a_failed_decks_manifest_warnings_come_before_its_chapters_warnings(tmp_path):
    """The manifest is the deck's first file: its warnings lead the warnings, as when the
    deck is built, after every error."""
    files = {
        "deck.yml": "content:\n- a.md\nbogus: 1\n",
        "a.md": "# A\n\n[to nowhere](#nowhere)\n\n![a](images/a.png)\n",
    }
    assert problems(tmp_path, files) == [
        "a.md:5: error: picture 'images/a.png' does not exist",
        "deck.yml:3:1: warning: unknown key 'bogus' is ignored",
        "a.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so",
    ]
    files["a.md"] = files["a.md"].replace("images/a.png", "https://example.com/a.png")
    assert problems(tmp_path, files) == [
        "deck.yml:3:1: warning: unknown key 'bogus' is ignored",
        "a.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so",
    ]


@pytest.mark.parametrize(
    "chapter, expected",
    [
        # never closed in its chapter (an escaped opener is text by intent; code is code)
        ("# A\n---\n\\.note[ `.red[`\n\n.lab[\n\n- do this\n", [left_open("a.md:5", ".lab")]),
        ("# A\n---\n.lab[ [x]\n.small[y]\n", [left_open("a.md:3", ".lab")]),
        # closed after slide separators: remark merges the slides into the block
        ("# A\n---\n.warning[careful\n---\nB\n--\nC ]\n---\nD\n", [swallowing("a.md:3", ".warning", 7, 2)]),
        ("# A\n.lab.small[\n- do this\n???\nnotes ]\n", [swallowing("a.md:2", ".lab.small", 5, 1)]),
        # ... also in a block inside the block: remark reads the outer block's content as text
        ("# A\n.exercise[\n.lab[\n- open\n---\n## B\n]\n]\n---\nC\n", [swallowing("a.md:2", ".exercise", 8, 1)]),
        ("# A\n.lab[\n.small[a\n.red[b\n--\nc]]\n???\nd]\n", [swallowing("a.md:2", ".lab", 8, 2)]),
        # separators in code inside a block split nothing; a closed block before an open one is fine
        ("# A\n.lab[\n```\n---\n```\n`--`\n]\n---\n.exercise[\n", [left_open("a.md:9", ".exercise")]),
        # a `--` right after the `[` or right before the `]` is not alone on its line
        ("# A\n\nUse .red[--] or .lab[---]\n\n.small[--\nfoo]\n.note[\nbar\n--]\n", []),
        # a separator-looking line in raw HTML in a block is content (remark shows it in the box)
        ("# B\n\n.lab[\n<pre>\nkey: 1\n---\nkey: 2\n</pre>\n]\n\n---\n\n## next\n", []),
        (("# B\n.lab[\n<!--\n---\n-->\n<TEXTAREA rows=3>\n--\n</textarea>\n<script>\n???\n</script>\n"
          "<style>\n---\n</style>\n]\n"), []),
        # ... but a separator line after it counts, as one in a `<pre>` that code opens or that stays open
        ("# B\n.lab[\n<pre>\n---\n</pre>\n---\n]\n", [swallowing("a.md:2", ".lab", 7, 1)]),
        ("# B\n.lab[\n<pre>\n---\n</pre>\n`<pre>`\n---\n`</pre>`]\n", [swallowing("a.md:2", ".lab", 8, 1)]),
        ("# B\n.lab[\n<pre>\n---\n</pre>\n<pre>\n---\n]\n</pre>\n", [swallowing("a.md:2", ".lab", 8, 1)]),
        # nothing shows of an opener in an HTML comment; one after a comment, or in code, shows
        ("# A\n\n<!-- .lab[ -->\n\n---\n\n<!--\nto do: .exercise[\n-->\n", []),
        ("# A\n\n<!-- .note[ -->\n.lab[\n", [left_open("a.md:4", ".lab")]),
        ("# A\n\n<!-- .note[ -->\n`<!--` .lab[ `-->`\n", [left_open("a.md:4", ".lab")]),
    ],
)
def test_brackets_left_open_are_errors_at_their_line(tmp_path, chapter, expected):
    found = problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})
    assert [p for p in found if "is not closed" in p] == expected


def test_a_backquote_left_open_in_a_pre_still_merges_slides(tmp_path):
    # remark's lexer knows no HTML: the code span runs over the `---` in the `<pre>`, where
    # the same `---` in a block's `<pre>` is fine.
    chapter = "# A\n<pre>\nRun `ls\n---\nthen` pwd\n</pre>\n---\n.lab[\n<pre>\n---\n</pre>\n]\n"
    found = problems(tmp_path, {"deck.yml": "content:\n- - a.md\n", "a.md": chapter})
    assert [p for p in found if "is not closed" in p] == [
        ("a.md:3: error: a backquote (`) is not closed on its slide: its match is at line 5, so remark "
         "takes the separator(s) in between into one code span")]


def test_a_mark_closed_in_another_file_is_named_with_its_file(tmp_path):
    # An included file's `.lab[` (and backquote) closed in the chapter that includes it.
    files = {"deck.yml": "content:\n- - ch/main.md\n",
             "ch/main.md": "# Main\n\nsome\n\ntext\n\n@@INCLUDE[snips/inc.md]\n\nmore\n\n---\n]\n"
                           "\n---\n\n@@INCLUDE[snips/run.md]\n---\nthen` and `--\nnot` that\n"}
    write_files(tmp_path / "repo" / "snips", {"inc.md": "x\n\n\n\n\n\n.lab[\nincluded box\n", "run.md": "Run `ls\n"})
    assert [p for p in problems(tmp_path, files) if "is not closed" in p] == [
        swallowing("../snips/inc.md:7", ".lab", "ch/main.md:12", 1),
        ("../snips/run.md:1: error: a backquote (`) is not closed on its slide: its match is at ch/main.md:18, "
         "so remark takes the separator(s) in between into one code span")]


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
    ("a folder", "interstitials.txt: error: is a folder, not a file"),
    ("a missing picture", "interstitials.txt:1: error: picture 'images/nope.png' does not exist"),
])
def test_an_unreadable_interstitials_txt_fails_every_command_with_one_message(tmp_path, capsys, command,
                                                                               broken, expected):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content:\n- a.md\n", "a.md": CHAPTER,
                                                      "images/a.png": "(a picture it may name)"})
    if broken == "not UTF-8":
        (root / "interstitials.txt").write_bytes(b"images/a.png\xff\n")
    elif broken == "a folder":
        (root / "interstitials.txt").mkdir()
    elif broken == "a missing picture":  # in a deck of three chapters: shown twice
        (root / "interstitials.txt").write_text("images/nope.png\nimages/a.png\n")
        (root / "deck.yml").write_text("content:\n- - a.md\n  - b.md\n  - c.md\n")
        write_files(root, {"b.md": "# B\n", "c.md": "# C\n"})
    else:
        (tmp_path / "outside.txt").write_text("images/a.png\n")
        (root / "interstitials.txt").symlink_to(tmp_path / "outside.txt")
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    assert cli.main([*args, "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    if "json" in command:
        data = json.loads(out)
        found = [f"{SourceLoc(p['path'], p['line'])}: {p['severity']}: {p['message']}"
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


def test_an_include_cycle_through_two_files_is_named(tmp_path):
    files = {
        "deck.yml": "content:\n- ca.md\n",
        "ca.md": "# A\n\n@@INCLUDE[slides/cb.md]\n",
        "cb.md": "one\n@@INCLUDE[slides/ca.md]\n",
    }
    assert problems(tmp_path, files) == [
        "cb.md:2: error: @@INCLUDE[slides/ca.md] makes a cycle: ca.md -> cb.md -> ca.md"]


def test_an_include_of_a_folder_says_so(tmp_path):
    files = {"deck.yml": "content:\n- a.md\n", "a.md": "# A\n\n@@INCLUDE[slides/t]\n", "t/b.md": "B\n"}
    assert problems(tmp_path, files) == ["a.md:3: error: @@INCLUDE[slides/t] is a folder, not a file"]


def test_an_included_file_that_is_not_text_is_said_at_the_include(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content:\n- a.md\n",
                                                      "a.md": "# A\n\n@@INCLUDE[slides/images/x.png]\n"})
    (root / "images").mkdir()
    (root / "images" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == [
        "a.md:3: error: @@INCLUDE[slides/images/x.png]: images/x.png:1: not valid UTF-8 (byte 0x89)"]


def test_an_absolute_chapter_path_is_refused_as_absolute(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {"a.md": CHAPTER})
    write_files(root, {"deck.yml": f"content:\n- {root / 'a.md'}\n"})
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == [(
        f"deck.yml:2:3: error: chapter path '{root / 'a.md'}' is absolute: write it relative to the "
        "manifest's folder")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name, include", [("deck.yml", ""), ("a.md", ""), ("b.md", "slides/b.md")])
def test_a_utf16_file_is_told_to_be_saved_as_utf8(tmp_path, encoding, name, include):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content:\n- a.md\n", "a.md": CHAPTER})
    if include:
        (root / "a.md").write_text(f"# A\n@@INCLUDE[{include}]\n")
    text = (root / name).read_text() if name != "b.md" else "B\n"
    bom = "" if encoding == "utf-16" else "\ufeff"  # Python's utf-16 writes one
    (root / name).write_bytes((bom + text).encode(encoding))
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    expected = f"{name}: error: is UTF-16: save it as UTF-8"
    if include:
        expected = f"a.md:2: error: @@INCLUDE[{include}]: {name}: is UTF-16: save it as UTF-8"
    assert [str(p).split("\n")[0] for p in result.problems] == [expected]


def test_bad_yaml_shows_the_offending_line(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "title: Kubernetes\n  chat: none\n"})
    [result] = build(Project.at(root), None, tmp_path / "out", env={})
    assert str(result.problems[0]).split("\n")[1].strip() == "chat: none"


NOT_A_PAGE = "cannot name a deck's page: "
AT_THE_TOP = NOT_A_PAGE + "a page goes at the top of the output folder"


@pytest.mark.parametrize(
    "html, expected",
    [
        # deckwright's own files, or the site's: every deck would be blank, or the site broken
        ("assets/vendor/remark.min.js", "deck.yml:3:7: error: 'html' 'assets/vendor/remark.min.js' " + AT_THE_TOP),
        ("assets/deckwright.css", "deck.yml:3:7: error: 'html' 'assets/deckwright.css' " + AT_THE_TOP),
        ("chapters/ch/a.md.html", "deck.yml:3:7: error: 'html' 'chapters/ch/a.md.html' " + AT_THE_TOP),
        ("index.html", "deck.yml:3:7: error: 'html' 'index.html' " + NOT_A_PAGE
         + "`deckwright site` writes the site's index page there"),
        ("slides.zip", "deck.yml:3:7: error: 'html' 'slides.zip' " + NOT_A_PAGE + "a page's name ends in .html"),
        (".deckwright-stamps.json", "deck.yml:3:7: error: 'html' '.deckwright-stamps.json' " + NOT_A_PAGE
         + "a name starting with '.' is a hidden file"),
        # a page in a folder: its relative links to assets/ and pictures lead nowhere
        ("sub/dir/deck.html", "deck.yml:3:7: error: 'html' 'sub/dir/deck.html' " + AT_THE_TOP),
        ("'sub\\deck.html'", "deck.yml:3:7: error: 'html' 'sub\\deck.html' " + AT_THE_TOP),
        ("'deck.html#x'", "deck.yml:3:7: error: 'html' 'deck.html#x' " + NOT_A_PAGE + "':', '?', '#'"),
        # a line end in the value: written escaped, so that the message stays on one line
        ('"x.html\\n"', "deck.yml:3:7: error: 'html' 'x.html\\n' " + NOT_A_PAGE),
    ],
)
def test_html_names_a_page_at_the_top_of_the_output_folder(tmp_path, html, expected):
    found = problems(tmp_path, {"deck.yml": f"title: T\ncontent: [a.md]\nhtml: {html}\n", "a.md": CHAPTER})
    assert any(p.startswith(expected) for p in found), found
    assert not (tmp_path / "out" / "assets").exists()  # nothing written: the deck failed


def test_html_may_name_another_page(tmp_path):
    assert problems(tmp_path, {"deck.yml": "content: [a.md]\nhtml: my-deck.html\n", "a.md": CHAPTER}) == []
    assert (tmp_path / "out" / "my-deck.html").is_file()


@pytest.mark.parametrize("html", ["../../x.html", "assets/deckwright.css", "index.html"])
def test_override_html_is_checked_and_blamed_on_the_environment(tmp_path, html):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "title: T\ncontent: [a.md]\n", "a.md": CHAPTER})
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={"OVERRIDE_html": html})
    [problem] = [str(p) for p in result.problems]
    assert problem.startswith(f"deck.yml: error: OVERRIDE_html (set in the environment) '{html}' " + NOT_A_PAGE)
    assert not list((tmp_path / "out").rglob("*.html")) and not (tmp_path / "x.html").exists()


# bad.yml names good.yml's page; ab.yml and zz.yml name one page: the second in order fails.
CLASHING = {
    "good.yml": "title: Good\ncontent: [a.md]\n",
    "bad.yml": "title: Bad\ncontent: [b.md]\nhtml: good.yml.html\n",
    "ab.yml": "title: AB\ncontent: [a.md]\nhtml: shared.html\n",
    "zz.yml": "title: ZZ\ncontent: [b.md]\nhtml: shared.html\n",
    "a.md": "# A\n\nfrom a\n",
    "b.md": "# B\n\nfrom b\n",
}
CLASH = "{}:3:7: error: page '{}' is also that of {}: one deck would overwrite the other's (give each " \
    "manifest its own 'html')"
CLASHES = [CLASH.format("bad.yml", "good.yml.html", "good.yml"), CLASH.format("zz.yml", "shared.html", "ab.yml")]


def _built(tmp_path, command: str) -> tuple[list[str], bool]:
    """The problems of `command` over CLASHING, and whether it failed."""
    root = write_files(tmp_path / "repo" / "slides", CLASHING)
    if command == "check":
        result = check(str(root), env={})
        return [str(f) for f in result.findings], result.failed()
    if command == "site":
        results = build_site(Project.at(root), None, tmp_path / "out", env={}).decks
    else:
        results = build(Project.at(root), None, tmp_path / "out", env={})
    return [str(p) for r in results for p in r.problems], not all(r.ok for r in results)


@pytest.mark.parametrize("command", ["build", "site", "check"])
def test_two_decks_with_one_page_are_refused(tmp_path, command):
    found, failed = _built(tmp_path, command)
    assert sorted(found) == CLASHES and failed
    if command != "check":  # the page's owner is built, and is its own deck
        assert "from a" in (tmp_path / "out" / "good.yml.html").read_text()
        assert "from a" in (tmp_path / "out" / "shared.html").read_text()


def test_a_page_kept_from_the_last_build_is_not_overwritten(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {k: CLASHING[k] for k in ("good.yml", "a.md", "b.md")})
    age(root)  # files just written are not trusted to be unchanged (see stamps.py)
    build(Project.at(root), None, tmp_path / "out", env={}, reuse=True)
    write_files(root, {"bad.yml": CLASHING["bad.yml"]})
    results = build(Project.at(root), None, tmp_path / "out", env={}, reuse=True)
    assert [(r.manifest, r.reused, [str(p) for p in r.problems]) for r in results] == [
        ("bad.yml", False, CLASHES[:1]), ("good.yml", True, []),
    ]
    assert "from a" in (tmp_path / "out" / "good.yml.html").read_text()


# The tester's cases: what follows an @@INCLUDE in a slide, and what the included file holds,
# are reported at their own file and line. {inc} is included by a.md and by the manifest.
INCLUDED = "l1\n\n[a](#nowhere)\n![p](nope.png)\n"


@pytest.mark.parametrize(
    "chapter, inline, expected",
    [
        ("# T\n\nbefore\n\n---\n\n## S2\n\n@@INCLUDE[slides/inc.md]\n\n![x](gone.png)\n", None,
         ["a.md:11: error: picture 'gone.png' does not exist",
          "inc.md:4: error: picture 'nope.png' does not exist",
          "inc.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so"]),
        ("# T\n\nbefore\n@@INCLUDE[slides/inc.md]\nafter\n![q](gone.png) [b](#gone)\n", None,
         ["a.md:6: error: picture 'gone.png' does not exist",
          "inc.md:4: error: picture 'nope.png' does not exist",
          "inc.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so",
          "a.md:6: warning: link to #gone goes nowhere: no slide of this deck is named so"]),
        (None, "  # Inline\n\n  @@INCLUDE[slides/inc.md]\n  ![r](gone.png)\n",
         ["deck.yml:6: error: picture 'gone.png' does not exist",
          "inc.md:4: error: picture 'nope.png' does not exist",
          "inc.md:3: warning: link to #nowhere goes nowhere: no slide of this deck is named so"]),
    ],
)
def test_problems_after_an_include_name_their_own_file_and_line(tmp_path, chapter, inline, expected):
    manifest = "content:\n- a.md\n" if chapter else f"content:\n- |\n{inline}"
    files = {"deck.yml": manifest, "a.md": chapter or "", "inc.md": INCLUDED}
    assert sorted(problems(tmp_path, files)) == sorted(expected)
    root = tmp_path / "repo" / "slides"
    found = {str(f) for f in check(str(root), env={}).findings if f.kind in ("missing-image", "broken-anchor")}
    assert {p.split(": ", 1)[0] for p in found} == {p.split(": ", 1)[0] for p in expected}


PERCENT = {
    "deck.yml": "content: [a.md]\n",
    "a.md": "# A\n\n![c](images/my%20pic.svg)\n\n[notes](files/my%20notes.txt)\n\n"
            "<img src=\"images/caf%C3%A9.svg?v=2\">\n",
    "images/my pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'>space</svg>",
    "images/café.svg": "<svg xmlns='http://www.w3.org/2000/svg'>accent</svg>",
    "files/my notes.txt": "notes",
}


def test_percent_encoded_paths_name_the_files_browsers_load(tmp_path):
    # The browser asks for images/my%20pic.svg; the server (or file://) gives images/my pic.svg.
    assert problems(tmp_path, PERCENT) == []
    out = tmp_path / "out"
    assert (out / "images" / "my pic.svg").read_text().endswith("space</svg>")
    assert (out / "images" / "café.svg").read_text().endswith("accent</svg>")
    assert check(str(tmp_path / "repo" / "slides"), env={}).findings == []
    single = build_site(Project.at(tmp_path / "repo" / "slides"), None, tmp_path / "site", env={},
                        single_file=True)
    assert single.ok and "images/my%20pic.svg" not in (tmp_path / "site/single/deck.yml.html").read_text()


def test_a_missing_percent_encoded_picture_is_named_as_the_file_looked_for(tmp_path):
    found = problems(tmp_path, {"deck.yml": "content: [a.md]\n", "a.md": "# A\n\n![c](my%20pic.svg)\n"})
    assert found == ["a.md:3: error: picture 'my pic.svg' does not exist"]


RARER = {
    "deck.yml": "content: [a.md, b.md]\n",
    "a.md": "# A\n\n![by reference][dot] ![shortcut]\n\n"
            '<img srcset="images/one.svg 1x, images/two.svg 2x" src="images/one.svg">\n'
            '<video poster="images/poster.svg"></video> <object data="images/object.svg"></object>\n'
            "???\n\n![notes picture](images/notes.svg)\n",
    "b.md": "# B\n\n[dot]: images/dot.svg\n[shortcut]: images/short%20cut.svg\n",
}
RARER_PICTURES = ["dot.svg", "notes.svg", "object.svg", "one.svg", "poster.svg", "short cut.svg", "two.svg"]


def test_pictures_by_reference_in_rarer_html_and_in_notes_are_copied(tmp_path):
    pictures = {f"images/{name}": "<svg xmlns='http://www.w3.org/2000/svg'/>" for name in RARER_PICTURES}
    assert problems(tmp_path, {**RARER, **pictures}) == []
    assert sorted(p.name for p in (tmp_path / "out" / "images").iterdir()) == RARER_PICTURES


def test_pictures_by_reference_in_rarer_html_and_in_notes_are_missing_at_their_lines(tmp_path):
    assert sorted(problems(tmp_path, {**RARER, "images/one.svg": "<svg/>"})) == [
        "a.md:3: error: picture 'images/dot.svg' does not exist",
        "a.md:3: error: picture 'images/short cut.svg' does not exist",
        "a.md:5: error: picture 'images/two.svg' does not exist",
        "a.md:6: error: picture 'images/object.svg' does not exist",
        "a.md:6: error: picture 'images/poster.svg' does not exist",
        "a.md:9: error: picture 'images/notes.svg' does not exist",
    ]


# A problem with no line of its file to blame prints as `path: error: message`: no `:0`,
# and the command line adds no `deckwright: error:` before it.
@pytest.mark.parametrize(
    "argv, expected",
    [
        (["build", "nope.yml"], "nope.yml: error: no such manifest in {root}"),
        (["check", "nope.yml"], "nope.yml: error: no such manifest in {root}"),
        (["stats", "nope.yml"], "nope.yml: error: no such manifest in {root}"),
        (["build", "../outside.yml"],
         "../outside.yml: error: a manifest must be in the content folder (--root {root})"),
    ],
)
def test_a_problem_without_a_line_names_only_its_file(tmp_path, capsys, argv, expected):
    from deckwright import cli

    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content: [a.md]\n", "a.md": CHAPTER})
    write_files(tmp_path / "repo", {"outside.yml": "content: [slides/a.md]\n"})
    assert cli.main([*argv, "--root", str(root)]) == 2
    assert capsys.readouterr().err.splitlines() == [expected.format(root=root)]


# Markdown in a manifest: a literal block (`|`) keeps its lines; in other YAML styles lines
# are folded or written `\n`, and all is reported at the scalar's (first text) line.
@pytest.mark.parametrize(
    "inline, expected",
    [
        ('- "# Quoted\\n\\n![p](nope.png)"\n', "deck.yml:3: error: picture 'nope.png' does not exist"),
        ('- "# Quoted\n\n  ![p](nope.png)"\n', "deck.yml:3: error: picture 'nope.png' does not exist"),
        ("- '# Single\n\n  ![p](nope.png)'\n", "deck.yml:3: error: picture 'nope.png' does not exist"),
        ("- >\n  # Folded\n\n  text\n  more\n\n  ![p](nope.png)\n", "deck.yml:4: error: picture 'nope.png' does not exist"),
        ("- Plain\n  text\n  more\n\n  ![p](nope.png)\n", "deck.yml:3: error: picture 'nope.png' does not exist"),
        ("- |\n  # Literal\n\n  ![p](nope.png)\n", "deck.yml:6: error: picture 'nope.png' does not exist"),
        ('- "# Q\\n\\n@@INCLUDE[slides/inc.md]\\n\\n![p](nope.png)"\n',
         "deck.yml:3: error: picture 'nope.png' does not exist"),
    ],
)
def test_inline_markdown_is_reported_at_lines_of_the_manifest(tmp_path, inline, expected):
    found = problems(tmp_path, {"deck.yml": f"title: T\ncontent:\n{inline}- a.md\n", "a.md": CHAPTER,
                                "inc.md": "\n\n\n![i](gone.png)\n"})
    assert expected in found, found
    assert all(p.startswith(("deck.yml:3:", "deck.yml:4:", "deck.yml:6:", "inc.md:4:")) for p in found), found


def test_two_inline_chapters_on_one_line_are_two_chapters(tmp_path):
    # (they were one chapter: cached by the line where they stand)
    files = {"deck.yml": 'content: ["# A\\n\\nant-text", "# B\\n\\nbee-text"]\n'}
    assert problems(tmp_path, files) == []
    page = (tmp_path / "out" / "deck.yml.html").read_text()
    assert "ant-text" in page and "bee-text" in page


def test_a_name_too_long_for_the_file_system_is_a_missing_file_not_a_crash(tmp_path):
    """A picture, a link, an include and an @@LINK whose name is longer than a file system
    takes (255 bytes): each is said at its line, as a missing file is."""
    name = "n" * 300
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n",
             "a.md": f"# T\n\n![p]({name}.png)\n\n[l](docs/{name}.pdf) @@LINK[{name}]\n"}
    assert problems(tmp_path, files) == [
        f"a.md:3: error: picture '{name}.png' does not exist (a name too long for the file system)"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind) for f in found] == [
        ("a.md:3", "missing-image"), ("a.md:5", "missing-file"), ("a.md:5", "missing-file")]
    files["a.md"] = f"# T\n\n@@INCLUDE[{name}.md]\n"
    assert problems(tmp_path, files) == [
        (f"a.md:3: error: @@INCLUDE[{name}.md]: no such file in the repository (the folder above the "
        "content folder 'slides')")]


MACRO_CHAPTER = """# A

![:scale 50%]

.lab[
in a box ![:b x]
]

???

![:notes]

---

# In code, remark reads no macro

`![:span]`

    ![:indented]

```
![:fenced]
```
"""


def test_a_remark_macro_is_an_error_at_its_line(tmp_path):
    """remark stops on a macro it does not know (`Macro "scale" not found`), and the page
    defines none: the deck would show no slide. One in code is text (tests/test_template_browser.py)."""
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": MACRO_CHAPTER}
    why = "is a remark macro, and the page defines none: remark stops on a macro it does not know, " \
          "and the deck shows no slide at all"
    assert problems(tmp_path, files) == [
        f"a.md:3: error: '![:scale' {why}", f"a.md:6: error: '![:b' {why}", f"a.md:11: error: '![:notes' {why}"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind, f.severity) for f in found] == [
        ("a.md:3", "build", "error"), ("a.md:6", "build", "error"), ("a.md:11", "build", "error")]


def test_a_macro_written_as_a_picture_is_one_error(tmp_path):
    """`![:c](z)` is a remark macro whose argument is `z`: remark takes it all out of the text
    before Markdown is read, so it shows no picture and links nowhere. One mistake, one
    message: the macro's error, not also a missing picture, a picture loaded from the
    network or a link to no slide."""
    chapter = ("# A\n\n![:c](z)\n\n.lab[![:scale 50%](images/x.png)]\n\n![:d](#nowhere)\n\n"
               "![:e](https://example.com/e.png)\n\n![:f][ref]\n\n[ref]: r.png\n\n???\n\n![:g](n.png)\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    why = ("is a remark macro, and the page defines none: remark stops on a macro it does not know, "
           "and the deck shows no slide at all")
    argument = " (its '(...)' is the macro's argument, no picture: a picture is '![text](path)')"
    assert problems(tmp_path, files) == [
        f"a.md:3: error: '![:c' {why}{argument}", f"a.md:5: error: '![:scale' {why}{argument}",
        f"a.md:7: error: '![:d' {why}{argument}", f"a.md:9: error: '![:e' {why}{argument}",
        f"a.md:11: error: '![:f' {why}", f"a.md:17: error: '![:g' {why}{argument}"]
    found = check(str(tmp_path / "repo" / "slides"), offline=True).findings
    assert [(str(f.loc), f.kind) for f in found] == [
        ("a.md:3", "build"), ("a.md:5", "build"), ("a.md:7", "build"), ("a.md:9", "build"),
        ("a.md:11", "build"), ("a.md:13", "missing-file"), ("a.md:17", "build")]


def test_a_picture_in_an_html_comment_is_not_looked_for(tmp_path):
    """`<!-- ![draft](images/draft.png) -->`: Markdown keeps a comment as written, so the
    browser loads no picture of it; the build failed on a picture that does not exist."""
    chapter = ("# A\n\n<!-- ![draft](images/draft.png) -->\n\ntext <!-- <img src=\"old.png\">\n"
               "![ref][gone] -->\n\n[gone]: gone.png\n\n![shown](images/shown.png) <!-- -->\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    assert problems(tmp_path, files) == ["a.md:10: error: picture 'images/shown.png' does not exist"]


def test_a_picture_after_a_comment_opener_in_a_tag_or_a_url_is_looked_for(tmp_path):
    """`[x](http://a/<!--) ![p](images/p.png) -->`: Markdown reads the link first, so its
    `<!--` opens no comment, and the browser loads the picture after it (seen in Chromium:
    tests/test_template_browser.py); so after an attribute's `<!--`. The build took both for
    pictures in a comment, and said nothing of their missing files."""
    chapter = ("# A\n\n[x](http://a/<!--) ![p](images/p.png) -->\n\n"
               "<a title='<!--'>t</a> ![q](images/q.png) -->\n\n<!-- ![s](images/s.png) -->\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    assert problems(tmp_path, files) == ["a.md:3: error: picture 'images/p.png' does not exist",
                                         "a.md:5: error: picture 'images/q.png' does not exist"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:3", "missing-image"), ("a.md:5", "missing-image")]


def test_a_path_with_more_than_ten_spaces_is_read_whole(tmp_path):
    """remark's Markdown reads a path written with spaces whole, up to its `)` or a title, however
    many: one with more than ten was read to its first word, and said missing as
    'images/a' (a picture) or 'files/my' (a link), a file nobody wrote."""
    many = "a b c d e f g h i j k l"
    chapter = (f"# A\n\n![shown](images/{many}.png) ![gone](images/gone {many}.png 'title')\n\n"
               f"[notes](files/my {many}.pdf) [gone](files/no {many}.pdf)\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter,
             f"images/{many}.png": "png", f"files/my {many}.pdf": "pdf"}
    assert problems(tmp_path, files) == [f"a.md:3: error: picture 'images/gone {many}.png' does not exist"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind, f.message) for f in found] == [
        ("a.md:3", "missing-image", f"picture 'images/gone {many}.png' does not exist"),
        ("a.md:5", "missing-file", f"link to 'files/no {many}.pdf': no such file next to the deck")]


def test_a_missing_picture_shown_by_reference_is_one_error_at_the_picture(tmp_path):
    """`![alt][shot]` with `[shot]: shot.png` and no shot.png: the build's error at the
    picture; check no longer also says the definition links to a file that does not exist.
    A definition no picture uses is a link's, and still checked as one."""
    chapter = "# A\n\n![alt][shot]\n\n[shot]: shot.png\n\n[doc]: missing.pdf\n\nSee [the doc][doc]\n"
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    assert problems(tmp_path, files) == ["a.md:3: error: picture 'shot.png' does not exist"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:3", "missing-image"), ("a.md:7", "missing-file")]


def test_a_macro_on_a_slide_the_deck_leaves_out_is_no_error(tmp_path):
    """A slide left out (`exclude: true`, or a class the manifest excludes) never reaches
    remark: its macro stops nothing. The deck showing the slide fails, at the macro's line,
    and check says so once."""
    chapter = ("# A\n\n---\n\nexclude: true\n\n# Old\n\n![:scale 50%]\n\n---\n\n"
               "class: extra\n\n# Extra\n\n![:other]\n")
    files = {"lean.yml": "title: T\nexclude: [extra]\ncontent:\n- a.md\n",
             "full.yml": "title: T\nhtml: full.html\ncontent:\n- a.md\n", "a.md": chapter}
    root = write_files(tmp_path / "repo" / "slides", files)
    results = {r.manifest: r for r in build(Project.at(root), None, tmp_path / "out", env={})}
    assert results["lean.yml"].ok and not results["lean.yml"].problems
    assert [str(p.loc) for p in results["full.yml"].problems] == ["a.md:17"]
    found = check(str(root)).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:17", "build")]


def test_a_comment_on_slides_the_deck_leaves_out_is_no_warning(tmp_path):
    """Slides 'commented out' across separators and also left out (`exclude: true`, or a
    class the manifest excludes) never reach remark: nothing of the comment shows. Once
    one slide between its `<!--` and its end is kept, it is said (at the `<!--`)."""
    chapter = ("# A\n\n---\n\nexclude: true\n\n<!--\n\n# Old\n\n---\n\nexclude: true\n\n"
               "# Older\n\n-->\n\n---\n\nclass: extra\n\n# Extra <!-- never closed\n")
    files = {"lean.yml": "title: T\nexclude: [extra]\ncontent:\n- a.md\n",
             "full.yml": "title: T\nhtml: full.html\ncontent:\n- a.md\n", "a.md": chapter}
    root = write_files(tmp_path / "repo" / "slides", files)
    results = {r.manifest: r for r in build(Project.at(root), None, tmp_path / "out", env={})}
    assert results["lean.yml"].ok and not results["lean.yml"].problems
    assert [str(p.loc) for p in results["full.yml"].problems] == ["a.md:23"]
    (root / "a.md").write_text(chapter.replace("exclude: true\n\n# Older", "# Older"))
    results = {r.manifest: r for r in build(Project.at(root), None, tmp_path / "out", env={})}
    assert [str(p.loc) for p in results["lean.yml"].problems] == ["a.md:7"]


def test_an_html_comment_cut_by_a_separator_or_never_closed_is_a_warning(tmp_path):
    """remark splits the slides before any HTML is read: slides 'commented out' with a
    `<!--` on one slide and `-->` on a later one still show, `<!--` and `-->` as text
    (seen in Chromium); so does a `<!--` nothing closes. One closed on its slide hides
    what it holds; one in code is text; one in a box: see the test below."""
    chapter = ("# A\n\n<!-- hidden on its slide -->\n\n`<!--` in code\n\n.lab[<!-- a box ]\n\n"
               "<!--\n\n---\n\n# Meant to be hidden\n\n-->\n\n---\n\n# C\n\nlast <!-- never closed\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    assert problems(tmp_path, files) == [
        ("a.md:7: warning: an HTML comment ('<!--') is not closed in its '.lab[' box (which ends at line 7): "
         "remark reads a box's content on its own, so what the comment was to hide shows, '<!--' too"),
        ("a.md:9: warning: an HTML comment ('<!--') is not closed on its slide: its '-->' is at line 15, "
         "after a '---', '--' or '???' line, and remark splits slides before it reads HTML: what the "
         "comment was to hide shows, '<!--' too"),
        "a.md:21: warning: an HTML comment ('<!--') is never closed: remark shows it as text, and what follows it"]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind) for f in found] == [
        ("a.md:7", "unclosed-comment"), ("a.md:9", "unclosed-comment"), ("a.md:21", "unclosed-comment")]


def test_a_comment_opener_in_a_tag_or_a_url_is_no_comment(tmp_path):
    """Markdown reads an HTML tag and a link's URL whole: a `<!--` in an attribute's value
    or in a URL opens no comment (seen in Chromium: tests/test_template_browser.py), and
    a `-->` slides later is no sign of slides commented out. A real comment after one is
    still looked at."""
    chapter = ("# A\n\n<a title='<!--'>link</a> [x](http://a/<!--) <img alt=\"x <!--\" src=\"a.png\">\n\n"
               "---\n\n# B\n\n-->\n\n---\n\n# C\n\n<b title=\"<!--\">x</b> <!-- real\n\n---\n\n-->\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter, "a.png": "png"}
    assert problems(tmp_path, files) == [
        ("a.md:15: warning: an HTML comment ('<!--') is not closed on its slide: its '-->' is at line 19, "
         "after a '---', '--' or '???' line, and remark splits slides before it reads HTML: what the "
         "comment was to hide shows, '<!--' too")]


def test_an_html_comment_not_closed_in_its_box_is_a_warning(tmp_path):
    """remark converts a `.class[` box's content on its own: a comment opened in a box and
    not closed in it shows as text, `<!--` and what follows in the box, even when a `-->`
    comes after the box on its slide; and a `-->` in a box closes no comment opened outside
    it (both seen in Chromium: tests/test_template_browser.py). A comment closed in its box
    hides what it holds, boxes in it too. Nested boxes are looked into, one in code is text."""
    chapter = ("# A\n\n.lab[<!-- hidden --> shown]\n\n.lab[<!-- .red[x] --> shown]\n\n"
               ".lab[<!-- in the box ] still -->\n\n"
               ".lab[\nx <!-- in the box\n\n.red[y]\n]\n\n"
               ".lab[.red[`<!--` in code] .red[<!-- deep ]]\n\n"
               "<!-- outside .red[-->] tail\n")
    files = {"deck.yml": "title: T\ncontent:\n- a.md\n", "a.md": chapter}
    why = ("remark reads a box's content on its own, so what the comment was to hide shows, '<!--' too")
    assert problems(tmp_path, files) == [
        f"a.md:7: warning: an HTML comment ('<!--') is not closed in its '.lab[' box (which ends at line 7): {why}",
        f"a.md:10: warning: an HTML comment ('<!--') is not closed in its '.lab[' box (which ends at line 13): {why}",
        f"a.md:15: warning: an HTML comment ('<!--') is not closed in its '.red[' box (which ends at line 15): {why}",
        ("a.md:17: warning: an HTML comment ('<!--') is never closed: remark shows it as text, and what "
         "follows it")]
    found = check(str(tmp_path / "repo" / "slides")).findings
    assert [(str(f.loc), f.kind) for f in found] == [
        ("a.md:7", "unclosed-comment"), ("a.md:10", "unclosed-comment"), ("a.md:15", "unclosed-comment"),
        ("a.md:17", "unclosed-comment")]


def test_a_file_named_in_another_unicode_form_is_said_so(tmp_path):
    """A file copied from macOS may write `é` as `e` and an accent mark: `ls` shows the name
    the manifest or chapter gives, and the build said it 'does not exist'."""
    import unicodedata

    def apart(name: str) -> str:
        return unicodedata.normalize("NFD", name)

    why = "is its name in another Unicode form (an accent as a mark of its own, as macOS writes names): rename the"
    found = problems(tmp_path / "chapter", {"deck.yml": "content:\n- - chapître.md\n", apart("chapître.md"): CHAPTER})
    assert (f"deck.yml:2:5: error: chapter file 'chapître.md' does not exist as written: "
            f"'{apart('chapître.md')}' {why} file") in found, found
    picture = "images/été/photo d\u2019été.png"
    found = problems(tmp_path / "picture", {
        "deck.yml": "content:\n- - b.md\n",
        "b.md": "# B\n\n![p](images/%C3%A9t%C3%A9/photo%20d\u2019%C3%A9t%C3%A9.png)\n",
        apart(picture): "x",
    })
    assert (f"b.md:3: error: picture '{picture}' does not exist as written: '{apart(picture)}' {why} "
            "folder and the file") in found, found


def test_a_path_written_in_the_unusual_unicode_form_is_to_be_retyped(tmp_path):
    """The other way round: the manifest or chapter writes `é` as `e` and an accent mark (text
    copied from macOS), the file's name has `é`. The message said to rename the file, whose
    name is the usual one: it is the path as written that is to change."""
    import unicodedata

    def apart(name: str) -> str:
        return unicodedata.normalize("NFD", name)

    why = ("is its name in another Unicode form (its name has each accent in its letter, where the path "
           "writes it as a mark of its own, as text copied from macOS may): retype the path's accented letters")
    found = problems(tmp_path / "chapter", {"deck.yml": f"content:\n- - {apart('chapître.md')}\n",
                                            "chapître.md": CHAPTER})
    assert (f"deck.yml:2:5: error: chapter file '{apart('chapître.md')}' does not exist as written: "
            f"'chapître.md' {why}") in found, found
    found = problems(tmp_path / "picture", {"deck.yml": "content:\n- - b.md\n",
                                            "b.md": f"# B\n\n![p](images/{apart('été')}.png)\n",
                                            "images/été.png": "x"})
    assert (f"b.md:3: error: picture 'images/{apart('été')}.png' does not exist as written: "
            f"'images/été.png' {why}") in found, found



def test_a_link_to_a_slide_name_written_percent_encoded_goes_there(tmp_path):
    """`[to café](#caf%C3%A9)` is how the browser hands remark `#café` anyway: the page looks
    the name up decoded (templates/remark.html), so the link leads to the slide. A name that
    no slide has, encoded or not, still goes nowhere."""
    found = problems(tmp_path, {"deck.yml": "content:\n- a.md\n", "a.md": (
        "# A\n\n[to café](#caf%C3%A9) [to 設定](#%E8%A8%AD%E5%AE%9A) [gone](#caf%C3%A9s)\n\n"
        "---\n\nname: café\n\n# Café\n\n---\n\nname: 設定\n\n# Settings\n")})
    assert found == ["a.md:3: warning: link to #caf%C3%A9s goes nowhere: no slide of this deck is named so"]
