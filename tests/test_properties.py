"""Whatever people type, deckwright answers with a deck or `path:line: message`, never a traceback.

Hostile inputs that once crashed or hung run in a subprocess with limits on time and
memory (a regression must fail one test, not kill the test run). Generated inputs
(hypothesis) run in-process with a deadline; see `PROFILES` for how many.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckwright.builder import build
from deckwright.reader import Project
from deckwright.remark_lexer import separators
from deckwright.slides import split_chapter

from .conftest import REPO, write_files
from .pages import page_markdown

MEMORY_LIMIT = 1 << 30  # address space of a limited build: 1 GiB
TIME_LIMIT = 120  # seconds: generous, the machine is shared


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def limited_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m deckwright ARGS` in `root`, with bounded memory and time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "deckwright", *args], cwd=root, env=env, capture_output=True,
        text=True, timeout=TIME_LIMIT, preexec_fn=_limits, check=False,
    )


def alias_bomb(levels: int = 9, width: int = 9) -> tuple[str, str]:
    """YAML anchors each holding `width` aliases of the one before ("billion laughs"),
    as mapping lines (no indent), and the alias of the last one."""
    lines = ["b0: &b0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines), f"*b{levels}"


def assert_clean_failure(run: subprocess.CompletedProcess[str], expected: str) -> None:
    """Exit 1, no traceback, and the expected `path:line: error: message` on stderr."""
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    assert expected in run.stderr, run.stderr[-2000:]


# -- inputs that once crashed -----------------------------------------------------------------


DEEP_MANIFESTS = {
    # libyaml's composer recursed per level: the process died of a stack overflow (SIGSEGV).
    "flow lists": (lambda: "content: " + "[" * 200_000 + "]" * 200_000 + "\n",
                   "deck.yml:1:109: error: lists and mappings nest over 100 levels deep"),
    "flow mappings": (lambda: "title: x\nother: " + "{a: " * 100_000 + "1" + "}" * 100_000
                      + "\ncontent: [a.md]\n",
                      "deck.yml:2:404: error: lists and mappings nest over 100 levels deep"),
    # Deep enough for Python's recursion limit while flattening parts (RecursionError).
    "parts": (lambda: "content:\n- " + "[" * 900 + "a.md" + "]" * 900 + "\n",
              "deck.yml:2:101: error: lists and mappings nest over 100 levels deep"),
    # The same depth reached through aliases: shallow text, deep lists.
    "aliases": (lambda: "\n".join(["x0: &a0 [a.md]"] + [f"x{i}: &a{i} [*a{i - 1}]" for i in range(1, 3000)])
                + "\ncontent:\n- *a2999\n", "deck.yml:2899:8: error: lists nest over 100 levels deep"),
}


@pytest.mark.parametrize("case", sorted(DEEP_MANIFESTS))
def test_deeply_nested_manifests_fail_with_a_message(tmp_path, case):
    manifest, expected = DEEP_MANIFESTS[case]
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": manifest(), "a.md": "# A\n"})
    assert_clean_failure(limited_cli(root, "build", "--out", str(tmp_path / "out")), expected)


def _bombed(where: str) -> str:
    anchors, alias = alias_bomb()
    value = {"content": f"content: {alias}\n", "part": f"content:\n- {alias}\n"}.get(where)
    return anchors + "\n" + (value or f"{where}: {alias}\ncontent: [a.md]\n")


# (command, manifest with the alias bomb under a key, index.yaml or None, expected on stderr
# with exit 1, or None for a success). 9**10 items if anything expanded them. An alias's
# problem is reported where its anchor stands (YAML keeps no place for the alias itself).
ALIAS_BOMBS = {
    "build content": (["build"], _bombed("content"), None, "deck.yml:1:5: error: manifest is too large (over 100000 YAML nodes)"),
    "build part": (["build"], _bombed("part"), None, "error: manifest is too large (over 100000 YAML nodes)"),
    "build title": (["build"], _bombed("title"), None, "deck.yml:10:5: error: 'title' must be text, not a list"),
    "build exclude": (["build"], _bombed("exclude"), None, "deck.yml:9:5: error: 'exclude' items must be class names"),
    "build unknown key": (["build"], _bombed("colour"), None, None),
    # These two expanded the bomb: `stats` read `duration` with yaml.safe_load, `site` built
    # each index.yaml field whole; both ran out of time and memory.
    "stats duration": (["stats"], _bombed("duration"), None, None),
    "site index.yaml": (["site"], "content: [a.md]\n",
                        "- title: x\n" + "\n".join("  " + line for line in alias_bomb()[0].split("\n"))
                        + f"\n  city: {alias_bomb()[1]}\n", "error: 'city' must be text, not a list"),
}


@pytest.mark.parametrize("case", sorted(ALIAS_BOMBS))
def test_yaml_alias_bombs_end_quickly_in_bounded_memory(tmp_path, case):
    command, manifest, index, expected = ALIAS_BOMBS[case]
    files = {"deck.yml": manifest, "a.md": "# A\n\nText\n"}
    if index is not None:
        files["index.yaml"] = index
    root = write_files(tmp_path / "repo" / "slides", files)
    out = [] if command == ["stats"] else ["--out", str(tmp_path / "out")]
    run = limited_cli(root, *command, *out)
    if expected is None:
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    else:
        assert_clean_failure(run, expected)


def test_an_include_bomb_stops_with_a_message(tmp_path):
    # Six files each including the next twenty times: 20**6 includes (it never finished).
    files = {"deck.yml": "content: [a.md]\n", "a.md": "# A\n\n@@INCLUDE[slides/i0.md]\n", "i6.md": "x\n"}
    for i in range(6):
        files[f"i{i}.md"] = f"@@INCLUDE[slides/i{i + 1}.md]\n" * 20
    root = write_files(tmp_path / "repo" / "slides", files)
    run = limited_cli(root, "build", "--out", str(tmp_path / "out"))
    assert_clean_failure(run, "i5.md:6: error: over 1000 @@INCLUDEs expanded in one chapter")


# -- generated inputs (hypothesis) ------------------------------------------------------------------
#
# Profiles: "ci" (default) keeps the whole property suite well under a minute on two shared
# cores; DECKWRIGHT_HYPOTHESIS=long tries a hundred times more (see the README).

PROFILES = {"ci": 60, "long": 6000}  # examples per property
for _name, _examples in PROFILES.items():
    settings.register_profile(
        _name, max_examples=_examples, deadline=timedelta(seconds=20), derandomize=_name == "ci",
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
settings.load_profile(os.environ.get("DECKWRIGHT_HYPOTHESIS", "ci"))

PROBLEM_LINE = re.compile(r"^[^\n]+:\d+(:\d+)?: (error|warning): [^\n]+(\n    [^\n]*)?$")
TRIED = {"manifests": 0, "chapters": 0, "round trips": 0}  # read by the note on issue 7

# Pieces of chapters: remark's separators and what hides them, properties, directives, HTML.
FRAGMENTS = [
    "---", "--", "???", "----", "- - -", "```", "```bash", "~~~", "    indented ---", "`inline`", "`",
    "class: extra-details", "class: hide", "name: n1", "exclude: true", "layout: true",
    "<!-- class: hide -->", "background-image: url(pic.png)", ".lab[", ".exercise[", "]", "[", "[x](#n1)",
    "[y](#nowhere)", "![](pic.png)", "![](missing.png)", "![](../../secret.png)", "<img src=\"pic.png\">",
    "@@TOC@@", "@@TITLE@@", "@@CHAT@@", "@@SLIDENUMBERPREFIX@@", "@@LINK[slides/a.md]", "@@TYPO@@",
    "@@INCLUDE[slides/inc.md]", "@@INCLUDE[slides/loop.md]", "@@INCLUDE[slides/none.md]",
    "@@INCLUDE[../../etc/passwd]", "@@INCLUDE[/etc/passwd]", "@@INCLUDE[", "# Title", "## Sub", "#",
    "</textarea><script>alert(1)</script>", "<div>", "</div>", "&amp; &lt; &#0;", "\x00", "\x0b\x0c",
    "\u2028", "\u0085", "\U0001f600", "\ufeff", "", " ", "\t",
]
BAD_BYTES = [b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\r", b"\r\n", b"\xef\xbb\xbf"]

line = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30),
                 st.builds("".join, st.lists(st.sampled_from(FRAGMENTS), max_size=4)))
chapter_text = st.builds("\n".join, st.lists(line, max_size=40))


@st.composite
def chapter_bytes(draw) -> bytes:
    """A chapter: lines joined by LF, CRLF or CR, maybe a BOM, maybe invalid UTF-8 here and there."""
    text = draw(chapter_text)
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    data = text.replace("\n", ending).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


SCALARS = ["x", "", "''", "~", "null", "true", "1", "1.5", "[]", "{}", "[a.md]", "'a: b'", "|\n  block\n",
           "*anchor", "&anchor value", "!!binary aGk=", "!custom x", "\"\\u0000\"", "\"\\ud800\"",
           "'<script>alert(1)</script>'", "\U0001f600", "a" * 5000, "[" * 120 + "]" * 120, "{a: [b, {c: d}]}"]
KEYS = ["title", "chat", "gitrepo", "slides", "zip", "html", "slidenumberprefix", "exclude", "content",
        "chapters", "duration", "colour", "", "? complex", "content", "<<"]
ITEMS = ["a.md", "b.md", "missing.md", "../outside.md", "/abs.md", "a.md", "sub/../a.md", "~", "[a.md, b.md]",
         "[[a.md]]", "{x: 1}", "|\n    # Inline\n\n    text\n", "*items", "''", "'@@INCLUDE[slides/inc.md]'"]


@st.composite
def manifest_text(draw) -> str:
    """A manifest: known and odd keys, odd values, content lists, anchors and aliases."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))  # anything at all
    lines = []
    if draw(st.booleans()):
        lines.append("anchors: [&items [a.md], &anchor x]")
    for _ in range(draw(st.integers(0, 6))):
        lines.append(f"{draw(st.sampled_from(KEYS))}: {draw(st.sampled_from(SCALARS))}")
    if draw(st.integers(0, 5)):
        lines.append("content:")
        for _ in range(draw(st.integers(0, 6))):
            items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3))
            if draw(st.booleans()):
                lines.append("- - " + "\n  - ".join(items))
            else:
                lines += ["- " + item for item in items]
    if draw(st.integers(0, 19)) == 0:
        anchors, alias = alias_bomb(6, 9)
        lines = [anchors, f"colour: {alias}"] + lines
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n\t"]))


