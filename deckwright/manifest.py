"""Validate a workshop manifest (YAML) into a Manifest, reporting every problem at once."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence

import yaml

from .errors import DeckwrightError, Problem, Report
from .model import Entry, Manifest, SourceLoc

TEXT_KEYS = ("title", "chat", "gitrepo", "slides", "zip", "html", "slidenumberprefix", "lang")
# A language tag, as the page's <html lang> takes it: well-formed as BCP 47 (RFC 5646) says,
# a language (`en`, `zh-yue`), then a script (`zh-Hant`), a region (`pt-BR`, `es-419`),
# variants (`de-CH-1996`), extensions (`en-u-ca-buddhist`) and private use (`en-x-custom`),
# each but the language if any; or a private-use tag alone (`x-klingon`), or one of the
# tags BCP 47 keeps from before it that are not so made (`i-klingon`, `en-GB-oed`).
_PRIVATE_USE = r"x(?:-[a-z0-9]{1,8})+"
_LANGUAGE_TAG = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language (with extended subtags)
    r"(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"  # script, region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    rf"(?:-{_PRIVATE_USE})?|{_PRIVATE_USE}"
    r"|en-gb-oed|i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)"
    r"|sgn-(?:be-fr|be-nl|ch-de)",
    re.IGNORECASE)
KNOWN_KEYS = frozenset(TEXT_KEYS + ("exclude", "content", "chapters", "duration"))  # duration: for stats
MAX_NODES = 100_000  # a YAML alias bomb expands past this; real manifests have a few hundred
# Composing YAML recurses once per level (in C with libyaml: too deep overflows the stack and
# kills the process); real manifests and index.yaml nest two or three levels.
MAX_DEPTH = 100
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
ALIASES = "deckwright_aliases"  # on a list's node: {index of an item that is an alias: its mark}


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _Composer(yaml.composer.Composer):
    """PyYAML's composer (libyaml parsing, when present, as with `_LOADER`), which also:

    - refuses lists and mappings nested over MAX_DEPTH deep before it recurses into them;
    - notes where each alias in a list stands: YAML makes an alias the very node its anchor
      names, so `- *c` would otherwise be located at `&c` (see `list_items`).
    """

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        alias = self.peek_event() if self.check_event(yaml.AliasEvent) else None
        node = super().compose_node(parent, index)
        if alias is not None and isinstance(parent, yaml.SequenceNode):
            parent.__dict__.setdefault(ALIASES, {})[index] = alias.start_mark
        return node

    def compose_sequence_node(self, anchor: str | None) -> yaml.Node:
        self._enter()
        node = super().compose_sequence_node(anchor)
        self.depth -= 1
        return node

    def compose_mapping_node(self, anchor: str | None) -> yaml.Node:
        self._enter()
        node = super().compose_mapping_node(anchor)
        self.depth -= 1
        return node

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark)


class _Loader(_Composer, _LOADER):  # type: ignore[misc,valid-type]
    def __init__(self, stream: str) -> None:
        _LOADER.__init__(self, stream)
        yaml.composer.Composer.__init__(self)


class _Reader:
    """Turns YAML nodes into values, with the location of each for messages."""

    def __init__(self, path: str, report: Report) -> None:
        self.path = path
        self.report = report
        self.visited = 0

    def loc(self, node: yaml.Node) -> SourceLoc:
        return node_loc(self.path, node)

    def count(self, node: yaml.Node) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise DeckwrightError(
                Problem(self.loc(node), f"manifest is too large (over {MAX_NODES} YAML nodes)")
            )

    def text(self, node: yaml.Node, key: str) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            return str(node.value)
        if isinstance(node, yaml.ScalarNode):
            return ""
        self.report.error(self.loc(node), f"'{key}' must be text, not a {node_kind(node)}")
        return ""


def node_kind(node: yaml.Node) -> str:
    """What a YAML node is, for messages: a mapping, a list or a value."""
    return {yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}.get(type(node), "value")


MERGE_TAG = "tag:yaml.org,2002:merge"  # the key `<<`, as YAML's resolver tags it


class Mappings:
    """Reads YAML mappings into {key: (key node, value node)}, in order, as YAML loaders do
    (merge keys `<<: *defaults` too: keys written in the mapping win over merged ones, and
    earlier merged mappings over later ones) but strictly, since nodes are read, not values:
    a key given twice would silently keep the last, so it is an error at the second; so is
    a key that is no name (`? [a, b]`).

    Each mapping is read once: an anchor merged in many places is reported once, and
    aliases of aliases cannot make the work grow exponentially.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self._read: dict[int, dict[str, tuple[yaml.Node, yaml.Node]] | None] = {}

    def _error(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(node_loc(self.path, node), message))

    def fields(self, node: yaml.MappingNode, depth: int = 0) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if id(node) in self._read:
            found = self._read[id(node)]
            if found is None:  # `&a {<<: *a}`: still being read
                self._error(node, "a mapping cannot merge itself")
                return {}
            return found
        self._read[id(node)] = None
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        merges: list[yaml.Node] = []
        seen: dict[str, yaml.Node] = {}  # `<<` too: given twice, one would be lost
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(key_node, f"a key must be a name, not a {node_kind(key_node)}")
                continue
            key = str(key_node.value)
            if key in seen:
                first = seen[key].start_mark.line + 1
                self._error(key_node, f"key '{key}' is given twice (first at line {first})")
                continue
            seen[key] = key_node
            if key_node.tag == MERGE_TAG:
                merges.append(value)
            else:
                fields[key] = (key_node, value)
        for value in merges:
            for key, pair in self._merged(value, depth).items():
                fields.setdefault(key, pair)
        self._read[id(node)] = fields
        return fields

    def _merged(self, value: yaml.Node, depth: int) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The fields a merge key's value brings: a mapping's, or those of a list of them."""
        if depth >= MAX_DEPTH:
            self._error(value, f"merge keys ('<<') nest over {MAX_DEPTH} levels deep")
            return {}
        merged: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for item in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            if isinstance(item, yaml.MappingNode):
                for key, pair in self.fields(item, depth + 1).items():
                    merged.setdefault(key, pair)
            else:
                self._error(item, f"'<<' merges a mapping or a list of mappings, not a {node_kind(item)}")
        return merged


def node_loc(path: str, node: yaml.Node) -> SourceLoc:
    """Where a YAML node starts: its line and column."""
    return SourceLoc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def list_items(path: str, node: yaml.SequenceNode) -> list[tuple[yaml.Node, SourceLoc | None]]:
    """A list's items, each with where it stands when it is an alias (`- *c`), else None."""
    aliases = node.__dict__.get(ALIASES, {})
    return [(item, _mark_loc(path, aliases[i]) if i in aliases else None) for i, item in enumerate(node.value)]


