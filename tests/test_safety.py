"""What people type cannot reach outside the project, or run script outside what remark renders.

Each test here was checked to fail with its protection removed (see the issue's note).
Includes leaving the repository by `../` or an absolute path are in test_errors.py; the
dev server's `../` requests and its default address in test_serve.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from deckwright.builder import build
from deckwright.errors import DeckwrightError
from deckwright.reader import Project
from deckwright.render import TEMPLATES
from deckwright.server import LiveServer
from deckwright.site import build_site
from deckwright.writer import OutputDir

from .conftest import write_files

SECRET = "not for the deck"
CHAPTER = "# A\n\nText\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project (the project is tmp_path/repo)."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def run_build(tmp_path: Path, files: dict[str, str], links: dict[str, Path] | None = None,
              ) -> tuple[list[str], Path]:
    root = write_files(tmp_path / "repo" / "slides", files)
    for rel, target in (links or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)
    out = tmp_path / "out"
    [result] = build(Project.at(root), ["deck.yml"], out, env={})
    return [str(p).split("\n")[0] for p in result.problems], out


def everything_written(tmp_path: Path) -> str:
    """The text of every file under tmp_path except the secret itself."""
    found = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name != "secret.txt":
            found.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(found)


# -- reading: includes, chapters and pictures stay inside ------------------------------------------


def test_an_include_through_a_symlink_pointing_out_is_refused(tmp_path, outside):
    problems, _ = run_build(tmp_path, {"deck.yml": "content: [a.md]\n", "a.md": "# A\n\n@@INCLUDE[slides/link.txt]\n"},
                            {"link.txt": outside})
    assert problems == ["a.md:3: error: @@INCLUDE[slides/link.txt] leaves the repository"]
    assert SECRET not in everything_written(tmp_path)


def test_a_chapter_symlink_pointing_out_is_not_read(tmp_path, outside):
    problems, _ = run_build(tmp_path, {"deck.yml": "content:\n- link.md\n"}, {"link.md": outside})
    assert problems == ["deck.yml:2:3: error: chapter file 'link.md' leads outside the content folder (a symbolic link)"]
    assert SECRET not in everything_written(tmp_path)


@pytest.mark.parametrize("picture, why", [
    ("../../secret.txt", "leaves the content folder"),
    ("{outside}", "leaves the content folder"),
    ("images/link.png", "leads outside the content folder (a symbolic link)"),
])
def test_pictures_outside_the_project_are_neither_read_nor_copied(tmp_path, outside, picture, why):
    picture = picture.format(outside=outside)
    problems, out = run_build(tmp_path, {"deck.yml": "content: [a.md]\n", "a.md": f"# A\n\n![x]({picture})\n"},
                              {"images/link.png": outside})
    assert problems == [f"a.md:3: error: picture '{picture}' {why}"]
    assert not (out / "deck.yml.html").exists()
    assert SECRET not in everything_written(tmp_path)


@pytest.mark.parametrize("name", ["../evil.html", "/tmp/evil.html", "..", "javascript:alert(1)"])
def test_a_deck_cannot_be_written_outside_the_output_folder(tmp_path, name):
    problems, out = run_build(tmp_path, {"deck.yml": f"content: [a.md]\nhtml: '{name}'\n", "a.md": CHAPTER})
    assert problems[0].startswith(f"deck.yml:2:7: error: 'html' '{name}' cannot name a deck's page: ")
    assert not list(tmp_path.rglob("evil.html")) and not list(out.rglob("*.html"))


@pytest.mark.parametrize("rel", ["../escape.txt", "/tmp/escape.txt", "a/../../escape.txt"])
def test_the_writer_refuses_paths_leaving_its_folder(tmp_path, rel):
    # The last line of defence, under the manifest's own check: the output folder itself.
    with pytest.raises(DeckwrightError, match="output path leaves the output folder"):
        OutputDir(tmp_path / "out").write_text(rel, "x")
    assert not (tmp_path / "escape.txt").exists()


# -- the page: manifest text lands escaped for its context -------------------------------------------

PAYLOAD = '"\'><img src=x onerror="window.pwned=1"></textarea><script>window.pwned=2</script>'

HOSTILE = {
    "deck.yml": (
        f"title: {json.dumps('Deck ' + PAYLOAD)}\n"
        f"slidenumberprefix: {json.dumps('#Tag &mdash; ' + PAYLOAD)}\n"
        f"chat: {json.dumps(PAYLOAD)}\n"
        "content:\n- - a.md\n"
    ),
    "a.md": "# A </textarea><script>window.pwned=3</script>\n\nText with a </textarea> inside.\n",
}


class _Page(HTMLParser):
    """What a browser would build from a page: elements (with attributes) and text per element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self.by_id: dict[str, str] = {}  # text of the elements with an id
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append((tag, dict(attrs).get("id")))

    def handle_endtag(self, tag):
        if tag in [t for t, _ in self._open]:
            while self._open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if self._open:
            tag, id_ = self._open[-1]
            self.text[tag] = self.text.get(tag, "") + data
            if id_:
                self.by_id[id_] = self.by_id.get(id_, "") + data


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def assert_no_injected_markup(page_html: str, scripts: int, markdown: str | None = None) -> _Page:
    """No element or event handler from the payloads; only the template's scripts.

    `markdown`: the deck's source, which the page's source script must hold whole, as one
    JavaScript string (a "</script>" in a chapter must not end the element early).
    """
    page = parse(page_html)
    tags = [t for t, _ in page.tags]
    assert "img" not in tags
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert tags.count("script") == scripts and "textarea" not in tags
    if markdown is not None:
        literal = re.fullmatch(r'window\.deckwrightSource = (".*");', page.by_id.get("source", ""), re.DOTALL)
        assert literal and json.loads(literal.group(1)) == markdown
    return page


