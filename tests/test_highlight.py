"""Build-time highlighting (deckwright/highlight.py): what changes in a fence, and what must not."""

from __future__ import annotations

import re
from typing import ClassVar

import pytest
from pygments.lexer import RegexLexer, bygroups
from pygments.token import Keyword, Name, Text

from deckwright.highlight import (
    CLASSES,
    LANGUAGE_PREFIX,
    MARKS,
    highlight_markdown,
)

MARK = re.compile("\ue000.|[\ue001-\ue003]")


def shown(text: str) -> str:
    """The text a reader sees once the page turned the marks into spans."""
    return MARK.sub("", text)


def readable(text: str) -> str:
    return (text.replace("\ue000", "<").replace("\ue001", ">")
            .replace("\ue002", "[[").replace("\ue003", "]]"))


def test_colours_a_known_language():
    out = highlight_markdown("```bash\n# home\necho $HOME\n```\n")
    assert readable(out) == f"```{LANGUAGE_PREFIX}bash\n<c# home>\n<becho> <v$HOME>\n```\n"


@pytest.mark.parametrize("fence", [
    "```\nplain text\n```\n",  # no language: remark shows it as it is
    "```nosuchlanguage\nx = 1\n```\n",  # unknown to Pygments: remark's highlight.js decides
    "```bash\necho \ue000 already marked\n```\n",  # our marks in the code: never guess
])
def test_leaves_blocks_to_remark(fence):
    assert highlight_markdown(fence) == fence


def test_text_and_line_starts_are_kept():
    fence = ("```python\n"
             "def f(x):\n"
             "*   return x  # the line remark highlights\n"
             "\n"
             "    ---\n"
             "--\n"
             "???\n"
             "  [not](a link) .class[no macro] *no emphasis* _nor_ {{nor this}}\n"
             "```\n")
    out = highlight_markdown(fence)
    lines = out.split("\n")
    assert shown(out) == fence.replace("```python", f"```{LANGUAGE_PREFIX}python")
    # marked dedents and remark finds `*` lines by their first characters: untouched
    assert lines[2].startswith("*   ") and lines[5] == "--" and lines[6] == "???"
    assert lines[4] == "    ---"
    assert lines[7].startswith("  ") and not lines[7].startswith("  \ue000\ue000")


def test_backquoted_spans_become_span_marks():
    out = highlight_markdown('```bash\ndocker run `--rm` alpine echo "`hi`"\n```\n')
    line = out.split("\n")[1]
    assert "`" not in line
    assert re.sub("\ue000.|\ue001", "", line) == 'docker run \ue002--rm\ue003 alpine echo "\ue002hi\ue003"'


def test_span_rules_are_remarks():
    # as remark: no character before the first quote, nothing between the others
    out = highlight_markdown("```bash\n`start` alone\na``b\n```\n")
    assert shown(out).split("\n")[1:3] == ["`start` alone", "a``b"]
    assert "\ue002" not in out


def test_escaped_span_is_left_to_remark():
    fence = '```bash\necho "Today is \\`date +%A`"\n```\n'
    assert highlight_markdown(fence).split("\n")[1] == 'echo "Today is \\`date +%A`"'


def test_lines_with_remark_variables_are_left_to_remark():
    fence = '```bash\necho "{{name}}" \\{{kept}}\necho "hi"  # a comment\n```\n'
    lines = highlight_markdown(fence).split("\n")
    assert lines[1] == 'echo "{{name}}" \\{{kept}}'  # remark expands these itself
    assert any(mark in lines[2] for mark in MARKS)  # the other lines are coloured


def test_fence_in_list_and_content_block_keeps_its_indentation():
    md = ".lab[\n\n- Write:\n  ```yaml\n  spec:\n    replicas: 3\n  ```\n\n]\n"
    out = highlight_markdown(md)
    assert f"  ```{LANGUAGE_PREFIX}yaml\n" in out
    assert shown(out).replace(LANGUAGE_PREFIX, "") == md


def test_only_real_fences_are_touched():
    md = "Inline `code` and\n\n    ```bash\n    indented code, not a fence\n    ```\n"
    assert highlight_markdown(md) == md


def test_every_letter_has_a_class():
    letters = set(re.findall("\ue000(.)", highlight_markdown(SAMPLE)))
    assert letters and letters <= set(CLASSES)
    assert all(mark not in SAMPLE for mark in MARKS)


SAMPLE = """\
```go
package main
import "fmt"
func main() { fmt.Println(42) }
```

```json
{"a": [1, true, null]}
```
"""


def test_slide_by_slide_colours_as_the_whole_deck(corpus_root):
    """Pages colour each slide on its own (memoized, decks share slides): the result must
    be what colouring the whole deck's source at once gives, for every corpus deck."""
    from deckwright.builder import Workshop, compile_deck
    from deckwright.reader import Project
    from deckwright.render import deck_markdown

    project = Project.at(corpus_root / "slides")
    workshop = Workshop.open(project, env={})
    for name in project.manifests():
        deck, _ = compile_deck(workshop, workshop.load(name)[0])
        coloured = deck_markdown(deck, coloured=True)
        assert coloured == highlight_markdown(deck_markdown(deck)), name
        assert LANGUAGE_PREFIX in coloured, name


def test_tokens_over_several_lines_are_marked_line_by_line():
    # a string over three lines, one of them a `*` line and one indented: each line opens
    # and closes its own marks, and keeps its start
    fence = '```python\ns = """first\n*   second\n      third"""\nx = 1\n```\n'
    out = highlight_markdown(fence)
    lines = out.split("\n")[1:-2]
    assert shown(out) == fence.replace("```python", f"```{LANGUAGE_PREFIX}python")
    assert [line.count("\ue000") == line.count("\ue001") > 0 for line in lines] == [True] * 4
    assert lines[1].startswith("*   \ue000s") and lines[2].startswith("      \ue000s")


class _Forgetful(RegexLexer):
    """A lexer that does not give back all it is given: `!` after a word, and `!\\n` on its own line."""

    tokens: ClassVar = {"root": [
        (r"(\n)!\n", bygroups(Text)), (r"(\w+)!", bygroups(Keyword)), (r"\w+", Keyword), (r"\s+", Text), (r".", Name),
    ]}


@pytest.mark.parametrize(("body", "expected"), [
    # the line whose text the lexer lost is left as it is; the others are coloured
    ("go!\ngo\n", ["go!", "\ue000kgo\ue001"]),
    # a lost line end: the lines cannot be matched, and the block is left to remark
    ("a\n!\nb\n", None),
])
def test_text_the_lexer_does_not_give_back_is_left_as_it_is(monkeypatch, body, expected):
    from deckwright import highlight

    lexer = _Forgetful(stripnl=False, ensurenl=False)
    monkeypatch.setattr(highlight, "_lexer", lambda language: lexer)
    fence = f"```forgetful\n{body}```\n"
    out = highlight_markdown(fence)
    if expected is None:
        assert out == fence
    else:
        assert out.split("\n")[1:3] == expected
