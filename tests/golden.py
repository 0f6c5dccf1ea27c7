"""Golden fixture files: cases of `title`, `.`, input, `.`, expected, `.` (as markdown-it-py's).

Set DECKWRIGHT_UPDATE_GOLDEN=1 to rewrite the expected parts from the current output;
review the diff before committing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Case:
    file: Path
    line: int  # where the case's title stands, for failure messages
    title: str
    input: str
    expected: str


def read_cases(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title_line, title = i + 1, lines[i]
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: expected '.' after the title"
        parts, i = [], i + 2
        for _ in range(2):
            end = lines.index(".", i)
            parts.append("\n".join(lines[i:end]))
            i = end + 1
        cases.append(Case(path, title_line, title, parts[0], parts[1]))
    return cases


def cases_of(name: str) -> list:
    path = FIXTURES / name
    return [pytest.param(c, id=f"{path.name}:{c.line}") for c in read_cases(path)]


def check(case: Case, actual: str) -> None:
    actual = actual.rstrip("\n")
    if os.environ.get("DECKWRIGHT_UPDATE_GOLDEN") and actual != case.expected:
        text = case.file.read_text(encoding="utf-8")
        block = f"{case.title}\n.\n{case.input}\n.\n{case.expected}\n.\n"
        assert text.count(block) == 1, f"cannot update {case.file.name}:{case.line}"
        case.file.write_text(text.replace(block, f"{case.title}\n.\n{case.input}\n.\n{actual}\n.\n"))
        return
    assert actual == case.expected, f"{case.file.name}:{case.line}: {case.title}"


def split_files(text: str) -> dict[str, str]:
    """A project written in one text: `=== path` lines start each file."""
    files: dict[str, list[str]] = {}
    current = None
    for line in text.split("\n"):
        if line.startswith("=== "):
            current = line[4:].strip()
            files[current] = []
        elif current is not None:
            files[current].append(line)
    return {path: "\n".join(lines) + "\n" for path, lines in files.items()}
