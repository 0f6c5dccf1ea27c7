"""The JSON outputs of `check` and `stats` follow the schemas written in docs/check.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from deckwright.check import as_json, check

DOC = Path(__file__).resolve().parent.parent / "docs" / "check.md"


def schema(name: str) -> dict:
    """The JSON Schema after `<!-- schema: NAME -->` in the doc."""
    m = re.search(r"<!-- schema: " + re.escape(name) + r" -->\s*```json\n(.*?)\n```", DOC.read_text(), re.DOTALL)
    assert m, f"no schema '{name}' in {DOC.name}"
    return json.loads(m.group(1))


# A small validator for the part of JSON Schema the doc uses (no new dependency).
_TYPES = {
    "object": dict, "array": list, "string": str, "null": type(None),
    "integer": int, "number": (int, float), "boolean": bool,
}


def errors(value, node, root, where="$"):
    """Every way `value` breaks the schema `node` (an empty list when it fits)."""
    if "$ref" in node:
        target = root
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        return errors(value, target, root, where)
    found = []
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        ok = any(isinstance(value, _TYPES[n]) and not (n in ("integer", "number") and isinstance(value, bool))
                 for n in names)
        if not ok:
            return [f"{where}: {value!r} is not {names}"]
    if "const" in node and value != node["const"]:
        found.append(f"{where}: {value!r} is not {node['const']!r}")
    if "enum" in node and value not in node["enum"]:
        found.append(f"{where}: {value!r} is not one of {node['enum']}")
    if "minimum" in node and isinstance(value, (int, float)) and value < node["minimum"]:
        found.append(f"{where}: {value} < {node['minimum']}")
    if isinstance(value, dict):
        for key in node.get("required", []):
            if key not in value:
                found.append(f"{where}: no '{key}'")
        props = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                found += errors(item, props[key], root, f"{where}.{key}")
            elif extra is False:
                found.append(f"{where}: unexpected '{key}'")
            elif isinstance(extra, dict):
                found += errors(item, extra, root, f"{where}.{key}")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            found.append(f"{where}: fewer than {node['minItems']} items")
        for i, item in enumerate(value):
            found += errors(item, node.get("items", {}), root, f"{where}[{i}]")
    return found


def assert_fits(value, name):
    s = schema(name)
    assert errors(value, s, s) == []


def test_the_validator_finds_what_is_wrong():
    s = schema("check")
    good = {"version": 1, "decks": [], "findings": [], "summary": {"errors": 0, "warnings": 0, "by_kind": {}}}
    assert errors(good, s, s) == []
    bad = {"version": 2, "decks": [3], "findings": [{"path": "a.md"}], "summary": {"errors": -1, "by_kind": {"x": 0}},
           "extra": True}
    found = errors(bad, s, s)
    assert "$: unexpected 'extra'" in found
    assert "$.version: 2 is not 1" in found
    assert "$.decks[0]: 3 is not ['string']" in found
    assert "$.findings[0]: no 'kind'" in found
    assert "$.summary: no 'warnings'" in found
    assert "$.summary.errors: -1 < 0" in found
    assert "$.summary.by_kind.x: 0 < 1" in found
    stats = schema("stats")
    assert errors(True, {"$ref": "#/$defs/counts/shown"}, stats) == ["$: True is not ['integer']"]


@pytest.mark.parametrize("name", ["check", "stats", "where-used", "changed"])
def test_the_schemas_are_valid_json_schema(name):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema(name))


def test_check_json_with_many_kinds_fits_its_schema(make_project):
    root = make_project({
        "deck.yml": "title: T\ncontent:\n- a.md\n",
        "bad.yml": "title: [\n",
        "a.md": "[x](#nowhere)\n@@NOPE@@\n![p](images/none.png)\n[Big]: https://x.example/\n.lab[\n",
        "old.md": "",
    })
    data = json.loads(as_json(check(str(root), env={})))
    assert len(data["summary"]["by_kind"]) >= 6
    assert_fits(data, "check")


@pytest.mark.corpus
def test_check_json_on_the_corpus_fits_its_schema(corpus_root):
    data = json.loads(as_json(check(str(corpus_root / "slides"), env={})))
    assert data["findings"]
    assert_fits(data, "check")


def _stats(args, capsys):
    from .test_stats import run_cli

    code = run_cli(args)
    return code, json.loads(capsys.readouterr().out)


def test_stats_json_fits_its_schema(make_project, capsys):
    root = make_project({
        "deck.yml": "title: T\nduration: 1 day\ncontent:\n- front.md\n- - a.md\n",
        "other.yml": "title: U\nduration: soon\ncontent:\n- a.md\n",
        "broken.yml": "title: [\n",
        "front.md": "@@TOC@@\n", "a.md": "# A\n\n.lab[\ndo\n]\n--\nmore\n",
    })
    code, data = _stats(["--root", str(root), "--format", "json"], capsys)
    assert code == 1 and len(data["decks"]) == 2 and data["problems"]
    assert data["decks"][0]["duration"] == {"declared": "1 day", "minutes": 360.0}
    assert data["decks"][1]["duration"] == {"declared": "soon", "minutes": None}
    assert_fits(data, "stats")


def test_where_used_and_changed_json_fit_their_schemas(make_project, capsys):
    root = make_project({"deck.yml": "title: T\ncontent:\n- - a.md\n", "a.md": "A\n", "b.md": "B\n"})
    _, data = _stats(["--root", str(root), "--format", "json", "--where-used", "a.md", "b.md"], capsys)
    assert data["where_used"][0]["uses"] == [{"deck": "deck.yml", "part": 1, "line": 3, "via": None}]
    assert_fits(data, "where-used")
    _, data = _stats(["--root", str(root), "--format", "json", "--changed", str(root / "a.md")], capsys)
    assert data["decks"] == [{"deck": "deck.yml", "because": ["a.md"]}]
    assert_fits(data, "changed")


@pytest.mark.corpus
def test_stats_json_on_the_corpus_fits_its_schema(corpus_root, capsys):
    _, data = _stats(["--root", str(corpus_root / "slides"), "--format", "json"], capsys)
    assert len(data["decks"]) == 12
    assert_fits(data, "stats")
