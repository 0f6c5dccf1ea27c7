"""`deckwright check --external` against a local HTTP server (127.0.0.1 only), with its cache."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from typing import ClassVar

import pytest

from deckwright.check import ExternalOptions, check


class Server(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; refuses HEAD on /no-head/ (as some servers do); counts requests."""

    requests: ClassVar[list[str]] = []

    def do_HEAD(self):
        self.requests.append(f"HEAD {self.path}")
        if self.path.startswith("/no-head/"):
            self.send_error(405)
            return
        super().do_HEAD()

    def do_GET(self):
        self.requests.append(f"GET {self.path}")
        if self.path.startswith("/no-head/"):
            self.path = self.path.removeprefix("/no-head")
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.png").write_bytes(b"png")
    (site / "page.html").write_text("<p>hi</p>")
    Server.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Server, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def project(make_project, url):
    return make_project({
        "deck.yml": "title: T\ncontent:\n- a.md\n",
        "a.md": (
            f"![ok]({url}/ok.png)\n"  # 1
            f"![gone]({url}/gone.png)\n"  # 2: 404, an error
            f"[page]({url}/no-head/page.html)\n"  # 3: HEAD refused, GET answers
            f"`[in code]({url}/code.png)`\n"  # 4: code is not checked
            f"\n[ref]: {url}/gone.png\n"  # 6: the same 404, said at its own place
        ),
    })


def test_external_links_are_checked_and_remembered(make_project, server, tmp_path):
    root = project(make_project, server)
    options = ExternalOptions(timeout=5, time_limit=30, cache=tmp_path / "cache.json")
    found = [(str(f.loc), f.kind, f.severity, f.message) for f in check(str(root), env={}, external=options).findings]
    assert found == [
        ("a.md:2", "external-link", "error", f"{server}/gone.png does not answer: HTTP 404 File not found"),
        ("a.md:6", "external-link", "error", f"{server}/gone.png does not answer: HTTP 404 File not found"),
    ]
    assert "GET /no-head/page.html" in Server.requests and "HEAD /no-head/page.html" in Server.requests
    assert not any("code.png" in r for r in Server.requests)
    cached = {a["url"]: a["status"] for a in json.loads((tmp_path / "cache.json").read_text())["answers"]}
    assert cached == {f"{server}/ok.png": 200, f"{server}/gone.png": 404, f"{server}/no-head/page.html": 200}
    # A second run asks nobody: every answer is fresh in the cache.
    Server.requests = []
    again = check(str(root), env={}, external=options).findings
    assert Server.requests == [] and len(again) == 2


def test_old_answers_are_asked_again(make_project, server, tmp_path):
    root = project(make_project, server)
    options = ExternalOptions(timeout=5, time_limit=30, cache=tmp_path / "cache.json", max_age=0)
    check(str(root), env={}, external=options)
    Server.requests = []
    check(str(root), env={}, external=options)
    assert "HEAD /ok.png" in Server.requests


def test_the_time_limit_leaves_links_unchecked_with_one_warning(make_project, server, tmp_path):
    root = project(make_project, server)
    options = ExternalOptions(timeout=5, time_limit=0, cache=tmp_path / "cache.json")
    found = [(str(f.loc), f.kind, f.severity, f.message) for f in check(str(root), env={}, external=options).findings]
    assert found == [("a.md:1", "external-link", "warning",
                      "3 external link(s) not checked: the time limit (0 s) ran out (the cache keeps what was checked)")]
    assert Server.requests == []


def test_a_server_that_is_not_there_is_a_warning(make_project, tmp_path):
    root = make_project({"deck.yml": "content:\n- a.md\n", "a.md": "[x](http://127.0.0.1:9/nothing)\n"})
    options = ExternalOptions(timeout=2, time_limit=30, cache=tmp_path / "cache.json")
    findings = check(str(root), env={}, external=options).findings
    assert [(str(f.loc), f.kind, f.severity) for f in findings] == [("a.md:1", "external-link", "warning")]
    assert findings[0].message.startswith("http://127.0.0.1:9/nothing does not answer: ")


def test_external_is_off_by_default(make_project, server):
    root = project(make_project, server)
    assert check(str(root), env={}).findings == [] and Server.requests == []
