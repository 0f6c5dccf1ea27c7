"""Quick lexers (lexing.py) give Pygments' own tokens; rules are tried by first character.

Generated text is compared too: tests/test_properties.py.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from pygments.lexers import find_lexer_class_by_name

from deckwright.highlight import FENCE, _builtin_aliases
from deckwright.lexing import _first_chars, _parser, quick_lexer_class

OPTIONS = {"stripnl": False, "ensurenl": False, "tabsize": 0}  # as highlight.py makes them

MIXED_CODE = '''#!/bin/sh
# comment
def foo(x): return "str" + 'c' * 12.5e3  // note
<div class="a">{{ x }}</div> $var ${y} `cmd` -- select * from t where a=1;
  key: [1, 2, {a: b}]
@decorator
class A extends B { int f() { return 0x1F; } }
/* multi
line */ end
x = <<~EOS
  heredoc #{y}
EOS
'''

LANGUAGES = ["bash", "yaml", "dockerfile", "go", "json", "python", "css", "ruby", "javascript",
             "sql", "html", "c", "java", "rust", "console", "ini", "toml", "hcl", "diff", "xml"]


@cache
def lexers(language: str) -> tuple[object, object]:
    """Pygments' lexer and ours, for `language`."""
    lexer_class = find_lexer_class_by_name(language)
    return lexer_class(**OPTIONS), quick_lexer_class(lexer_class)(**OPTIONS)


def same_tokens(language: str, text: str) -> None:
    theirs, ours = lexers(language)
    assert list(ours.get_tokens(text)) == list(theirs.get_tokens(text)), (language, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_quick_lexers_give_pygments_tokens(language):
    same_tokens(language, MIXED_CODE)
    same_tokens(language, MIXED_CODE.replace("\n", "\n\n  ") + "\n\t¤ é 日本\u2028")


def test_every_block_of_the_corpus_lexes_as_pygments_does(corpus_root):
    """All fenced blocks of the corpus with a language Pygments knows: 1,895 blocks, 12 languages."""
    from deckwright.remark_lexer import fenced_blocks

    languages = set()
    for path in sorted((corpus_root / "slides").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for start, end in fenced_blocks(text):
            m = FENCE.match(text[start:end])
            language = (m.group(4) or "").lower() if m else ""
            if language in _builtin_aliases():
                languages.add(language)
                same_tokens(language, m.group(6))
    assert {"bash", "yaml", "python", "ruby", "sql"} <= languages


def test_rules_are_tried_by_first_character():
    """In every state of Bash's lexer, at each character, the rules tried are fewer than
    the state's, in its order, and the first of them to match is the state's first to match."""
    _, ours = lexers("bash")
    list(ours.get_tokens(MIXED_CODE))
    states = ours._tokens
    texts = [MIXED_CODE[i:] for i in range(len(MIXED_CODE))] + ["$((1+2))", "${a:-b}", "'x'", '"$y"']
    fewer = 0
    for state in list(states):
        rules = states[state]
        for text in texts:
            tried = states.by_char[state][text[0]]
            assert [rule for rule in rules if rule in tried] == tried
            fewer += len(tried) < len(rules)
            first = next((rule for rule in rules if rule[0](text, 0)), None)
            assert next((rule for rule in tried if rule[0](text, 0)), None) == first, (state, text[:20])
    assert fewer > len(texts)


def starts(expression: str, flags: int = 0) -> frozenset[str] | object | None:
    return _first_chars(_parser.parse(expression, flags))


@pytest.mark.parametrize(("expression", "yes", "no"), [
    ("abc", "a", "bc"),
    ("[a-c_]+x", "abc_", "xd"),
    ("(?:foo|bar)baz", "fb", "ax"),
    ("a?b", "ab", "c"),
    ("(?=x)[xy]", "xy", "z"),  # a lookahead consumes nothing; the class gives the start
    (r"\bif\b", "i", "f"),
    (r"\d+", "05٣", "a "),  # Unicode digits too, as `re` matches them
    (r"[^\n]+", "a#", "\n"),
    (r"\s*#", " \t#", "a"),
    ("(a|)b", "ab", "c"),
])
def test_first_characters(expression, yes, no):
    found = starts(expression)
    assert found is not None
    for char in yes:
        assert char in found, (expression, char)
    for char in no:
        assert char not in found, (expression, char)


@pytest.mark.parametrize("expression", ["", "a*", "(?:x)?", ".x", r"(?:(a)|b?)\1c", "(?i)abc", "(?i:a)b", r"\Z"])
def test_rules_tried_everywhere(expression):
    """Rules that may match empty text, start with any character, or ignore case."""
    assert starts(expression) is None


def test_ascii_flag_narrows_classes():
    assert "é" in starts(r"\w") and "é" not in starts(r"\w", re.ASCII)


@pytest.mark.parametrize("language", ["bash", "yaml"])
def test_at_the_end_only_rules_matching_empty_text_are_tried(language):
    """Pygments tries all the rules of the state it is in at the end of the text: only those
    that can match there, the empty string, are tried (RegexLexer's loop and the extended one)."""
    from deckwright import lexing

    base = quick_lexer_class(find_lexer_class_by_name(language))
    at_end: list[object] = []

    class Counted(base):  # type: ignore[misc, valid-type]
        @classmethod
        def _process_regex(cls, regex, rflags, state):
            match = base._process_regex.__func__(cls, regex, rflags, state)

            def counted(text, pos, *end):
                if pos >= len(text):
                    at_end.append(match)
                return match(text, pos, *end)

            lexing._STARTS[counted] = lexing._STARTS.get(match)
            return counted

    text = "echo $HOME # done" if language == "bash" else "key: [1, 2]\nother: 'x'"
    assert list(Counted(**OPTIONS).get_tokens(text)) == list(lexers(language)[0].get_tokens(text))
    assert all(lexing._STARTS.get(match) is None for match in at_end)