def test_manifest_and_chapter_text_cannot_add_elements_or_script_to_a_deck(tmp_path):
    problems, out = run_build(tmp_path, HOSTILE)
    assert not [p for p in problems if "error" in p], problems
    page_html = (out / "deck.yml.html").read_text()
    page = assert_no_injected_markup(page_html, scripts=4, markdown=deck_source(tmp_path))
    assert page.text["title"] == "Deck " + PAYLOAD  # the text itself survives, as text
    assert "Text with a </textarea> inside." in deck_source(tmp_path)
    assert "# A </textarea><script>window.pwned=3</script>" in deck_source(tmp_path)
    # The prefix goes through innerHTML: character references work, tags do not.
    prefix = json.loads(re.search(r"var prefix = (.*);", page_html).group(1))
    assert "<" not in prefix and html.unescape(prefix) == "#Tag \u2014 " + PAYLOAD


def deck_source(tmp_path: Path) -> str:
    """The source the hostile deck's page should hand remark, as the build makes it."""
    from deckwright.builder import Workshop, compile_deck
    from deckwright.render import deck_markdown

    workshop = Workshop.open(Project.at(tmp_path / "repo" / "slides"), {})
    deck, _ = compile_deck(workshop, workshop.load("deck.yml")[0])
    return deck_markdown(deck, coloured=True)


@pytest.mark.parametrize("unescaped", ["title", "markdown"])
def test_the_checks_above_catch_a_template_that_forgets_to_escape(tmp_path, unescaped):
    """The page checks are not vacuous: a copy of the template without escaping fails them."""
    from deckwright.builder import Workshop, compile_deck
    from deckwright.render import deck_html, deck_markdown

    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES, broken)
    template = broken / "remark.html"
    text, count = re.subn(r"\{\{ (" + unescaped + r")\|\w+ \}\}", r"{{ \1 }}", template.read_text())
    assert count  # the filter was there to remove
    template.write_text(text)
    root = write_files(tmp_path / "repo" / "slides", HOSTILE)
    workshop = Workshop.open(Project.at(root), {})
    manifest, _ = workshop.load("deck.yml")
    deck, _ = compile_deck(workshop, manifest)
    markdown = deck_markdown(deck, coloured=True)
    with pytest.raises(AssertionError):
        assert_no_injected_markup(deck_html(deck, markdown, templates=broken), 4, markdown)


INDEX = """\
- title: Fine
  date: 2099-01-01
  attend: https://example.com/register
  slides: deck.yml.html
- title: Hostile "><img src=x onerror=alert(1)>
  date: 2099-01-02
  city: <script>window.pwned=4</script>
  attend: "javascript:window.pwned=5"
  slides: " java\\tscript:window.pwned=6"
  video: "data:text/html,<script>window.pwned=7</script>"
"""


def test_index_fields_are_escaped_and_script_links_dropped(tmp_path):
    root = write_files(tmp_path / "repo" / "slides", {"deck.yml": "content: [a.md]\n", "a.md": CHAPTER,
                                                      "index.yaml": INDEX})
    result = build_site(Project.at(root), None, tmp_path / "site", env={})
    assert [str(p) for p in result.problems] == [
        "index.yaml:5:3: warning: 'attend' must be a web link or a path, not 'javascript:window.pwned=5'",
        "index.yaml:5:3: warning: 'slides' must be a web link or a path, not 'java\tscript:window.pwned=6'",
        ("index.yaml:5:3: warning: 'video' must be a web link or a path, not "
         "'data:text/html,<script>window.pwned=7</script>'"),
    ]
    page = assert_no_injected_markup((tmp_path / "site" / "index.html").read_text(), 0)
    hrefs = [a["href"] for t, a in page.tags if t == "a" and a.get("href")]
    assert "https://example.com/register" in hrefs and "deck.yml.html" in hrefs
    assert not [h for h in hrefs if ":" in h and not h.startswith(("https:", "http:", "mailto:"))]


# -- the dev server ---------------------------------------------------------------------------------


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def rebuild(self, changed, open_pages):
        return []

    def watched(self):
        return []

    def vanished(self, changed):
        return False


@pytest.fixture
def server(tmp_path, outside):
    served = tmp_path / "served"
    served.mkdir()
    (served / "page.html").write_text("<html><head></head><body>ok</body></html>")
    (served / "link.txt").symlink_to(outside)
    (served / "dir").symlink_to(outside.parent)
    live = LiveServer(_Folder(served), TEMPLATES / "remark.html", port=0, log=lambda _: None)
    live.start()
    yield live
    live.stop()


@pytest.mark.parametrize("path", ["/link.txt", "/dir/secret.txt", "//etc/passwd", "/..%5csecret.txt",
                                  "/%2e%2e%2fsecret.txt", "/page.html%00.txt"])
def test_the_server_serves_nothing_outside_its_folder(server, path):
    import http.client

    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=20)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status in (403, 404) and SECRET.encode() not in body and b"root:" not in body


def test_the_server_binds_to_the_loopback_address_unless_told(server):
    assert server.httpd.server_address[0] == "127.0.0.1"