def build_project(files: dict[str, bytes]) -> tuple[list, Path, tempfile.TemporaryDirectory]:
    temp = tempfile.TemporaryDirectory(prefix="deckwright-prop-")
    root = Path(temp.name) / "repo" / "slides"
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    results = build(Project.at(root), ["deck.yml"], Path(temp.name) / "out", env={})
    return results, Path(temp.name) / "out", temp


def assert_deck_or_messages(results, out: Path) -> None:
    """Each deck is either written or explained, one `path:line: severity: message` per problem."""
    for result in results:
        for problem in result.problems:
            assert PROBLEM_LINE.match(str(problem)), str(problem)
        if result.ok:
            page = (out / result.html).read_text(encoding="utf-8")
            assert page_markdown(page) and page.rstrip().endswith("</html>")
        else:
            assert any(p.is_error for p in result.problems)


BASE_FILES = {
    "a.md": b"# Chapter A\n\nText\n",
    "b.md": b"# Chapter B\n\n--\n\nStep\n",
    "inc.md": b"Included line\n",
    "loop.md": b"@@INCLUDE[slides/loop.md]\n",
    "pic.png": b"\x89PNG\r\n\x1a\n",
}


@given(manifest=manifest_text(), chapter=chapter_bytes())
def test_any_manifest_builds_or_says_why(manifest, chapter):
    TRIED["manifests"] += 1
    files = {**BASE_FILES, "deck.yml": manifest.encode("utf-8", "surrogatepass"), "b.md": chapter}
    results, out, temp = build_project(files)
    with temp:
        assert_deck_or_messages(results, out)


