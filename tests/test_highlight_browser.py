"""Code coloured at build time shows, in Chromium, the same text, lines and spans as remark's own."""

from __future__ import annotations

import pytest

from deckwright.builder import Workshop, build, compile_deck
from deckwright.reader import Project
from deckwright.render import deck_html, deck_markdown

from .browser import load_deck, new_page, open_browser
from .conftest import write_files

pytestmark = pytest.mark.browser

CHAPTER = """\
# Code

```bash
docker run `--rm` alpine echo "hi $USER" # a comment
echo "Today is \\`date +%A`"
```

---

## Lines

```python
def count(path):
*   return len(path)  # highlighted line

    return -1
```

--

```yaml
*spec:
  replicas: 3   # [not] .a[macro] *nor* _this_
```

---

## In a box

.lab[

- Write it:
  ```yaml
  spec:
    containers:
      - name: web
  ```

- Then:
  ```
  no language: left as it is
  ```

]

```nosuchlanguage
x = `y` < z & w
```
"""

MANIFEST = "title: Code\nchat: x\ngitrepo: example.org/x\nslides: x\ncontent:\n- code.md\n"

BLOCKS = """() => [...document.querySelectorAll('.remark-slides-area pre code')].map((code) => {
  const lines = [...code.querySelectorAll('.remark-code-line')];
  return {
    text: code.textContent,
    lines: lines.map((l) => l.textContent),
    highlighted: lines.map((l, i) => l.classList.contains('remark-code-line-highlighted') ? i : -1)
                      .filter((i) => i >= 0),
    spans: [...code.querySelectorAll('.remark-code-span-highlighted')].map((s) => s.textContent),
    coloured: code.querySelectorAll('[class^="hljs-"]').length,
    language: code.className.split(' ')[0],
  };
})"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("code") / "slides", {"deck.yml": MANIFEST, "code.md": CHAPTER})
    out = root.parent / "dist"
    assert all(r.ok for r in build(Project.at(root), ["deck.yml"], out, env={}))
    workshop = Workshop.open(Project.at(root), {})
    manifest, _ = workshop.load("deck.yml")
    deck, _ = compile_deck(workshop, manifest)
    off = out / "off.html"
    off.write_text(deck_html(deck, deck_markdown(deck), fast=False), encoding="utf-8")
    return out / "deck.yml.html", off


def blocks_of(browser, path):
    page = new_page(browser)
    try:
        loaded = load_deck(page, path.as_uri())
        assert loaded["errors"] == [] and loaded["count"] > 0
        return page.evaluate(BLOCKS)
    finally:
        page.close()


def test_same_code_as_remark(pages, tmp_path):
    on_path, off_path = pages
    assert "deckwright-hl-bash" in on_path.read_text()
    with open_browser() as browser:
        on, off = blocks_of(browser, on_path), blocks_of(browser, off_path)
    assert len(on) == len(off) == 7  # the `--` step repeats the python block
    for ours, remarks in zip(on, off):
        assert {k: ours[k] for k in ("text", "lines", "highlighted", "spans")} == \
               {k: remarks[k] for k in ("text", "lines", "highlighted", "spans")}
    bash, python, _, yaml, lab_yaml, plain, unknown = on
    assert bash["spans"] == ["--rm"] and bash["lines"][1] == 'echo "Today is `date +%A`"'
    assert python["highlighted"] == [1] and yaml["highlighted"] == [0]
    assert lab_yaml["language"] == "yaml" and lab_yaml["coloured"] > 0
    assert all(b["coloured"] > 0 for b in (bash, python, yaml))
    assert plain["coloured"] == 0 and unknown["spans"] == ["y"]
