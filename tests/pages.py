"""The Markdown a built deck page hands remark, read back from the page's text."""

from __future__ import annotations

import html
import json
import re

# As deckwright builds it: a JavaScript string literal (JSON, every "<" escaped).
SCRIPT = re.compile(r'<script id="source">window\.deckwrightSource = (".*?");</script>', re.DOTALL)
# Without the load-time optimisations (bench/bench_browser.py's "off" page): a textarea.
TEXTAREA = re.compile(r'<textarea id="source" hidden>\n(.*?)</textarea>', re.DOTALL)


def page_markdown(page_html: str) -> str:
    """What the page's script hands remark.create as its source."""
    if m := SCRIPT.search(page_html):
        return json.loads(m.group(1))
    if m := TEXTAREA.search(page_html):
        return html.unescape(m.group(1))
    raise AssertionError("the page holds no deck source")