@given(chapter=chapter_bytes(), extra=chapter_bytes())
def test_any_chapter_builds_or_says_why(chapter, extra):
    TRIED["chapters"] += 1
    files = {**BASE_FILES, "deck.yml": b"exclude: [hide]\ncontent:\n- - a.md\n  - b.md\n- - inc.md\n",
             "b.md": chapter, "inc.md": extra}
    results, out, temp = build_project(files)
    with temp:
        assert_deck_or_messages(results, out)


CODE_LINES = ["```bash", "```python", "~~~yaml", "echo `date` $HOME # x", "x: [1, {a: b}]", "*  def f(): pass",
              "    ```", "\\`not` {{var}}", ".lab["]
code_chapter = st.builds("\n".join, st.lists(st.one_of(line, st.sampled_from(CODE_LINES)), max_size=40))


@given(text=code_chapter)
def test_blocks_found_at_split_are_coloured_as_a_scan_of_the_slide_colours_them(text):
    """Pages colour the fenced blocks found when the chapter was split (render.py); that
    must be what looking for them again in the slide's Markdown, footers on, finds."""
    from deckwright.highlight import highlight_markdown
    from deckwright.model import RepoLink
    from deckwright.render import coloured_markdown, slide_markdown
    from deckwright.slides import split_chapter
    from deckwright.stages import with_footers

    repo = RepoLink("https://example.org/o/r", "main", "slides")
    for slide in split_chapter("a.md", text).slides:
        for shown in (slide, with_footers(slide, repo)):
            assert all(step.blocks is not None for step in shown.steps)
            assert coloured_markdown(shown) == highlight_markdown(slide_markdown(shown))