def _mark_loc(path: str, mark: yaml.Mark) -> SourceLoc:
    return SourceLoc(path, mark.line + 1, mark.column + 1)


def parse_yaml(path: str, text: str) -> yaml.Node | None:
    """The YAML document's root node; bad YAML raises with its line and column."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        raise DeckwrightError(Problem(
            _mark_loc(path, exc.mark), f"lists and mappings nest over {MAX_DEPTH} levels deep",
        )) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 0)
        raise DeckwrightError(
            Problem(SourceLoc(path, line, col), f"invalid YAML: {yaml_message(exc)}", excerpt=_line(text, line))
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, an offset
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise DeckwrightError(Problem(
            SourceLoc(path, line, col), f"invalid YAML: {exc.reason} (character #x{char:04x})",
            excerpt=_line(text, line),
        )) from None
    except yaml.YAMLError as exc:
        raise DeckwrightError(Problem(SourceLoc(path, 1), f"invalid YAML: {exc}")) from None


# What YAML was reading when it failed ("while parsing a flow sequence"), as where that began.
_STARTED = {
    "while parsing a flow sequence": "the list opened",
    "while parsing a flow mapping": "the mapping opened",
    "while parsing a block collection": "the list started",
    "while parsing a block mapping": "the mapping started",
    "while parsing a block node": "the value started",
    "while parsing a flow node": "the value started",
    "while parsing a node": "the value started",
    "while scanning a quoted scalar": "the quoted text opened",
    "while scanning a simple key": "the key started",
    "while scanning a block scalar": "the block of text started",
    "while scanning a plain scalar": "the text started",
    "while parsing a tag": "the tag started",
    "while scanning a tag": "the tag started",
    "while scanning an anchor": "the anchor started",
    "while scanning an alias": "the alias started",
    "while scanning a directive": "the directive started",
}


def yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem, on one line, with where the construct it was reading began:
    "did not find expected ',' or ']' (in the list opened at line 12)"."""
    problem, context, at = exc.problem, exc.context, exc.context_mark
    if at is None or not context or (exc.problem_mark and at.index == exc.problem_mark.index):
        return " ".join((problem or context or "not YAML").split())
    here = f"line {at.line + 1}"
    if exc.problem_mark and exc.problem_mark.line == at.line:
        here = f"column {at.column + 1}"
    if context.startswith("found duplicate anchor"):  # "...; first occurrence", "second occurrence"
        return f"{context.split(';')[0]} (first at {here})"
    started = _STARTED.get(context)
    where = f"in {started} at {here}" if started else f"{context} at {here}"
    return " ".join(f"{problem or 'invalid YAML'} ({where})".split())


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def load_manifest(
    path: str,
    text: str,
    exists: Callable[[str], bool],
    env: Mapping[str, str] | None = None,
    why_not: Callable[[str], str] | None = None,
) -> tuple[Manifest, Report]:
    """Validate manifest `text` read from `path` (relative to the content root).

    `exists` tells whether a chapter path (relative to the root) is a file, and `why_not`
    (asked only then) why one is not ("is a folder"); `env` supplies OVERRIDE_<key>
    values. Raises DeckwrightError with every error found.
    """
    report = Report()
    root = parse_yaml(path, text)
    reader = _Reader(path, report)
    if root is None or not isinstance(root, yaml.MappingNode):
        raise DeckwrightError(Problem(SourceLoc(path, 1), "a manifest must be a YAML mapping"))
    fields: dict[str, yaml.Node] = {}
    for key, (key_node, value) in Mappings(path, report.problems).fields(root).items():
        if key not in KNOWN_KEYS:
            report.warn(reader.loc(key_node), f"unknown key '{key}' is ignored")
        fields[key] = value
    values = {k: reader.text(fields[k], k) if k in fields else "" for k in TEXT_KEYS}
    exclude = _exclude(reader, fields.get("exclude"))
    # Where each key's value comes from, for its messages: its line in the file, or the
    # environment (no line of the file is to blame then).
    origin = {k: (reader.loc(fields[k]), f"'{k}'") for k in TEXT_KEYS if k in fields}
    for key, value in (env or {}).items():
        if key.startswith("OVERRIDE_") and key[9:] in TEXT_KEYS:
            values[key[9:]] = value
            origin[key[9:]] = (SourceLoc(path, 0), f"{key} (set in the environment)")
        elif key == "OVERRIDE_exclude":
            exclude = tuple(c.strip() for c in value.split(",") if c.strip())
    html_loc, html_from = origin.get("html", (SourceLoc(path, 1), "'html'"))
    lang_loc, lang_from = origin.get("lang", (SourceLoc(path, 1), "'lang'"))
    zip_loc = origin["zip"][0] if values["zip"] else None
    content = fields.get("content", fields.get("chapters"))
    if "content" in fields and "chapters" in fields:
        report.error(reader.loc(fields["chapters"]), "use 'content' or 'chapters', not both")
    if content is None:
        report.error(SourceLoc(path, 1), "the manifest has no 'content' list")
        entries: list[Entry] = []
        parts = 0
    else:
        missing = why_not or (lambda _: "does not exist")
        entries, parts = _entries(reader, content, posixpath.dirname(path), exists, missing)
        if not entries and not report.errors:  # `content: []`: the page would be blank
            report.error(reader.loc(content), "'content' lists no chapters")
    if values["html"] and (why := page_name_problem(values["html"])):
        report.error(html_loc, f"{html_from} {quoted(values['html'])} cannot name a deck's page: {why}")
    if values["lang"] and not _LANGUAGE_TAG.fullmatch(values["lang"]):
        report.error(lang_loc, f"{lang_from} must be a language tag, as 'en', 'fr' or 'pt-BR', "
                     f"not {quoted(values['lang'])}")
    if report.errors:
        raise DeckwrightError(report.errors + report.warnings)
    slides_url = values["slides"]
    if not values["zip"]:
        values["zip"] = slides_url + ("" if slides_url.endswith("/") or not slides_url else "/")
        values["zip"] += "slides.zip"
    if not values["html"]:
        values["html"] = default_page(path)
    manifest = Manifest(
        path=path,
        exclude=exclude,
        entries=tuple(entries),
        part_count=parts,
        html_loc=html_loc,
        zip_loc=zip_loc,
        **{k: values[k] for k in TEXT_KEYS},
    )
    return manifest, report


