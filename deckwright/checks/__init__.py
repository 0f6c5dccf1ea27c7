"""What `deckwright check` finds: one Finding per problem, each of a named kind."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem
from ..model import SourceLoc

# Every kind of finding, with its usual severity (a few kinds have both) and what it means.
KINDS: dict[str, str] = {
    "manifest": "a manifest that cannot be read or validated (YAML, types, missing chapter, unknown key)",
    "duplicate-chapter": "a chapter listed twice in one manifest",
    "unreadable": "a chapter file that cannot be read or is not UTF-8",
    "include": "an @@INCLUDE whose target does not exist or cannot be included",
    "missing-image": "a local picture that does not exist",
    "missing-file": "a link to a local file (or an @@LINK to a repository file) that does not exist",
    "broken-anchor": "a link to #name that no slide of the deck carries",
    "duplicate-name": "two slides of one deck with the same name",
    "duplicate-label": "a reference-link label defined twice in one deck with different URLs",
    "label-case": "a reference-link label with capital letters, which remark never resolves",
    "unclosed-bracket": "a .class[ bracket not closed on its slide",
    "unclosed-fence": "a code fence that is never closed",
    "fence-in-code": "a code fence opening inside a code block whose closing fence is missing",
    "unclosed-backtick": "a backquote whose code span runs over a slide separator",
    "unclosed-comment": "an HTML comment never closed, or closed on a later slide: it shows as text",
    "empty-slide": "a slide with nothing in it (a '---' too many), or an empty chapter",
    "slide-property": "a slide property that remark does not read (or reads and ignores)",
    "unknown-directive": "an @@NAME@@ directive that deckwright does not know",
    "invisible-character": "a control or invisible character that breaks copy-paste",
    "unused-chapter": "a chapter file that no manifest uses",
    "unused-image": "an image file that no chapter uses",
    "external-link": "an external link or picture that does not answer over HTTP",
    "remote-picture": "a picture loaded from the network, blank offline (with --offline)",
    "overflow": "a slide whose content does not fit it, as Chromium lays it out (with --overflow)",
    "index": "index.yaml (deckwright site's list of workshops) that cannot be read, or a deck link in it to no deck",
    "build": "any other problem that stops a deck from building",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found by a check, where it is, and which decks show it."""

    loc: SourceLoc
    kind: str
    message: str
    severity: str = "error"  # "error" or "warning"
    decks: tuple[str, ...] = ()  # the manifests whose decks show it (for deck-level checks)
    excerpt: str = ""

    def __str__(self) -> str:
        where = f" [{', '.join(self.decks)}]" if self.decks else ""
        return printable(f"{self.loc}: {self.severity}: {self.message}{where}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def printable(text: str) -> str:
    """`text` with the bytes of a file name that is not UTF-8 written as `\\xff`.

    Python reads such names with stand-ins (lone surrogates) that cannot be written as
    UTF-8: printed raw they make output no JSON parser or terminal takes.
    """
    if text.isascii():
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a stand-in that no file name makes
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def finding(problem: Problem, kind: str | None = None, decks: tuple[str, ...] = ()) -> Finding:
    """A build Problem as a Finding, its kind told by `kind` or guessed from its message."""
    return Finding(
        problem.loc, kind or kind_of(problem), problem.message, problem.severity, decks, problem.excerpt
    )


# The build's messages, and the kind each one is (first match wins).
_MESSAGE_KINDS = (
    ("is listed twice", "duplicate-chapter"),
    ("@@INCLUDE", "include"),
    ("code fence is never closed", "unclosed-fence"),
    ("a code fence opens inside the code block", "fence-in-code"),
    ("[' is not closed on its slide", "unclosed-bracket"),
    ("a backquote (`) is not closed on its slide", "unclosed-backtick"),
    ("an HTML comment ('<!--')", "unclosed-comment"),
    ("an empty slide", "empty-slide"),
    ("has capital letters: remark looks every reference up", "label-case"),
    ("an empty chapter", "empty-slide"),
    ("unknown directive", "unknown-directive"),
    ("picture '", "missing-image"),
    ("link to #", "broken-anchor"),
    ("is also the name of", "duplicate-name"),
    ("not valid UTF-8", "unreadable"),
    ("is UTF-16", "unreadable"),
    ("cannot read", "unreadable"),
    ("the deck has no slides", "build"),
    ("is a remark macro, and the page defines none", "build"),
)


def kind_of(problem: Problem) -> str:
    for text, kind in _MESSAGE_KINDS:
        if text in problem.message:
            return kind
    if problem.loc.path.endswith((".yml", ".yaml")):
        return "manifest"
    return "build"