FENCE_PIECES = ["```", "~~~", "````", "`", "~", " ", "  ", "\n", "\n\n", "bash", "x", "```yaml\n", "a```", "\t"]
fence_text = st.builds("".join, st.lists(st.sampled_from(FENCE_PIECES), max_size=40))


@given(text=fence_text)
def test_expressions_tried_at_fence_lines_find_what_their_finditer_finds(text):
    """slides.py and colourer.py try their `^`-anchored expressions only at the lines
    remark_lexer.fence_lines gives; that must find what scanning the whole text finds."""
    from deckwright import colourer, slides
    from deckwright.remark_lexer import fence_lines, fenced_blocks

    anchored = re.compile(r"^ *(?:```|~~~)", re.MULTILINE)
    assert [start for start, _, _ in fence_lines(text)] == [m.start() for m in anchored.finditer(text)]
    two_marks = re.compile(r"^ *(?:```|~~~).*(?:```|~~~)", re.MULTILINE)
    expected = ([text[start:end] for start, end in fenced_blocks(text)] if two_marks.search(text)
                else [m.group(0) for m in colourer._LIKELY_BLOCK.finditer(text)])
    assert colourer.likely_blocks(text) == expected
    opened = [m.start() for m in slides._OPEN_FENCE.finditer(text)]
    assert [start for start, _, _ in fence_lines(text) if slides._OPEN_FENCE.match(text, start)] == opened


