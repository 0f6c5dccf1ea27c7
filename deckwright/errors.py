"""Problems found in a workshop: one exception family, each formatting itself as `path:line`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .model import SourceLoc


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, at a place in a source file."""

    loc: SourceLoc
    message: str
    severity: str = "error"  # "error" or "warning"
    excerpt: str = ""  # the offending source line, when there is one

    def __str__(self) -> str:
        text = f"{self.loc}: {self.severity}: {self.message}"
        if self.excerpt:
            text += f"\n    {self.excerpt.strip()}"
        return text

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_error(self) -> Problem:
        """The same problem as an error (`--strict` fails on warnings)."""
        return self if self.is_error else replace(self, severity="error")

    def one_line(self) -> str:
        """`path:line: message`, without its severity and its excerpt: to say again, briefly,
        what was printed in full."""
        return f"{self.loc}: {self.message}"


class DeckwrightError(Exception):
    """A user's input cannot be built; carries every problem found, errors first."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Report:
    """Problems collected while a manifest is validated (manifest.py), so that all of them are
    reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, loc: SourceLoc, message: str, excerpt: str = "") -> None:
        self.problems.append(Problem(loc, message, "error", excerpt))

    def warn(self, loc: SourceLoc, message: str, excerpt: str = "") -> None:
        self.problems.append(Problem(loc, message, "warning", excerpt))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]
