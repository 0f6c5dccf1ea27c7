"""Mermaid diagrams without a browser: which decks load mermaid, and how pages name it.

Only a deck whose slides hold a `<pre class="mermaid">` block (container.training's
way of writing diagrams) names assets/vendor/mermaid.min.js; any other page is what it
was before diagrams were drawn. tests/test_diagrams_browser.py draws them.
"""

from __future__ import annotations

import zipfile

import pytest

from deckwright import site
from deckwright.builder import build
from deckwright.reader import Project
from deckwright.render import has_diagrams

from .conftest import write_files

FLOWCHART = """\
# A flowchart

<pre class="mermaid">
flowchart LR
  A["Client"] --> B["Server"]
</pre>
"""

PLAIN = """\
# No diagram

Some text about mermaid, and `<pre class="mermaid">` in inline code.
"""


INDENTED = '    <pre class="mermaid">\n    graph LR\n    </pre>'  # an indented code block


def manifest(chapter: str) -> str:
    return f"title: Diagrams\nchapters:\n- {chapter}\n"


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ('<pre class="mermaid">\nflowchart TD\n</pre>', True),
        ("<pre class='mermaid'>graph LR; A-->B</pre>", True),
        ('<pre class="diagram mermaid wide">\ngraph LR\n</pre>', True),
        ('<div class="mermaid">\ngraph LR\n</div>', True),
        ('<pre id="x" class="mermaid">\ngraph LR\n</pre>', True),
        ("Mermaids sing in the flowchart.", False),
        ('<pre class="mermaid-like">\ntext\n</pre>', False),
        ('<pre class="not-mermaid">\ntext\n</pre>', False),
        ('<span class="mermaid">not a diagram block</span>', False),
        ("```mermaid\ngraph TD; A-->B\n```", False),  # code to show, as remark shows it
        ('Write `<pre class="mermaid">` blocks', False),
        ('```html\n<pre class="mermaid">\ngraph LR\n</pre>\n```', False),
        ('```html\n<pre class="mermaid">\n```\n---\n<pre class="mermaid">\ngraph LR\n</pre>', True),
        # Indented 4 spaces after a blank line and some text (remark shows code); but remark
        # takes the indentation off a slide's top, a list item's indented lines are its text,
        # an HTML block runs to its closing tag, and a line indented right after text goes on
        # with it: remark draws the diagram there (seen in Chromium).
        (f"# Code\n\n{INDENTED}", False),
        (f"\n\n# Code\n\nText\n\n{INDENTED}\n\nMore", False),
        (INDENTED, True),
        (f"\n\n{INDENTED}", True),
        (f"class: wide\n\n{INDENTED}", True),
        (f"- item\n\n{INDENTED}", True),
        (f"1. item\n\n{INDENTED}", True),
        (f"<div>\n\n{INDENTED}\n\n</div>", True),
        (f"Text\n{INDENTED}", True),
        (f"# Code\n\n{INDENTED}\n\nText\n\n<pre class=\"mermaid\">\ngraph LR\n</pre>", True),
    ],
)
def test_which_markdown_holds_diagrams(markdown, expected):
    assert has_diagrams([markdown]) is expected


@pytest.fixture
def content(tmp_path):
    return write_files(tmp_path / "content" / "slides", {
        "diagram.yml": manifest("diagram.md"),
        "diagram.md": FLOWCHART,
        "plain.yml": manifest("plain.md"),
        "plain.md": PLAIN,
    })


def test_only_a_deck_with_diagrams_names_mermaid(content, tmp_path):
    out = tmp_path / "dist"
    results = build(Project.at(content), None, out, env={})
    assert all(r.ok for r in results)
    with_diagram = (out / "diagram.yml.html").read_text(encoding="utf-8")
    plain = (out / "plain.yml.html").read_text(encoding="utf-8")
    # (Checks as booleans: pytest's diff of two whole pages takes minutes.)
    assert ('src="assets/vendor/mermaid.min.js"' in with_diagram) is True
    assert ("deckwrightDiagrams" in with_diagram) is True
    # The page without diagrams: no mermaid code, no name of its file.
    assert ("mermaid.min.js" in plain or "deckwrightDiagrams" in plain) is False
    assert (out / "assets" / "vendor" / "mermaid.min.js").is_file()