# remark's own fence expression, which tries an opening run whole, then one mark shorter,
# and so on (the reference for the quicker expressions that read fences the same way).
REMARK_FENCES = r"(?:^|\n) *(`{3,}|~{3,}) *(?:\S+)? *\n(?:[\s\S]+?)\s*\4 *(?:\n+|\Z)"
# The earlier expressions of blank_code, the colouring and the colourer (same reason).
SLOW_EXPRESSIONS = {
    "blank_code": re.compile(r"^ *(`{3,}|~{3,})[^\n]*\n.*?^ *\1 *$", re.MULTILINE | re.DOTALL),
    "colour": re.compile(r"(\n? *)(`{3,}|~{3,})( *)(\S+)?( *\n)([\s\S]+?)(\s*\2 *(?:\n+|\Z))"),
    "likely": re.compile(r"^ *(`{3,}|~{3,}) *(?:\S+)? *\n[\s\S]+?\s*\1 *$", re.MULTILINE),
}


def remark_scan(text: str, inline: bool, pos: int, end: int) -> list:
    """remark_lexer.scan with remark's own fence expression (slow on long runs of marks)."""
    from unittest import mock

    from deckwright import remark_lexer

    # The group `uneven` kept (it never matches), so that the groups after it keep their numbers.
    with mock.patch.dict(remark_lexer._PARTS, FENCES=REMARK_FENCES + "(?P<uneven>(?!))?"):
        names = remark_lexer._INLINE if inline else remark_lexer._BLOCK
        at, after = remark_lexer._combine(names, True), remark_lexer._combine(names, False)
    patterns = ("_INLINE_AT", "_INLINE_AFTER") if inline else ("_BLOCK_AT", "_BLOCK_AFTER")
    with mock.patch.multiple(remark_lexer, **dict(zip(patterns, (at, after)))):
        return remark_lexer.scan(text, inline, pos, end)


RUN_PIECES = FENCE_PIECES + ["`````", "~~~~~", "``````x\n", "\n````\n", "\n   ~~~~ \n", "[a](#b)", "`c`", "]"]
run_text = st.builds("".join, st.lists(st.sampled_from(RUN_PIECES), max_size=40))


@given(text=run_text, inline=st.booleans(), data=st.data())
def test_fences_are_read_as_remarks_own_expression_reads_them(text, inline, data):
    """The lexer, blank_code, the colouring and the colourer read a fence's opening run whole,
    and find a fence that fewer marks close by themselves: what they find is what the
    expressions that tried every shorter run found."""
    from deckwright import colourer, highlight, links
    from deckwright.remark_lexer import fenced_blocks, scan

    pos = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(pos, len(text)))
    assert scan(text, inline, pos, end) == remark_scan(text, inline, pos, end)
    slow_blank = SLOW_EXPRESSIONS["blank_code"].sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    assert links.blank_code(text) == links._INLINE_CODE.sub(links._blank, slow_blank)
    for start, stop in fenced_blocks(text):
        block, m = text[start:stop], highlight.FENCE.match(text[start:stop])
        slow = SLOW_EXPRESSIONS["colour"].match(block)
        # A block that only fewer marks close is not matched: its language starts with marks.
        assert m.groups() == slow.groups() if m else slow.group(4)[0] in "`~"
    for start in range(len(text)):
        m, slow = colourer._LIKELY_BLOCK.match(text, start), SLOW_EXPRESSIONS["likely"].match(text, start)
        assert (m and m.group(0)) == (slow and slow.group(0))


# A line of 200,000 backquotes that fewer marks close far below (remark tried each shorter
# run, reading the rest each time: half a minute for 32,000 marks, and four times as long
# for twice as many), a fence opened before 200,000 blank lines (remark's `\s*` before the
# closing marks read every blank line again from each), and a block of those coloured.
LONG_FENCES = ("# A\n\n" + "`" * 200_000 + "\n[x](#a)\n\n---\n\n```\n" + "\n" * 200_000 + "x\n---\n\n"
               + "~" * 100_000 + "bash\n" + "[y](#b)\n" * 10_000 + "~~~\n\n---\n\nEnd [z](#c)\n\n```bash\n"
               + "\n" * 100_000 + "x\n```\n")