def default_page(path: str) -> str:
    """The page a manifest's deck is written to when it names none: `deck.yml.html`."""
    return posixpath.basename(path) + ".html"


# Written by deckwright at the top of the output folder besides the decks' pages (`assets/`,
# `chapters/`, `single/`, `slides.zip` and `.deckwright-stamps.json` cannot end in .html).
RESERVED_PAGES = frozenset(("index.html",))  # `deckwright site`'s index page


def quoted(value: str) -> str:
    """`value` in quotes, on one line: characters that do not print (a line end) escaped."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in value) + "'"


def page_name_problem(value: str) -> str | None:
    """Why `value` cannot name a deck's page (None when it can): the page goes at the top of
    the output folder, next to the `assets/` its links name, and must not take the place of
    a file deckwright writes there."""
    if "/" in value or "\\" in value:
        return ("a page goes at the top of the output folder, next to the assets/ and pictures "
                "its links name: no '/' or '\\'")
    if value.startswith("."):
        return "a name starting with '.' is a hidden file (or a folder above)"
    if any(c in value for c in ":?#") or any(ord(c) < 32 for c in value):
        return "':', '?', '#' and control characters change what a link to it opens"
    if not value.endswith(".html"):
        return "a page's name ends in .html"
    if value.lower() in RESERVED_PAGES:
        return "`deckwright site` writes the site's index page there"
    return None


def page_clashes(manifests: Sequence[Manifest], taken: Mapping[str, str] | None = None) -> dict[str, Problem]:
    """The decks that may not write their page because another deck of the run writes the
    same one (manifest path -> the error), so that none overwrites another's page.

    `taken`: pages already kept in the output folder (page -> manifest). A page goes to
    the deck whose page it is by default (`good.yml.html` to good.yml), else to the
    first in order; the others are in error, at their `html` line.
    """
    owners = dict(taken or {})
    clashes = {}
    for manifest in sorted(manifests, key=lambda m: m.html != default_page(m.path)):
        owner = owners.setdefault(manifest.html, manifest.path)
        if owner != manifest.path:
            loc = manifest.html_loc or SourceLoc(manifest.path, 1)
            clashes[manifest.path] = Problem(
                loc, f"page '{manifest.html}' is also that of {owner}: one deck would overwrite the "
                "other's (give each manifest its own 'html')")
    return clashes


# A class of a slide's `class:` line: remark splits that line at commas and spaces.
CLASS_NAME = re.compile(r"[^\s,]+")


def _exclude(reader: _Reader, node: yaml.Node | None) -> tuple[str, ...]:
    """The classes of slides to leave out: `exclude: a, b` or a list of names. A number, a
    `true` or an empty item names no class, and a deck would show slides meant to be gone."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return ()
    if isinstance(node, yaml.ScalarNode):
        if not node.tag.endswith(":str"):
            reader.report.error(reader.loc(node), f"'exclude' must be a class name or a list of them, "
                                f"not {_written(node)}")
            return ()
        names = tuple(c.strip() for c in str(node.value).split(",") if c.strip())
        for name in names:
            if not CLASS_NAME.fullmatch(name):
                reader.report.error(reader.loc(node), f"'exclude' names classes between commas: '{name}' "
                                    "is no class name (a class name has no spaces)")
        return names
    if isinstance(node, yaml.SequenceNode):
        items = []
        for item in node.value:
            reader.count(item)
            if isinstance(item, yaml.ScalarNode) and item.tag.endswith(":str") and CLASS_NAME.fullmatch(item.value):
                items.append(str(item.value))
            elif isinstance(item, yaml.ScalarNode):
                why = " (a class name has no spaces or commas)" if item.tag.endswith(":str") and item.value else ""
                reader.report.error(reader.loc(item), f"'exclude' items must be class names, not {_written(item)}{why}")
            else:
                reader.report.error(reader.loc(item), "'exclude' items must be class names")
        return tuple(items)
    reader.report.error(reader.loc(node), "'exclude' must be a list of class names")
    return ()


