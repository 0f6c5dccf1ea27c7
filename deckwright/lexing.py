"""Pygments' regex lexers, quicker to start and to run, giving the same tokens.

Colouring code is most of a cold build's work, and two things in Pygments'
regex lexers cost the most of it:

- a lexer compiles the rules of all its states before its first token, though
  the corpus's blocks never enter a fifth of them: here a state's rules are
  compiled when lexing first enters that state;
- at each position, a lexer tries the rules of its current state one after the
  other until one matches: 15 tries per token over the corpus (2 here). Each rule's
  expression, as it is compiled, tells which characters its match can start
  with; at each position only the rules that can match the character there are
  tried, still in their order. A rule that can match the empty string, or whose
  first character cannot be told (case-insensitive rules, for one), is tried
  everywhere; at the end of the text, only such rules are (Pygments tries all of
  the state's rules there, at the end of every block: a third of its tries).

Skipping a rule that cannot match at a position changes nothing: the first rule
that matches is the same, so the tokens are Pygments' own (tests/test_lexing.py
compares them, over the corpus's code and over generated text). The loops below
do what RegexLexer's and ExtendedRegexLexer's do, rule list aside; lexers that
run their own loop keep it, with their states compiled on demand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pygments.lexer import (
    ExtendedRegexLexer,
    Future,
    LexerContext,
    RegexLexer,
    RegexLexerMeta,
    _TokenType,
)
from pygments.token import Error, Text, Whitespace

try:  # the parser and compiler behind `re.compile`
    from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as _constants  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

# A match function and what the lexer does with a match: Pygments' compiled rule.
Rule = tuple[Any, Any, Any]


def quick_lexer_class(lexer_class: type) -> type:
    """`lexer_class` with its states compiled on demand and its rules tried by first character.

    The loops below replace Pygments' own where the lexer uses them (directly, or through
    `super()`); a lexer that calls `RegexLexer.get_tokens_unprocessed` by name keeps
    Pygments' loop over the same rules. Lexers of other kinds are returned as they are.
    """
    from pygments.lexer import ExtendedRegexLexer, RegexLexerMeta

    if not isinstance(lexer_class, RegexLexerMeta) or getattr(lexer_class, "token_variants", False):
        return lexer_class
    members = {"process_tokendef": classmethod(_process_tokendef), "_process_regex": classmethod(_process_regex)}
    # The loop comes after the lexer's own classes (YamlLexer, say, makes its context and
    # hands over to ExtendedRegexLexer's loop with super()) and before Pygments' classes.
    loop = _QuickExtendedRegexLexer if issubclass(lexer_class, ExtendedRegexLexer) else _QuickRegexLexer
    return type(lexer_class.__name__, (lexer_class, loop), members)


class _States(dict):
    """A lexer's states by name, each compiled from its rules when lexing first enters it."""

    def __init__(self, lexer_class: RegexLexerMeta, rules: dict) -> None:
        super().__init__()
        self.lexer_class = lexer_class
        self.rules = rules
        self.by_char = _StateIndex(self)

    def __missing__(self, state: str) -> list[Rule]:
        return self.lexer_class._process_state(self.rules, self, state)


def _process_tokendef(cls: RegexLexerMeta, name: str, tokendefs: dict | None = None) -> _States:
    states = cls._all_tokens[name] = _States(cls, tokendefs or cls.tokens[name])
    return states


# What each compiled rule can start with, by its match function (None: anything).
_STARTS: dict[Any, frozenset[str] | _Union | None] = {}
# Compiled rules by expression and flags: lexers share many (whitespace, line ends), and
# `re.compile`'s own cache would have compiled each once.
_COMPILED: dict[tuple[str, int], Any] = {}


def _process_regex(cls: RegexLexerMeta, regex: Any, rflags: int, state: str) -> Any:
    """Pygments' compiled rule (a match function), its first characters noted in _STARTS."""
    if isinstance(regex, Future):  # words(...): the expression is made on first use
        regex = regex.get()
    key = (regex, int(rflags))
    match = _COMPILED.get(key)
    if match is None:
        try:
            parsed = _parser.parse(*key)
            match = _compiler.compile(parsed, key[1]).match  # as re.compile, parsing once
            _STARTS[match] = _first_chars(parsed)
        except Exception:  # noqa: BLE001 - anything unforeseen: as Pygments does, tried everywhere
            match = re.compile(regex, rflags).match
        _COMPILED[key] = match
    return match


class _StateIndex(dict):
    """For each state, its rules that can match at a character, by character."""

    def __init__(self, states: _States) -> None:
        super().__init__()
        self.states = states

    def __missing__(self, state: str) -> _CharIndex:
        index = self[state] = _CharIndex(self.states[state])
        return index


class _CharIndex(dict):
    """A state's rules that can match where the text goes on with a character, by character;
    at "", those that can match at the end of the text: the rules tried everywhere."""

    def __init__(self, rules: list[Rule]) -> None:
        super().__init__()
        self.rules = rules
        self.starts = [_STARTS.get(rule[0]) for rule in rules]

    def __missing__(self, char: str) -> list[Rule]:
        tried = self[char] = [rule for rule, starts in zip(self.rules, self.starts)
                              if starts is None or char and char in starts]
        return tried


# --- Which characters a match can start with -------------------------------------------------

class _Chars:
    """A set of characters as a character class of an expression describes it."""

    __slots__ = ("chars", "classes", "negated", "ranges")

    def __init__(self, chars: set[str], ranges: list[tuple[str, str]],
                 classes: list[Any], negated: bool) -> None:
        self.chars, self.ranges, self.classes, self.negated = chars, ranges, classes, negated

    def __contains__(self, char: str) -> bool:
        found = (char in self.chars or any(low <= char <= high for low, high in self.ranges)
                 or any(test(char) for test in self.classes))
        return found != self.negated