def test_long_runs_of_fence_marks_and_blank_lines_are_read_in_linear_time(tmp_path):
    root = write_files(tmp_path / "slides", {"deck.yml": "content: [a.md]\n", "a.md": LONG_FENCES})
    run = limited_cli(root, "build", "--root", ".", "--out", str(tmp_path / "out"))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    # The first fence runs over its slide's `---` (remark's slides: 3); links in fences are code.
    assert "3 slides" in run.stdout + run.stderr
    warnings = [line for line in (run.stdout + run.stderr).splitlines() if "warning:" in line]
    line = LONG_FENCES.count("\n", 0, LONG_FENCES.index("[z]")) + 1
    assert warnings == [f"a.md:{line}: warning: link to #c goes nowhere: no slide of this deck is named so"]


# Pieces of code in many languages: strings, comments, heredocs, brackets, keywords, odd bytes.
CODE_PIECES = ["echo", " ", "\n", "\t", "$HOME", "${x:-y}", "$((1+2))", "'", '"', "`", "#", "//", "/*", "*/",
               "<<EOF", "EOF", "<<~X", "X", "def", "class", "SELECT", "from", "- ", "key: ", ": ", "{", "}",
               "[", "]", "(", ")", "0x1F", "1.5e3", "\\", "|", "&&", ";", "<div>", "</div>", "--", "@x",
               "%", "é", "日本", "\u2028", "\x00", "\r", "=", "~", "?", "!", "\\n", "#{y}", "---", "..."]
code_text = st.builds("".join, st.lists(st.sampled_from(CODE_PIECES), max_size=60))


LINE_STARTS = ["", " ", "    ", "\t", "*", "* ", "  * ", "*\t"]
code_line = st.builds(lambda start, text: start + text, st.sampled_from(LINE_STARTS), code_text)


@given(language=st.sampled_from(["bash", "yaml", "python", "console", "go"]), indent=st.sampled_from(["", "  "]),
       lines=st.lists(code_line, min_size=1, max_size=6))
def test_colouring_changes_no_text_and_each_line_closes_its_marks(language, indent, lines):
    """What remark shows of a coloured block is the block's text, whatever the code: the
    marks come off as the page's script takes them off, each line opens and closes its own
    marks, and the start of each line (indentation, remark's `*`) is untouched."""
    from deckwright.highlight import LANGUAGE_PREFIX, LINE_START, colour_block

    body = "\n".join(indent + re.sub("``", "`'", line.replace("\n", " ")) for line in lines)
    block = f"{indent}```{language}\n{body}\n{indent}```"
    coloured = colour_block(block)
    if coloured == block:
        return  # left to remark (our marks in the code, say)
    shown = re.sub("\ue000.|\ue001", "", coloured).replace("\ue002", "`").replace("\ue003", "`")
    assert shown == block.replace(f"```{language}", f"```{LANGUAGE_PREFIX}{language}", 1)
    for before, after in zip(block.split("\n")[1:-1], coloured.split("\n")[1:-1]):
        start = LINE_START.match(before).end()
        assert after[:start] == before[:start]
        assert re.fullmatch("[^\ue000\ue001]*(?:\ue000.[^\ue000\ue001]*\ue001[^\ue000\ue001]*)*", after[start:])


@given(language=st.sampled_from(["bash", "yaml", "python", "ruby", "sql", "javascript", "dockerfile",
                                 "go", "css", "html", "console", "c"]), text=code_text)
def test_quick_lexers_give_pygments_tokens_on_any_text(language, text):
    """lexing.py's lexers (rules tried by first character) give Pygments' own tokens."""
    from .test_lexing import same_tokens

    same_tokens(language, text)