def _written(node: yaml.ScalarNode) -> str:
    """A scalar as written, for messages: text in quotes, `5` or `true` as they are."""
    if node.tag.endswith(":str"):
        return f"'{node.value}'"
    return node.value or "an empty item"


def _entries(
    reader: _Reader, node: yaml.Node, base: str, exists: Callable[[str], bool], why_not: Callable[[str], str]
) -> tuple[list[Entry], int]:
    if not isinstance(node, yaml.SequenceNode):
        reader.report.error(reader.loc(node), f"'content' must be a list, not a {node_kind(node)}")
        return [], 0
    entries: list[Entry] = []
    seen: dict[str, SourceLoc] = {}
    part = 0
    for item, alias in list_items(reader.path, node):
        reader.count(item)
        if isinstance(item, yaml.SequenceNode):
            part += 1
            for leaf, at in _flatten(reader, item, set(), alias):
                entries += _entry(reader, leaf, at, part, base, exists, why_not, seen)
        else:
            entries += _entry(reader, item, alias, None, base, exists, why_not, seen)
    return entries, part


def _flatten(
    reader: _Reader, node: yaml.SequenceNode, stack: set[int], alias: SourceLoc | None
) -> list[tuple[yaml.Node, SourceLoc | None]]:
    """The leaves of nested lists, each with the alias it is listed by, if any (the items
    of an aliased list are listed where the alias stands)."""
    if id(node) in stack:  # an alias of a list inside itself
        reader.report.error(reader.loc(node), "a list cannot contain itself")
        return []
    if len(stack) > MAX_DEPTH:  # aliases of lists in lists: deep without looking so
        reader.report.error(reader.loc(node), f"lists nest over {MAX_DEPTH} levels deep")
        return []
    leaves: list[tuple[yaml.Node, SourceLoc | None]] = []
    for item, at in list_items(reader.path, node):
        reader.count(item)
        if isinstance(item, yaml.SequenceNode):
            leaves += _flatten(reader, item, stack | {id(node)}, alias or at)
        else:
            leaves.append((item, alias or at))
    return leaves


