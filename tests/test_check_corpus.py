"""`deckwright check` on the container.training corpus: no errors, only true warnings, and
every planted fault found at its file and line, with nothing else new."""

from __future__ import annotations

import itertools
import posixpath
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from deckwright.builder import Workshop, compile_deck
from deckwright.check import check
from deckwright.directives import KNOWN
from deckwright.reader import Project

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def baseline(corpus_root):
    return check(str(corpus_root / "slides"), env={})


def test_the_corpus_has_no_errors(baseline):
    assert [str(f) for f in baseline.findings if f.is_error] == []
    assert len(baseline.decks) == 12


def test_the_corpus_warnings_are_of_the_kinds_we_know(baseline):
    kinds = {f.kind for f in baseline.findings}
    # Each kind below is verified finding by finding in the test after this one.
    assert kinds <= set(VERIFY), kinds - set(VERIFY)
    assert {"unused-chapter", "unused-image", "label-case", "invisible-character"} <= kinds


def test_every_corpus_warning_is_true(baseline, corpus_root):
    root = corpus_root / "slides"
    facts = Facts(root)
    for finding in baseline.findings:
        assert VERIFY[finding.kind](facts, finding), str(finding)


class Facts:
    """What the corpus says, read independently of deckwright's checks (plain text and YAML)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
                      for p in root.rglob("*") if p.suffix in (".md", ".yml", ".txt", ".yaml")}
        self.entries: set[str] = set()
        for name, text in self.texts.items():
            if name.endswith(".yml"):
                data = yaml.safe_load(text)
                for item in _flatten(data.get("content") or data.get("chapters") or []):
                    if "\n" not in item:
                        self.entries.add(posixpath.normpath(posixpath.join(posixpath.dirname(name), item)))

    def line(self, finding) -> str:
        return self.texts[finding.loc.path].splitlines()[finding.loc.line - 1]


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield str(item)


def _unused_chapter(facts: Facts, f) -> bool:
    path = f.loc.path
    included = any(f"@@INCLUDE[slides/{path}]" in t for t in facts.texts.values())
    # git's stand-in for a symlink: a one-line chapter naming another one
    stand_in = any(t.strip() == posixpath.relpath(path, posixpath.dirname(e) or ".")
                   for e in facts.entries for t in [facts.texts.get(e, "")])
    return path.endswith(".md") and path not in facts.entries and not included and not stand_in


def _unused_image(facts: Facts, f) -> bool:
    name = posixpath.basename(f.loc.path)
    return (facts.root / f.loc.path).is_file() and not any(name in t for t in facts.texts.values())


def _label_case(facts: Facts, f) -> bool:
    m = re.match(r"^\s*\[([^\]]+)\]:", facts.line(f))
    return bool(m) and m.group(1) != m.group(1).lower() and f"[{m.group(1)}]" in f.message


def _invisible(facts: Facts, f) -> bool:
    line = facts.line(f)
    if f.message.startswith("tab in the indentation of a YAML block"):
        above = facts.texts[f.loc.path].splitlines()[: f.loc.line - 1]
        opener = next(l for l in reversed(above) if l.strip().startswith("```"))
        return re.match(r"^[ ]*\t", line) is not None and opener.strip() in ("```yaml", "```yml")
    m = re.match(r"U\+([0-9A-F]{4,5}) \(([^)]*)\)", f.message)
    return bool(m) and chr(int(m.group(1), 16)) in line and unicodedata.name(chr(int(m.group(1), 16)), "") == m.group(2)


def _unknown_directive(facts: Facts, f) -> bool:
    m = re.search(r"@@([A-Z_]+)@@", f.message)
    return bool(m) and m.group(0) in facts.line(f) and m.group(1) not in KNOWN


def _missing_file(facts: Facts, f) -> bool:
    link = re.match(r"@@LINK\[([^\]]+)\]", f.message)
    if link:  # relative to the repository, the folder above slides/
        return link.group(0) in facts.line(f) and not (facts.root.parent / link.group(1)).exists()
    target = re.search(r"link to '([^']+)'", f.message).group(1)
    return f"]({target})" in facts.line(f) and not (facts.root / target.split("#")[0]).exists()


def _cross_deck_anchor(facts: Facts, f) -> bool:
    target = re.search(r"link to '([^']+)'", f.message).group(1)
    page, _, name = target.partition("#")
    manifest = page.removesuffix(".html")
    workshop = Workshop.open(Project.at(facts.root), env={})
    deck, _ = compile_deck(workshop, workshop.load(manifest)[0])
    names = {s.name for s in deck.slides}
    return f.severity == "warning" and f"]({target})" in facts.line(f) and name not in names


def _index_link(facts: Facts, f) -> bool:
    # An item of index.yaml (at its first line) whose `slides:` names a page of this site
    # that no manifest makes.
    page = re.fullmatch(r"'slides: ([^']+)' names no deck built for this site", f.message).group(1)
    lines = facts.texts["index.yaml"].splitlines()[f.loc.line - 1:]
    item = lines[:1] + list(itertools.takewhile(lambda line: not line.startswith("-"), lines[1:]))
    return (f.loc.path == "index.yaml" and f"  slides: {page}" in item
            and "/" not in page and not (facts.root / page.removesuffix(".html")).is_file())


VERIFY = {
    "index": _index_link,
    "unused-chapter": _unused_chapter,
    "unused-image": _unused_image,
    "label-case": _label_case,
    "invisible-character": _invisible,
    "unknown-directive": _unknown_directive,
    "missing-file": _missing_file,
    "broken-anchor": _cross_deck_anchor,
}


# --- fault injection -------------------------------------------------------------------------

def append_slide(path: Path, lines: list[str]) -> int:
    """Add a slide at the end of a chapter; return the line number of its first line."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    first = text.count("\n") + 3  # after the `---` line and a blank line
    path.write_text(text + "---\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return first


def append_line(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def plant_faults(root: Path) -> set[tuple[str, int, str, str]]:
    """Plant one fault (or more) of each kind; return (path, line, kind, severity) of each."""
    k8s = root / "k8s"
    expected = set()

    def at(path: str, line: int, kind: str, severity: str = "error") -> None:
        expected.add((path, line, kind, severity))

    at("k8s/rollout.md", append_slide(k8s / "rollout.md", ["![a diagram](images/no-such-diagram.png)"]),
       "missing-image")
    at("k8s/daemonset.md", append_slide(k8s / "daemonset.md", [
        "```bash", "@@INCLUDE[k8s/no-such-file.yaml]", "```"]) + 1, "include")
    at("k8s/namespaces.md", append_slide(k8s / "namespaces.md", ["See [the start](#no-such-slide)"]),
       "broken-anchor", "warning")
    append_slide(k8s / "kubectl-logs.md", ["name: fault-twin", "", "One"])
    at("k8s/kubectl-logs.md", append_slide(k8s / "kubectl-logs.md", ["name: fault-twin", "", "Two"]),
       "duplicate-name")
    at("k8s/kubectlexpose.md", append_slide(k8s / "kubectlexpose.md", ["[fault-docs]: https://one.example/"]),
       "duplicate-label")
    append_slide(k8s / "kubectlexpose.md", ["[fault-docs]: https://two.example/"])
    at("k8s/helm-intro.md", append_slide(k8s / "helm-intro.md", ["[FaultDocs]: https://example.com/"]),
       "label-case", "warning")
    at("k8s/dashboard.md", append_slide(k8s / "dashboard.md", [".lab[", "", "- an exercise left open"]),
       "unclosed-bracket")
    at("k8s/scalingdockercoins.md", append_slide(k8s / "scalingdockercoins.md", ["```bash", "kubectl get pods"]),
       "unclosed-fence")
    at("k8s/ourapponkube.md", append_slide(k8s / "ourapponkube.md", [
        "Run `kubectl get pods", "", "---", "", "then kubectl logs` here"]), "unclosed-backtick")
    at("k8s/kubectlget.md", append_slide(k8s / "kubectlget.md", ["## A fault", "", "class: extra-details"]) + 2,
       "slide-property", "warning")
    at("k8s/kubectl-run.md", append_slide(k8s / "kubectl-run.md", ["Version @@VERSOIN@@"]),
       "unknown-directive", "warning")
    at("k8s/concepts-k8s.md", append_slide(k8s / "concepts-k8s.md", [
        "```bash", "kubectl\u00a0get nodes", "```"]) + 1, "invisible-character", "warning")
    at("k8s/setup-overview.md", append_slide(k8s / "setup-overview.md", [
        "[the handout](files/no-such-handout.pdf)"]), "missing-file", "warning")
    # manifests: a chapter listed twice (swarm), bad YAML (mlops): the other decks are still checked
    at("swarm.yml", append_line(root / "swarm.yml", "- shared/title.md"), "duplicate-chapter")
    at("mlops.yml", append_line(root / "mlops.yml", "\tcontent: x"), "manifest")
    # files nothing uses
    (k8s / "fault-orphan.md").write_text("# Nobody uses me\n", encoding="utf-8")
    at("k8s/fault-orphan.md", 1, "unused-chapter", "warning")
    (root / "images" / "fault-orphan.png").write_bytes(b"\x89PNG\r\n")
    at("images/fault-orphan.png", 1, "unused-image", "warning")
    return expected


def test_planted_faults_are_each_found_at_their_line_and_nothing_else_is_new(baseline, corpus_copy):
    expected = plant_faults(corpus_copy)
    assert len({kind for _, _, kind, _ in expected}) >= 10
    result = check(str(corpus_copy), env={})
    before = {(f.loc.path, f.loc.line, f.kind, f.severity) for f in baseline.findings}
    after = {(f.loc.path, f.loc.line, f.kind, f.severity) for f in result.findings}
    assert after - before == expected


def test_a_planted_bad_manifest_is_reported_with_its_column(corpus_copy):
    line = append_line(corpus_copy / "mlops.yml", "\tcontent: x")
    result = check(str(corpus_copy), env={})
    bad = [str(f) for f in result.findings if f.loc.path == "mlops.yml"]
    assert len(bad) == 1 and bad[0].startswith(f"mlops.yml:{line}:1: error: invalid YAML: ")
    assert len(result.decks) == 12