def test_a_control_character_in_a_manifest_is_one_message_at_its_place(tmp_path):
    # PyYAML's reader error has no mark: it was reported at line 1 with a second line of its own.
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "title: x\ncontent: [a\x07]\n", "a.md": "# A\n"})
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == [
        ("deck.yml:2:12: error: invalid YAML: control characters are not allowed (character #x0007)"
         "\n    content: [a\x07]")
    ]


# -- round trips: every line of slide text lands once, in order, in its own slide --------------------

ODD = ["<b>", "</textarea>", "&amp;", "&", "<", "\x0c", "\u2028", "\u0085", "\U0001f600", "é", "\t", " "]
words = st.lists(st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                                         exclude_characters="`[]\\@w0123456789"),
                           st.sampled_from(ODD)), max_size=8).map("".join)


@st.composite
def slide_plan(draw) -> dict:
    """One slide: properties, an optional chapter title, then blocks that hide separators."""
    props = draw(st.sampled_from([[], ["class: hide"], ["class: extra-details"], ["class: in-person, hide"],
                                  ["name: custom"]]))
    blocks = draw(st.lists(st.sampled_from(["text", "text", "fence", "content", "inline", "step", "notes"]),
                           min_size=1, max_size=6))
    return {"props": props, "title": draw(st.booleans()), "blocks": blocks,
            "words": draw(st.lists(words, min_size=12, max_size=12))}


def render_chapter(plans: list[dict]) -> tuple[str, list[list[str]], list[bool]]:
    """The chapter's text, the tagged lines' tokens per slide, and whether each slide is excluded."""
    counter = iter(range(100_000))
    slides_text, tokens, excluded = [], [], []
    for number, plan in enumerate(plans):
        mine: list[str] = []

        def tagged(prefix: str = "", plan: dict = plan, mine: list[str] = mine) -> str:
            token = f"w{next(counter):05d}x"
            mine.append(token)
            return f"{prefix}{token} {plan['words'][len(mine) % 12]}"

        # Each slide named its own name: two slides with one name are an error.
        lines = [f"{p}-{number}" if p.startswith("name:") else p for p in plan["props"]]
        if lines:
            lines.append("")
        if number == 0 or plan["title"]:
            lines += [f"# Chapter part {number}", ""]
        lines.append(tagged())
        for block in plan["blocks"]:
            if block == "text":
                lines.append(tagged(["", "- ", "## ", "> ", "<b>", "&amp; "][len(mine) % 6]))
            elif block == "fence":
                lines += ["```bash", tagged(), "---", "--", "???", tagged("  "), "```"]
            elif block == "content":  # in code: a bare `---` in a block is an error (see below)
                lines += [".lab[", tagged(), "```", "---", "???", "```", tagged(), "]"]
            elif block == "inline":
                lines.append(tagged("`---` and ") + " `--`")
            elif block == "step":
                lines += ["--", tagged()]
            elif block == "notes":
                lines += ["???", tagged(), "", tagged()]
        slides_text.append("\n".join(lines))
        tokens.append(mine)
        excluded.append(any(p.startswith("class:") and "hide" in p for p in plan["props"]))
    return "\n---\n".join(slides_text) + "\n", tokens, excluded


def deck_source(page: str) -> str:
    """The Markdown remark is handed, decoded as the browser does."""
    return page_markdown(page)