def _entry(
    reader: _Reader,
    node: yaml.Node,
    alias: SourceLoc | None,
    part: int | None,
    base: str,
    exists: Callable[[str], bool],
    why_not: Callable[[str], str],
    seen: dict[str, SourceLoc],
) -> list[Entry]:
    """The entry of a content item; `alias`: where it is listed when by an alias (`- *c`),
    for a chapter path (inline Markdown stays where its text is, at the anchor)."""
    loc = alias or reader.loc(node)
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
        reader.report.error(loc, "a content item must be a chapter path or Markdown text")
        return []
    value = str(node.value)
    if "\n" in value:
        loc = reader.loc(node)
        if node.style == "|":  # a literal block: its text starts on the line after the `|`
            return [Entry(SourceLoc(loc.path, loc.line + 1), part, text=value)]
        # Other styles fold lines (a line break of plain or `>` text is a space, a blank line
        # one break) or write them as `\n`: no offset in the text tells a line of the file, so
        # all of it is located at the scalar's line (and column: two may share it).
        where = SourceLoc(loc.path, loc.line + 1) if node.style == ">" else loc  # `>`: as `|`
        return [Entry(where, part, text=value, one_line=True)]
    path = posixpath.normpath(posixpath.join(base, value.strip()))
    if value.strip().startswith("/"):
        reader.report.error(loc, f"chapter path '{value}' is absolute: write it relative to "
                            "the manifest's folder")
        return []
    if path.startswith("../") or path == "..":
        reader.report.error(loc, f"chapter path '{value}' leaves the content folder")
        return []
    if not exists(path):
        why = why_not(path)
        first, last = node.start_mark.line + 1, node.end_mark.line + 1
        if not node.style and last > first:  # plain text over several lines, joined
            why += (f": YAML reads lines {first} to {last} as one path (a line indented under an "
                    "item goes on with it; a part is written '- - first.md', its next chapters "
                    "'  - next.md' under it)")
        reader.report.error(loc, f"chapter file '{value}' {why}")
        return []
    if path in seen:
        reader.report.error(loc, f"chapter '{value}' is listed twice (first at line {seen[path].line})")
        return []
    seen[path] = loc
    return [Entry(loc, part, path=path)]