class _Union:
    """Characters in any of several sets."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[_Chars]) -> None:
        self.parts = parts

    def __contains__(self, char: str) -> bool:
        return any(char in part for part in self.parts)


_C = _constants
_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
               _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W"}
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
_CASE_FLAGS = re.IGNORECASE | re.LOCALE


class _Unknown(Exception):
    """The first characters cannot be told: the rule is tried everywhere."""


def _first_chars(parsed: Any) -> frozenset[str] | _Union | None:
    """The characters a match of the parsed expression can start with; None if it can match
    the empty string, or if they cannot be told."""
    if parsed.state.flags & _CASE_FLAGS:
        return None
    parts: list[_Chars] = []
    try:
        if _starts_of(parsed, parts, parsed.state.flags & re.ASCII):
            return None
    except _Unknown:
        return None
    if any(part.negated or part.classes or part.ranges for part in parts):
        return _Union(parts)
    return frozenset().union(*(part.chars for part in parts))


def _starts_of(items: Any, parts: list[_Chars], ascii_only: int) -> bool:
    """Add to `parts` what the sequence `items` can start with; True if it can match empty."""
    for op, arg in items:
        if op is _C.LITERAL:
            parts.append(_Chars({chr(arg)}, [], [], False))
            return False
        if op is _C.NOT_LITERAL:
            parts.append(_Chars({chr(arg)}, [], [], True))
            return False
        if op is _C.IN:
            parts.append(_class_of(arg, ascii_only))
            return False
        if op in _ZERO_WIDTH:  # consumes nothing: what follows gives the first character
            continue
        if op in _REPEATS:
            low, _, item = arg
            if not _starts_of(item, parts, ascii_only) and low > 0:
                return False
            continue
        if op is _C.SUBPATTERN:
            _, add_flags, _, item = arg
            if add_flags & _CASE_FLAGS:
                raise _Unknown
            if not _starts_of(item, parts, ascii_only):
                return False
            continue
        if op is getattr(_C, "ATOMIC_GROUP", None):
            if not _starts_of(arg, parts, ascii_only):
                return False
            continue
        if op is _C.BRANCH:
            empty = False
            for alternative in arg[1]:
                empty = _starts_of(alternative, parts, ascii_only) or empty
            if not empty:
                return False
            continue
        raise _Unknown  # any character, back references, conditionals
    return True


def _class_of(items: Any, ascii_only: int) -> _Chars:
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    classes: list[Any] = []
    negated = False
    for op, arg in items:
        if op is _C.LITERAL:
            chars.add(chr(arg))
        elif op is _C.RANGE and arg[1] - arg[0] < 256:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        elif op is _C.RANGE:
            ranges.append((chr(arg[0]), chr(arg[1])))
        elif op is _C.CATEGORY and arg in _CATEGORIES:
            classes.append(re.compile(_CATEGORIES[arg], ascii_only).match)
        elif op is _C.NEGATE:
            negated = True
        else:
            raise _Unknown
    return _Chars(chars, ranges, classes, negated)


# --- The loops --------------------------------------------------------------------------------

def _regex_tokens(self: Any, text: str, stack: tuple[str, ...] = ("root",)) -> Iterator[tuple[int, Any, str]]:
    """RegexLexer's loop, trying at each position only the rules that can match there."""
    states = self._tokens
    by_char = states.by_char
    statestack = list(stack)
    pos, end = 0, len(text)
    while True:
        rules = by_char[statestack[-1]][text[pos] if pos < end else ""]
        for match, action, new_state in rules:
            m = match(text, pos)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(self, m)
                pos = m.end()
                if new_state is not None:
                    _transition(statestack, new_state)
                break
        else:  # no rule matched
            if pos >= end:
                break
            if text[pos] == "\n":  # at the end of a line, back to the root state
                statestack = ["root"]
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


def _extended_tokens(self: Any, text: str | None = None, context: Any = None) -> Iterator[tuple[int, Any, str]]:
    """ExtendedRegexLexer's loop (callbacks move the position and the stack of states
    themselves), trying at each position only the rules that can match there."""
    states = self._tokens
    by_char = states.by_char
    if context:
        ctx = context
        text = ctx.text
    else:
        ctx = LexerContext(text, 0)
    while True:
        pos, end = ctx.pos, ctx.end
        within = pos < end and pos < len(text)
        rules = by_char[ctx.stack[-1]][text[pos] if within else ""]
        for match, action, new_state in rules:
            m = match(text, pos, end)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                        ctx.pos = m.end()
                    else:
                        yield from action(self, m, ctx)  # it moves ctx.pos
                if new_state is not None:
                    _transition(ctx.stack, new_state)
                break
        else:  # no rule matched
            if not within:
                break
            if text[pos] == "\n":  # at the end of a line, back to the root state
                ctx.stack = ["root"]
                yield pos, Text, "\n"
            else:
                yield pos, Error, text[pos]
            ctx.pos = pos + 1


def _transition(stack: list[str], new_state: Any) -> None:
    """Apply a rule's change of state to the stack of states, as Pygments does."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):  # pop that many, keeping the root state
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


class _QuickRegexLexer(RegexLexer):
    """RegexLexer with the loop above."""

    get_tokens_unprocessed = _regex_tokens


class _QuickExtendedRegexLexer(ExtendedRegexLexer):
    """ExtendedRegexLexer with the loop above."""

    get_tokens_unprocessed = _extended_tokens