@given(plans=st.lists(slide_plan(), min_size=1, max_size=8), ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_every_line_of_slide_text_lands_once_in_order_in_its_slide(plans, ending):
    TRIED["round trips"] += 1
    text, tokens, excluded = render_chapter(plans)
    files = {**BASE_FILES, "deck.yml": b"exclude: [hide]\ncontent:\n- - b.md\n",
             "b.md": text.replace("\n", ending).encode()}
    [result], out, temp = build_project(files)
    with temp:
        if all(excluded):  # nothing left to show: an error, not a blank page
            assert [p.message for p in result.problems if p.is_error] == [
                "the deck has no slides: its chapters are empty, or every slide is excluded"]
            return
        assert result.ok, [str(p) for p in result.problems]
        source = deck_source((out / result.html).read_text(encoding="utf-8"))
    # Which remark slide each offset is in: count the `---` separators before it.
    starts = [t.start for t in separators(source) if t.text == "---"]
    where: dict[str, int] = {}
    last = -1
    for slide, (mine, gone) in enumerate(zip(tokens, excluded)):
        for token in mine:
            assert source.count(token) == (0 if gone else 1), (token, gone)
            if gone:
                continue
            at = source.index(token)
            assert at > last, f"{token} is out of order"
            last = at
            where[token] = sum(s < at for s in starts)
        kept = {where[t] for t in mine if t in where}
        assert len(kept) <= 1, f"input slide {slide} was split over remark slides {kept}"
    firsts = [where[m[0]] for m, gone in zip(tokens, excluded) if not gone]
    assert len(set(firsts)) == len(firsts), "two input slides were merged into one"


@given(plans=st.lists(slide_plan(), min_size=1, max_size=8), separator=st.sampled_from(["---", "--", "???"]))
def test_a_block_over_a_separator_line_is_an_error_at_its_opener(plans, separator):
    # remark takes the separator into the block and merges the slides around it.
    text, _, _ = render_chapter(plans)
    line = text.count("\n") + 1
    chapter = split_chapter("b.md", text + f".lab[\nw one\n{separator}\nw two\n]\n")
    expected = (f"b.md:{line}: error: '.lab[' is not closed on its slide: its ']' is at line {line + 4}, "
                "so remark takes 1 separator(s) ('---', '--', '???') into the block")
    assert [str(p).split("\n")[0] for p in chapter.problems if p.is_error] == [expected]


def test_a_second_notes_separator_keeps_the_first_notes_in_the_source_and_warns(tmp_path):
    # remark resets a slide's notes at each `???`; deckwright used to drop the first notes'
    # text from the built source (found by the round trip above).
    root = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "content:\n- a.md\n", "a.md": "Slide\n???\nfirst notes\n???\nsecond notes\n"})
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == [
        "a.md:4: warning: a second ??? in one slide: remark shows only the notes after it"]
    source = deck_source((tmp_path / "out" / result.html).read_text())
    assert "Slide\n\n.source[" in source and source.endswith("???\nfirst notes\n???\nsecond notes\n")


# Brackets that may be pictures by reference (links.PICTURE_REFERENCE): read in time that
# grows with the text, not with its square (a look-ahead to the end of the text at each `]`,
# or two repeats of spaces one after the other, took minutes for these 1.8 MB).
LONG_BRACKETS = ("# A\n\n![" + "a]" * 300_000 + "\n---\n![a]" + " " * 600_000 + "x\n---\n![" + "]" * 600_000
                 + "\n")


def test_brackets_like_pictures_by_reference_are_read_in_linear_time(tmp_path):
    root = write_files(tmp_path / "slides", {"deck.yml": "content: [a.md]\n", "a.md": LONG_BRACKETS})
    run = limited_cli(root, "build", "--root", ".", "--out", str(tmp_path / "out"))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]


def test_a_picture_url_with_a_line_break_is_read_as_the_browser_reads_it(tmp_path):
    # Found by the long run: `<img src="\rpic.png">` was "picture '\npic.png' does not exist",
    # a message over two lines about a picture the browser shows (it drops tabs and line ends).
    root = write_files(tmp_path / "repo" / "slides", {
        "deck.yml": "content:\n- a.md\n",
        "a.md": '# A\n\n<img src="\npic.png">\n\n<img src="\n gone.png ">\n'})
    (root / "pic.png").write_bytes(BASE_FILES["pic.png"])
    [result] = build(Project.at(root), ["deck.yml"], tmp_path / "out", env={})
    assert [str(p) for p in result.problems] == ["a.md:6: error: picture 'gone.png' does not exist"]