def test_a_deck_showing_a_diagram_as_indented_code_does_not_name_mermaid(tmp_path):
    root = write_files(tmp_path / "slides", {
        "code.yml": manifest("code.md"), "code.md": f"# Code\n\nText\n\n{INDENTED}\n",
        "list.yml": manifest("list.md"), "list.md": f"# List\n\n- item\n\n{INDENTED}\n"})
    out = tmp_path / "dist"
    assert all(r.ok for r in build(Project.at(root), None, out, env={}))
    assert ("mermaid.min.js" in (out / "code.yml.html").read_text(encoding="utf-8")) is False
    assert ("mermaid.min.js" in (out / "list.yml.html").read_text(encoding="utf-8")) is True


def test_single_file_embeds_mermaid_only_for_a_deck_with_diagrams(content, tmp_path):
    out = tmp_path / "site"
    result = site.build_site(Project.at(content), None, out, env={}, single_file=True)
    assert result.ok
    with_diagram = (out / "single" / "diagram.yml.html").read_text(encoding="utf-8")
    plain = (out / "single" / "plain.yml.html").read_text(encoding="utf-8")
    assert ('src="assets/' in with_diagram) is False
    later = '<script type="deckwright/later" id="deckwright-mermaid" src="data:text/javascript;base64,'
    assert (later in with_diagram) is True
    assert ("deckwright-mermaid" in plain) is False
    assert len(plain) < len(with_diagram) - 5_000_000


MERMAID = ("assets/vendor/mermaid.min.js", "assets/vendor/mermaid.LICENSE")


def has_mermaid(out) -> bool:
    """Whether the output folder holds mermaid's files (both, or neither: anything else fails)."""
    found = {(out / rel).is_file() for rel in MERMAID}
    assert len(found) == 1, found
    return found.pop()


def test_an_output_folder_without_diagrams_gets_no_mermaid(content, tmp_path):
    out = tmp_path / "dist"
    assert all(r.ok for r in build(Project.at(content), ["plain.yml"], out, env={}))
    assert (out / "assets" / "vendor" / "remark.min.js").is_file()
    assert has_mermaid(out) is False
    assert all(r.ok for r in build(Project.at(content), ["diagram.yml"], out, env={}))
    assert has_mermaid(out) is True


def test_serve_copies_mermaid_once_a_deck_draws_a_diagram(content, tmp_path):
    from deckwright.serve import DeckSite

    out = tmp_path / "served"
    served = DeckSite(Project.at(content), ["plain.yml"], out, log=lambda _: None, err=lambda _: None)
    assert all(r.ok for r in served.build_all())
    assert has_mermaid(out) is False
    (content / "plain.md").write_text(PLAIN + "\n---\n\n" + FLOWCHART, encoding="utf-8")
    list(served.rebuild({content / "plain.md"}))
    assert ('src="assets/vendor/mermaid.min.js"' in (out / "plain.yml.html").read_text()) is True
    assert has_mermaid(out) is True


def test_a_site_and_its_bundles_hold_mermaid_only_with_diagrams(content, tmp_path):
    out = tmp_path / "site"
    assert site.build_site(Project.at(content), ["plain.yml"], out, env={}).ok
    assert has_mermaid(out) is False
    build(Project.at(content), ["diagram.yml"], out, env={})  # leaves mermaid in the folder
    assert site.build_site(Project.at(content), ["plain.yml"], out, env={}).ok
    with zipfile.ZipFile(out / "slides.zip") as bundle:
        assert not any("mermaid" in name for name in bundle.namelist())
    assert site.build_site(Project.at(content), None, out, env={}).ok
    with zipfile.ZipFile(out / "slides.zip") as bundle:
        assert {f"slides/{rel}" for rel in MERMAID} <= set(bundle.namelist())
