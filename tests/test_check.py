"""`deckwright check`: each kind of finding, its text and its place, on small projects."""

from __future__ import annotations

import argparse

import pytest

from deckwright import check as check_module
from deckwright import cli
from deckwright.check import as_json, as_text, check

HEAD = "title: T\nslides: https://example.org/\n"


def findings(root, manifests=None):
    """(place, kind, severity, message) of each finding."""
    return [(str(f.loc), f.kind, f.severity, f.message) for f in check(str(root), manifests, env={}).findings]


def places(root, manifests=None, kind=None):
    return [(p, k) for p, k, _, _ in findings(root, manifests) if kind is None or k == kind]


def test_a_clean_project_has_no_findings(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- - a.md\n",
        "a.md": "# A\n\n![p](images/p.png)\n\n[b](#toc-a)\n",
        "images/p.png": "png",
    })
    assert findings(root) == []
    assert as_text(check(str(root), env={})).endswith("checked 1 deck(s): 0 error(s), 0 warning(s)\n")


def test_missing_picture_is_an_error_at_its_line_even_in_an_excluded_slide(make_project):
    root = make_project({
        "deck.yml": HEAD + "exclude: [hidden]\ncontent:\n- a.md\n",
        "a.md": "# A\n\n![p](images/nope.png)\n---\nclass: hidden\n\n<img src=\"images/gone.svg\">\n",
    })
    assert findings(root) == [
        ("a.md:3", "missing-image", "error", "picture 'images/nope.png' does not exist"),
        ("a.md:7", "missing-image", "error", "picture 'images/gone.svg' does not exist"),
    ]


def test_pictures_by_reference_in_rarer_html_and_in_notes_are_checked_at_their_lines(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "# A\n\n![a map][map] and ![legend]\n\n![undefined] ![capitals][Here]\n---\n"
                '<img srcset="images/small.png 1x, images/big.png 2x" src="images/p.png">\n\n'
                '<video poster="images/still.png"></video> <object data="images/drawing.svg"></object>\n'
                "???\n\nSay it with ![a sketch](images/sketch.png)\n",
        "b.md": "# B\n\n[map]: images/map.png\n[legend]: images/p.png\n[here]: images/here.png\n",
        "images/p.png": "png",
    })
    assert places(root, kind="missing-image") == [
        ("a.md:3", "missing-image"),  # images/map.png (images/p.png is there)
        ("a.md:5", "missing-image"),  # [Here] is looked up as [here], as remark does
        ("a.md:7", "missing-image"),
        ("a.md:7", "missing-image"),
        ("a.md:9", "missing-image"),
        ("a.md:9", "missing-image"),
        ("a.md:12", "missing-image"),
    ]
    assert [m for _, k, _, m in findings(root) if k == "missing-image"] == [
        "picture 'images/map.png' does not exist",
        "picture 'images/here.png' does not exist",
        "picture 'images/big.png' does not exist",
        "picture 'images/small.png' does not exist",
        "picture 'images/drawing.svg' does not exist",
        "picture 'images/still.png' does not exist",
        "picture 'images/sketch.png' does not exist",
    ]


def test_pictures_resolve_from_the_deck_page_not_the_chapter_folder(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- k8s/a.md\n",
        "k8s/a.md": "![p](images/p.png)\n",
        "k8s/images/p.png": "png",  # next to the chapter: not where the published deck looks
    })
    assert places(root) == [("k8s/a.md:1", "missing-image"), ("k8s/images/p.png:1", "unused-image")]


def test_missing_include_is_reported_and_the_rest_of_the_chapter_is_checked(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n\n```\n@@INCLUDE[k8s/nope.yaml]\n```\n---\n![p](images/nope.png)\n",
    })
    assert findings(root) == [
        ("a.md:4", "include", "error", "@@INCLUDE[k8s/nope.yaml]: no such file in the repository (the folder above the content folder 'slides')"),
        ("a.md:7", "missing-image", "error", "picture 'images/nope.png' does not exist"),
    ]


def test_findings_in_an_included_file_are_at_its_own_lines(make_project, tmp_path):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n\n```yaml\n@@INCLUDE[k8s/pod.yaml]\n```\n",
    })
    (tmp_path / "content" / "k8s").mkdir()
    (tmp_path / "content" / "k8s" / "pod.yaml").write_text("kind: Pod\nspec:\n\tcontainers: []\n")
    assert findings(root) == [
        ("../k8s/pod.yaml:3", "invisible-character", "warning",
         "tab in the indentation of a YAML block: YAML does not allow tabs there"),
    ]


def test_broken_anchor_and_anchor_to_an_excluded_slide(make_project):
    root = make_project({
        "deck.yml": HEAD + "exclude: [extra]\ncontent:\n- a.md\n",
        "a.md": "[x](#nowhere)\n---\nname: later\nclass: extra\n\nHidden\n---\n[y](#later)\n",
    })
    assert findings(root) == [
        ("a.md:1", "broken-anchor", "warning", "link to #nowhere goes nowhere: no slide of this deck is named so"),
        ("a.md:8", "broken-anchor", "warning",
         "link to #later goes nowhere: its slide is left out by this deck's exclude (extra)"),
    ]


def test_the_build_says_what_check_says_of_links_that_go_nowhere(make_project, capsys):
    # A warning in both, with the same message: why, when the deck's exclude left the slide out.
    root = make_project({
        "deck.yml": HEAD + "exclude: [extra]\ncontent:\n- a.md\n",
        "a.md": "[x](#nowhere)\n---\nname: later\nclass: extra\n\nHidden\n---\n[y](#later)\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 0
    built = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]
    assert built == [f"{f.loc}: {f.severity}: {f.message}" for f in check(str(root), env={}).findings]
    assert built[1] == ("a.md:8: warning: link to #later goes nowhere: its slide is left out by this "
                        "deck's exclude (extra)")


def test_a_finding_in_a_shared_chapter_is_said_once_naming_its_decks(make_project):
    root = make_project({
        "one.yml": HEAD + "content:\n- a.md\n",
        "two.yml": HEAD + "content:\n- a.md\n",
        "a.md": "[x](#nowhere)\n",
    })
    result = check(str(root), env={})
    assert [str(f) for f in result.findings] == [
        "a.md:1: warning: link to #nowhere goes nowhere: no slide of this deck is named so [one.yml, two.yml]"
    ]


def test_a_missing_picture_of_interstitials_names_the_decks_that_come_to_it(make_project):
    # A picture slide before each chapter: deck.yml shows lines 1 and 2, other.yml line 1 only.
    root = make_project({
        "deck.yml": HEAD + "content:\n- - a.md\n  - b.md\n",
        "other.yml": HEAD + "content:\n- - b.md\n",
        "interstitials.txt": "images/one.png\nimages/two.png\nimages/never.png\n",
        "a.md": "# A\n", "b.md": "# B\n",
    })
    assert [str(f) for f in check(str(root), env={}).findings] == [
        "interstitials.txt:1: error: picture 'images/one.png' does not exist [deck.yml, other.yml]",
        "interstitials.txt:2: error: picture 'images/two.png' does not exist [deck.yml]",
        "interstitials.txt:3: error: picture 'images/never.png' does not exist",  # no deck shows it
    ]


def test_duplicate_slide_names(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- - b.md\n",
        "a.md": "name: intro\n\nA\n---\nname: toc-part-1\n\nmine\n---\n@@TOC@@\n",
        "b.md": "name: intro\n\n# B\n",
    })
    assert findings(root) == [
        ("a.md:5", "duplicate-name", "error",
         ("slide name 'toc-part-1' is also the name of a generated table of contents slide: "
         "remark sends every #toc-part-1 link to the last of them")),
        ("b.md:1", "duplicate-name", "error",
         ("slide name 'intro' is also the name of the slide at a.md:1: "
         "remark sends every #intro link to the last of them")),
    ]


def test_duplicate_slide_names_are_the_builds_errors_too(make_project, capsys):
    # remark sends #toc-part-1 to the author's slide: the chapters' way back to the table of
    # contents is lost. The build fails on it, saying what check says.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- - b.md\n",
        "a.md": "name: intro\n\nA\n---\nname: toc-part-1\n\nmine\n---\n@@TOC@@\n",
        "b.md": "name: intro\n\n# B\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 1
    built = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    found = check(str(root), env={}).findings
    assert built == [f"{f.loc}: {f.severity}: {f.message}" for f in found]
    assert [(str(f.loc), f.kind, f.decks) for f in found] == [
        ("a.md:5", "duplicate-name", ("deck.yml",)), ("b.md:1", "duplicate-name", ("deck.yml",))]
    assert not (root.parent / "out" / "deck.yml.html").exists()


def test_a_layout_slides_name_is_no_duplicate(make_project, capsys):
    # remark keeps a `layout: true` slide's name for `template:` only: no link goes there.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n---\nlayout: true\nname: lay\n\n.footnote[x]\n---\nname: lay\n\nB\n",
    })
    assert findings(root) == []
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 0
    assert ": error: " not in capsys.readouterr().err


def test_a_link_to_a_layout_slides_name_goes_nowhere(make_project):
    # remark sends a `#name` it has no shown slide for to the first slide.
    root = make_project({
        "one.yml": HEAD + "content:\n- a.md\n",
        "two.yml": HEAD + "content:\n- b.md\n",
        "a.md": "layout: true\nname: lay\n\n.footnote[x]\n---\n[here](#lay) [there](two.yml.html#lay2)\n",
        "b.md": "layout: true\nname: lay2\n\n.footnote[x]\n---\nB\n",
    })
    assert findings(root) == [
        ("a.md:6", "broken-anchor", "warning",
         "link to #lay goes nowhere: only a layout: true slide is named so, and remark does not show one"),
        ("a.md:6", "broken-anchor", "warning",
         ("link to 'two.yml.html#lay2' lands on the first slide of two.yml.html: "
         "no slide of that deck is named lay2")),
    ]


def test_a_layout_slide_is_counted_as_remark_reads_the_deck(make_project):
    # A lone backquote makes check read the whole deck as remark does, separators counted:
    # the layout slide's are among them, though remark does not show it.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n---\nlayout: true\n\n.footnote[x]\n---\nA lone ` here\n",
    })
    assert findings(root) == []


def test_a_duplicate_slide_name_names_the_line_of_the_other(make_project):
    root = make_project({  # the first slide named so starts after a blank line: at its name
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n---\n\nname: intro\n\nOne\n---\nname: intro\n\nTwo\n",
    })
    assert findings(root) == [
        ("a.md:8", "duplicate-name", "error",
         ("slide name 'intro' is also the name of the slide at a.md:4: "
         "remark sends every #intro link to the last of them")),
    ]


def test_duplicate_reference_labels_with_different_urls(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "[docs] and [same]\n\n[docs]: https://one.example/\n[same]: https://s.example/\n",
        "b.md": "[docs]\n\n[docs]: https://two.example/\n\n[same]: https://s.example/\n",
    })
    assert findings(root) == [
        ("a.md:3", "duplicate-label", "error",
         ("reference label [docs] is defined again at b.md:3 with another URL: remark uses the last "
         "definition in the deck, so [docs] links here go to https://two.example/")),
    ]


def test_reference_label_with_capitals(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "[ArgoCD]\n\n[ArgoCD]: https://argo.example/\n\n```\n[NotInCode]: x\n```\n",
    })
    assert findings(root) == [
        ("a.md:3", "label-case", "warning",
         ("reference label [ArgoCD] has capital letters: remark looks every reference up in lower "
         "case, so no link finds it (write [argocd]: ...)")),
    ]


def test_bracket_left_open_at_the_end_of_a_chapter(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "A\n---\n.lab[\n\n- do this\n",
        "b.md": "B ]\n---\nC\n",
    })
    assert places(root) == [("a.md:3", "unclosed-bracket")]


def test_bracket_that_swallows_slides_in_its_chapter(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "A\n---\n.warning[careful\n---\nB\n--\nC ]\n---\nD\n",
    })
    assert findings(root) == [
        ("a.md:3", "unclosed-bracket", "error",
         ("'.warning[' is not closed on its slide: its ']' is at line 7, so remark takes 2 "
         "separator(s) ('---', '--', '???') into the block")),
    ]


def test_a_separator_in_a_block_inside_a_block_is_taken_in_by_the_outer_one(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "A\n.exercise[\n.lab[\n- open\n\n---\n\n## B\n]\n]\n---\nC\n",
    })
    assert findings(root) == [
        ("a.md:2", "unclosed-bracket", "error",
         ("'.exercise[' is not closed on its slide: its ']' is at line 10, so remark takes 1 "
          "separator(s) ('---', '--', '???') into the block")),
    ]


def test_brackets_the_build_reports_are_said_once(make_project, capsys):
    # The build's errors for brackets left open are check's unclosed-bracket findings, merged.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "A\n---\n.warning[careful\n---\nB ]\n",
        "b.md": "B\n---\n.lab[\n\n- do this\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 1
    built = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    found = check(str(root), env={}).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:3", "unclosed-bracket"), ("b.md:3", "unclosed-bracket")]
    assert [str(f) for f in found] == built


def test_a_box_left_open_by_a_box_inside_it_is_the_builds_error_too(make_project, capsys):
    # The `]` meant for `.lab[` closes `.red[`: `.lab[` is left open, on its slide (a.md) or
    # over the slides after it (b.md); in a box that closes (c.md), the box inside closes too.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n- c.md\n",
        "a.md": "A\n---\n.lab[\n.red[ oops\n]\n",
        "b.md": "B\n\n.lab[\n.red[ oops\n]\n---\nC ]\n",
        "c.md": ".box[\n.lab[\n.red[ oops\n]\n]\n]\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 1
    built = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    found = check(str(root), env={}).findings
    assert [(str(f.loc), f.kind) for f in found] == [("a.md:3", "unclosed-bracket"), ("b.md:3", "unclosed-bracket")]
    assert [str(f) for f in found] == built


def test_separator_lines_in_raw_html_in_a_box_and_openers_in_comments_are_fine(make_project):
    # remark shows the box with its `<pre>` as written, and nothing of a commented opener.
    root = make_project({
        "deck.yml": HEAD + "content:\n- ch/b.md\n",
        "ch/b.md": ".lab[\n<pre>\nkey: 1\n---\nkey: 2\n</pre>\n<!--\n--\n-->\n]\n\n---\n\n## next\n"
                   "<!-- .exercise[ -->\n",
    })
    assert findings(root) == []


def test_a_bracket_closed_in_the_including_chapter_is_named_with_its_file(make_project, capsys):
    root = make_project({
        "deck.yml": HEAD + "content:\n- ch/main.md\n",
        "ch/main.md": "# Main\n\n@@INCLUDE[snips/inc.md]\n\n---\n]\n",
    })
    (root.parent / "snips").mkdir()
    (root.parent / "snips" / "inc.md").write_text("x\n.lab[\nincluded box\n")
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 1
    built = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert built == [str(f) for f in check(str(root), env={}).findings] == [
        ("../snips/inc.md:2: error: '.lab[' is not closed on its slide: its ']' is at ch/main.md:6, so remark "
         "takes 1 separator(s) ('---', '--', '???') into the block")]


def test_brackets_closed_nested_or_in_code_are_fine(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": ".lab[\n.small[x] `.red[]` and\n```\n.exercise[ ]\n```\n]\n\\.not-a-block[\n---\n`.red[`\n",
    })
    assert findings(root) == []


def test_brackets_in_code_count_for_remark(make_project):
    # remark matches brackets by counting them all, in code too: this `.lab[` stays open.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": ".lab[\n`grep '[a-z' file`\n]\n",
    })
    assert places(root) == [("a.md:1", "unclosed-bracket")]


def test_backquote_left_open_runs_over_a_separator(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "Run `ls\n---\nthen `pwd`\n",
    })
    assert places(root) == [("a.md:1", "unclosed-backtick")]


def test_a_backquote_left_open_over_a_separator_is_the_builds_error_said_once(make_project, capsys):
    # remark merges the slides the code span runs over; a separator's dashes that start or
    # end a span (`--` and --`) are no line of their own: no separator, nothing merged.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "Run `ls\n---\nthen pwd`\n---\nA `--\nb` and `c\n--` fine\n",
    })
    assert cli.main(["build", "--root", str(root), "--out", str(root.parent / "out")]) == 1
    built = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert built == [str(f) for f in check(str(root), env={}).findings] == [
        ("a.md:1: error: a backquote (`) is not closed on its slide: its match is at line 3, so remark "
         "takes the separator(s) in between into one code span")]


def test_unclosed_fence_is_the_builds_error(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "A\n---\n```bash\nls\n",
        "b.md": "```\nok\n```\n",
    })
    assert findings(root) == [("a.md:3", "unclosed-fence", "error", "code fence is never closed")]


def test_a_fence_opening_in_a_code_block_is_the_builds_warning(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n\n```bash\nmkdir x\n\n---\n\n```bash\nls\n```\n",
    })
    assert findings(root) == [("a.md:8", "fence-in-code", "warning", (
        "a code fence opens inside the code block of line 3 (is its closing fence missing?): remark "
        "shows both as one code block, up to line 10, taking in 1 slide separator line(s)"))]


def test_an_unclosed_fence_in_notes_is_said_once_at_its_opener(make_project):
    # The build's error; in the deck the fence also runs on to b.md's: the same problem.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "# A\n\nfirst\n\n---\n\n## second\n\ntext\n\n???\n\nnotes\n\n```\nopen\n",
        "b.md": "# B\n\nhello\n\n```bash\nls\n```\n",
    })
    assert [str(f) for f in check(str(root), env={}).findings] == ["a.md:15: error: code fence is never closed"]


def test_a_backquote_in_notes_running_into_the_next_chapter_is_found_at_its_line(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n- b.md\n",
        "a.md": "# A\n---\n\nB\n\n???\n\nsay `this\n",
        "b.md": "# C\n\nand` that\n",
    })
    assert [str(f) for f in check(str(root), env={}).findings] == [
        ("a.md:8: error: a backquote (`) is not closed on its slide: in the deck, remark takes the slides "
         "after it in, up to a match in a later slide [deck.yml]")]


def test_slide_properties_remark_does_not_read(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": (
            "Class: extra-details\n\nA\n---\n"  # 1: read, but ignored (case)
            "clas: title\n\nB\n---\n"  # 5: a typo
            "Note: this line disappears\n\nC\n---\n"  # 9: read as a property, not shown
            "# D\nclass: extra-details\n---\n"  # 14: after the text
            "title: T\n\n{{title}}\n---\n"  # a template variable: fine
            "- class: in a list\n\nName: Alice (prose)\n"  # fine
        ),
    })
    assert findings(root) == [
        ("a.md:1", "slide-property", "warning",
         "slide property 'Class' is ignored by remark: property names are lower case (class)"),
        ("a.md:5", "slide-property", "warning", "slide property 'clas' is ignored by remark (did you mean 'class'?)"),
        ("a.md:9", "slide-property", "warning",
         ("remark reads 'Note: this line disappears' at the top of the slide as a property named "
         "'Note' and does not show it")),
        ("a.md:14", "slide-property", "warning",
         ("'class: extra-details' comes after the slide's text: remark shows it as text "
         "(properties go at the very top of a slide or step)")),
    ]


def test_properties_at_the_top_of_a_step_are_read(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "A\n--\n\nclass: extra-details\n\nB\n",
    })
    assert findings(root) == []


def test_unknown_directive_is_the_builds_warning(make_project):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "A\n\n@@TITEL@@\n"})
    assert findings(root) == [("a.md:3", "unknown-directive", "warning", "unknown directive @@TITEL@@ is left as it is")]


def test_chapter_listed_twice_and_bad_yaml_do_not_stop_the_other_manifests(make_project):
    root = make_project({
        "bad.yml": "title: [unclosed\ncontent:\n- a.md\n",
        "twice.yml": HEAD + "content:\n- a.md\n- - a.md\n",
        "good.yml": HEAD + "content:\n- b.md\n",
        "a.md": "A\n",
        "b.md": "[x](#nowhere)\n",
    })
    found = findings(root)
    assert ("twice.yml:5:5", "duplicate-chapter", "error", "chapter 'a.md' is listed twice (first at line 4)") in found
    assert ("b.md:1", "broken-anchor", "warning", "link to #nowhere goes nowhere: no slide of this deck is named so") in found
    bad = [f for f in found if f[0].startswith("bad.yml")]
    assert [(f[0].split(":")[1], f[1], f[2]) for f in bad] == [("2", "manifest", "error")]
    assert bad[0][3].startswith("invalid YAML")
    assert len(found) == 3  # a.md is still used (bad.yml names it, twice.yml too)


def test_unused_chapters_and_images_are_warnings_one_per_file(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "![p](images/used.png)\n[see](images/linked.svg)\n\n```\n@@INCLUDE[slides/inc.md]\n```\n",
        "inc.md": "included\n",
        "old.md": "![q](images/only-in-old.png)\n",
        "images/used.png": "", "images/linked.svg": "", "images/only-in-old.png": "", "images/lost.jpg": "",
        ".hidden/x.md": "",
    })
    assert findings(root) == [
        ("images/lost.jpg:1", "unused-image", "warning", "image is not used by any chapter"),
        ("old.md:1", "unused-chapter", "warning", "chapter is not used by any manifest"),
    ]


def test_pictures_by_reference_are_used_with_a_title_angle_brackets_or_defined_in_notes(make_project):
    # remark takes the definitions in presenter notes into the deck's table too: the build copies them.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": ('![title] ![angle] ![noted]\n\n[title]: images/title.svg "A title"\n'
                 "[angle]: <images/angle.svg>\n???\n[noted]: <images/noted.svg> (A title)\n"),
        "images/title.svg": "", "images/angle.svg": "", "images/noted.svg": "",
    })
    assert findings(root) == []


def test_unused_files_are_looked_for_only_when_every_manifest_is_checked(make_project):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "A\n", "old.md": "B\n"})
    assert places(root, ["deck.yml"]) == []
    assert places(root) == [("old.md:1", "unused-chapter")]


def test_unused_files_skip_deckwrights_own_output_folders(make_project):
    from deckwright.builder import build
    from deckwright.reader import Project

    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n", "a.md": "![p](images/p.svg)\n", "images/p.svg": "<svg/>",
        "old/.deckwright-stamps.json": "{}", "old/x.md": "", "old/images/q.png": "",  # an older --out
        "stuff/assets/deckwright.css": "", "stuff/y.md": "",  # no stamps (an older --force)
        "dist-like/z.md": "",  # content, whatever its name
    })
    assert all(r.ok for r in build(Project.at(root), None, root / "dist", env={}))
    assert (root / "dist" / "images" / "p.svg").is_file()
    assert places(root) == [("dist-like/z.md:1", "unused-chapter")]


def test_invisible_characters(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": (
            "Zero\u200bwidth\n"  # 1: anywhere
            "A\u00a0non-breaking space in prose, and an emoji \U0001F477\u200d\u2640\ufe0f\n"  # 2: fine
            "```bash\n"
            "kubectl\u00a0get pods\n"  # 4: in code
            "```\n"
            "```yaml\n"
            "spec:\n"
            "\tcontainers: []\n"  # 8: tab in YAML indentation
            "```\n"
            "```go\n"
            "\treturn nil\n"  # fine: Go uses tabs
            "```\n"
        ),
    })
    assert findings(root) == [
        ("a.md:1", "invisible-character", "warning",
         "U+200B (ZERO WIDTH SPACE): it is invisible, and copy-paste carries it along"),
        ("a.md:4", "invisible-character", "warning",
         "U+00A0 (NO-BREAK SPACE) in code: it is invisible, and copy-paste carries it along"),
        ("a.md:8", "invisible-character", "warning",
         "tab in the indentation of a YAML block: YAML does not allow tabs there"),
    ]


def test_local_links_to_missing_files_and_to_other_decks(make_project):
    root = make_project({
        "one.yml": HEAD + "content:\n- a.md\n",
        "two.yml": HEAD + "content:\n- b.md\n",
        "a.md": (
            "[forums](forums.docker.com)\n"
            "[pdf](files/handout.pdf)\n"
            "[other deck](two.yml.html#there)\n"
            "[other deck](two.yml.html#not-there)\n"
            "[web](https://example.org/x) [anchor](#toc-x)\n"
        ),
        "b.md": "name: there\n\nB\n",
    })
    assert findings(root) == [
        ("a.md:1", "missing-file", "warning",
         "link to 'forums.docker.com': no such file next to the deck (a web address needs https:// in front)"),
        ("a.md:2", "missing-file", "warning", "link to 'files/handout.pdf': no such file next to the deck"),
        ("a.md:4", "broken-anchor", "warning",
         ("link to 'two.yml.html#not-there' lands on the first slide of two.yml.html: "
         "no slide of that deck is named not-there")),
        ("a.md:5", "broken-anchor", "warning", "link to #toc-x goes nowhere: no slide of this deck is named so"),
    ]


def test_a_link_to_a_file_with_spaces_written_as_is_is_read_whole(make_project):
    # As remark's Markdown reads it (and as a picture's path is): up to its ')' or a title.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": (
            "[notes](files/my notes.pdf) then text (in parentheses)\n"
            "[titled](files/my notes.pdf 'the notes') [angled](<files/my notes.pdf>)\n"
            "[gone](files/no such notes.pdf \"a title\")\n"
        ),
        "files/my notes.pdf": "pdf",
    })
    assert findings(root) == [
        ("a.md:3", "missing-file", "warning", "link to 'files/no such notes.pdf': no such file next to the deck"),
    ]


def test_a_link_in_an_html_comment_is_no_link(make_project):
    # Markdown keeps a comment as written: what it hides links nowhere, and is not checked.
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "<!-- [old](files/old.pdf) <a href=\"gone.pdf\">x</a> -->\n[kept](files/kept.pdf) <!-- -->\n",
    })
    assert places(root) == [("a.md:2", "missing-file")]


def test_a_file_named_in_another_unicode_form_is_one_error_not_also_unused(make_project):
    # `é` as `e` and an accent mark on disk (a file copied from macOS), `é` in the text: the
    # build's error at the name says it; the file is not also 'not used by any' manifest or chapter.
    import shutil
    import unicodedata

    def apart(name: str) -> str:
        return unicodedata.normalize("NFD", name)

    root = make_project({
        "deck.yml": HEAD + "content:\n- café.md\n",
        apart("café.md"): "# Café\n",
    })
    assert [kind for _, kind, _, _ in findings(root)] == ["manifest"]
    shutil.rmtree(root)
    root = make_project({
        "deck.yml": HEAD + "content:\n- b.md\n",
        "b.md": "# B\n\n![p](images/thé.png)\n",
        apart("images/thé.png"): "png",
    })
    assert [(place, kind) for place, kind, _, _ in findings(root)] == [("b.md:3", "missing-image")]


def test_link_directives_to_missing_or_no_files_of_the_repository(make_project, tmp_path):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": (
            "@@LINK[slides/a.md] @@LINK[k8s] @@LINK[k8s/pod.yaml]\n"  # fine: paths from the repository
            "@@LINK[slides/nope.txt]\n"
            "@@LINK[]\n"
            "```\n@@LINK[a.md]\n```\n"  # replaced in code too
            "@@LINK[../outside.txt]\n"
        ),
    })
    (tmp_path / "content" / "k8s").mkdir()
    (tmp_path / "content" / "k8s" / "pod.yaml").write_text("kind: Pod\n")
    (tmp_path / "outside.txt").write_text("not in the repository\n")
    assert findings(root) == [
        ("a.md:2", "missing-file", "warning", "@@LINK[slides/nope.txt]: no such file in the repository"),
        ("a.md:3", "missing-file", "warning", "@@LINK[] names no file"),
        ("a.md:5", "missing-file", "warning",
         "@@LINK[a.md]: no such file in the repository (paths start from the repository: slides/a.md)"),
        ("a.md:7", "missing-file", "warning", "@@LINK[../outside.txt] leaves the repository"),
    ]


def test_json_output_lists_findings_and_counts(make_project):
    import json

    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "[x](#nowhere)\n@@NOPE@@\n"})
    data = json.loads(as_json(check(str(root), env={})))
    assert data["summary"] == {"errors": 0, "warnings": 2, "by_kind": {"broken-anchor": 1, "unknown-directive": 1}}
    assert data["findings"][0] == {
        "path": "a.md", "line": 1, "column": 0, "severity": "warning", "kind": "broken-anchor",
        "message": "link to #nowhere goes nowhere: no slide of this deck is named so",
        "excerpt": "", "decks": ["deck.yml"],
    }


def test_a_file_name_that_is_not_utf8_is_written_escaped(make_project):
    import json
    import os

    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "A\n"})
    with open(os.path.join(os.fsencode(root), b"bad\xff.md"), "w") as f:
        f.write("# x\n")
    result = check(str(root), env={})
    data = json.loads(as_json(result).encode("utf-8"))  # valid UTF-8, or this raises
    assert [f["path"] for f in data["findings"]] == ["bad\\xff.md"]
    assert as_text(result).encode("utf-8").startswith(b"bad\\xff.md:1: warning: chapter is not used")


# --- the command line -------------------------------------------------------------------------

def run_cli(argv):
    parser = argparse.ArgumentParser()
    check_module.add_parser(parser.add_subparsers())
    args = parser.parse_args(["check", *argv])
    return args.func(args)


def test_exit_status_errors_warnings_and_strict(make_project, capsys):
    warn = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "@@NOPE@@\n"})
    assert run_cli(["--root", str(warn)]) == 0
    out = capsys.readouterr().out
    assert out == ("a.md:1: warning: unknown directive @@NOPE@@ is left as it is\n"
                   "checked 1 deck(s): 0 error(s), 1 warning(s) (unknown-directive 1)\n")
    assert run_cli(["--root", str(warn), "--strict"]) == 1
    (warn / "a.md").write_text("![x](gone.png)\n")
    assert run_cli(["--root", str(warn)]) == 1


def test_usage_errors(make_project, tmp_path, capsys):
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n", "a.md": "A\n"})
    assert run_cli(["--root", str(tmp_path / "nope")]) == 2
    assert run_cli(["--root", str(root), "missing.yml"]) == 2
    assert "missing.yml: error: no such manifest in " in capsys.readouterr().err


def test_named_manifest_is_the_only_one_checked(make_project, capsys):
    root = make_project({
        "one.yml": HEAD + "content:\n- a.md\n", "two.yml": HEAD + "content:\n- b.md\n",
        "a.md": "A\n", "b.md": "[x](#nowhere)\n",
    })
    assert run_cli(["--root", str(root), "one.yml"]) == 0
    assert capsys.readouterr().out == "checked 1 deck(s): 0 error(s), 0 warning(s)\n"


@pytest.mark.parametrize("kind", sorted(check_module.KINDS))
def test_every_kind_is_documented(kind):
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "check.md").read_text()
    assert f"`{kind}`" in doc


def test_an_empty_chapter_is_checked_without_crashing(make_project):
    # An empty file once made the build itself fail (no text to find line numbers in).
    root = make_project({"deck.yml": HEAD + "content:\n- a.md\n- empty.md\n", "a.md": "A\n", "empty.md": ""})
    assert findings(root) == [("empty.md:1", "empty-slide", "warning", "an empty chapter: remark shows a blank slide")]


def test_a_deck_left_with_no_slides_is_the_builds_error(make_project):
    # Every slide excluded: the build stops on it, so check must too.
    root = make_project({
        "deck.yml": HEAD + "exclude: [a, b]\ncontent:\n- a.md\n",
        "a.md": "class: a\n\n# A\n---\nclass: b\n\nB\n",
    })
    assert findings(root) == [
        ("deck.yml:1", "build", "error",
         "the deck has no slides: its chapters are empty, or every slide is excluded"),
    ]


def test_offline_names_each_picture_the_decks_load_from_the_network(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- - a.md\n  - b.md\n",  # a picture slide before each chapter
        "other.yml": HEAD + "content:\n- - b.md\n",
        "interstitials.txt": "images/local.png\n\nhttps://example.org/between.jpg\n",
        "images/local.png": "png",
        "a.md": "# A\n\n![m](https://example.org/map.png)\n\n```\n![code](https://example.org/in-code.png)\n```\n"
                "[a link, not a picture](https://example.org/page)\n",
        "b.md": "# B\n\n<img src=\"//cdn.example.org/b.svg\">\n---\n\nbackground-image: url(http://example.org/bg.jpg)\n\nText\n",
    })
    assert [f for f in findings(root) if f[1] == "remote-picture"] == []  # opt-in
    found = [(str(f.loc), f.kind, f.message, f.decks)
             for f in check(str(root), env={}, offline=True).findings if f.kind == "remote-picture"]
    message = "picture loaded from the network: offline, the slide shows nothing in its place ({})"
    assert found == [
        ("a.md:3", "remote-picture", message.format("https://example.org/map.png"), ("deck.yml",)),
        ("b.md:3", "remote-picture", message.format("//cdn.example.org/b.svg"), ("deck.yml", "other.yml")),
        # once, at the property's line (not also at the slide's first, blank, line)
        ("b.md:6", "remote-picture", message.format("http://example.org/bg.jpg"), ("deck.yml", "other.yml")),
        # The second chapter of deck.yml gets the second picture; other.yml's only one, the first.
        ("interstitials.txt:3", "remote-picture", message.format("https://example.org/between.jpg"),
         ("deck.yml",)),
    ]


def test_offline_names_pictures_by_reference_in_rarer_html_and_in_notes(make_project):
    root = make_project({
        "deck.yml": HEAD + "content:\n- a.md\n",
        "a.md": "# A\n\n![a map][map] ![local][local]\n\n"
                '<img srcset="https://cdn.example.org/1x.png 1x, //cdn.example.org/2x.png 2x" src="images/p.png">\n'
                '<video poster="https://example.org/still.png"></video>\n'
                '<object data="http://example.org/drawing.svg"></object>\n'
                "???\n\n<img src=\"https://example.org/notes.png\">\n"
                "---\n[map]: https://example.org/map.png\n[local]: images/p.png\n",
        "images/p.png": "png",
    })
    found = [(str(f.loc), f.message.rpartition("(")[2].rstrip(")"))
             for f in check(str(root), env={}, offline=True).findings if f.kind == "remote-picture"]
    assert found == [
        ("a.md:3", "https://example.org/map.png"),  # defined on the next slide
        ("a.md:5", "//cdn.example.org/2x.png"),
        ("a.md:5", "https://cdn.example.org/1x.png"),
        ("a.md:6", "https://example.org/still.png"),
        ("a.md:7", "http://example.org/drawing.svg"),
        ("a.md:10", "https://example.org/notes.png"),
    ]


def test_index_yaml_is_checked_as_site_reads_it(make_project):
    # `deckwright site` fails on a broken index.yaml: check, run first (a pre-commit hook,
    # the publish workflow), said nothing of it.
    deck = {"deck.yml": HEAD + "content:\n- - a.md\n", "a.md": "# A\n"}
    root = make_project({**deck, "index.yaml": "- title: [broken\n"})
    assert findings(root) == [("index.yaml:2:1", "index", "error", ("invalid YAML: did not find expected ',' "
                               "or ']' (in the list opened at line 1)"))]
    root = make_project({**deck, "index.yaml": "- title: A\n  slides: deck.yml.html\n"
                                               "- title: B\n  slides: gone.yml.html\n"})
    assert findings(root) == [("index.yaml:3:3", "index", "warning",
                               "'slides: gone.yml.html' names no deck built for this site")]
    assert findings(root, ["deck.yml"]) == []  # as for unused files: only when all are checked


def test_a_link_to_another_decks_slide_name_written_percent_encoded_lands_there(make_project):
    # The other deck's page looks a `#name` it is opened at up decoded too.
    root = make_project({
        "one.yml": HEAD + "content:\n- a.md\n",
        "two.yml": HEAD + "content:\n- b.md\n",
        "a.md": "[there](two.yml.html#caf%C3%A9) [not there](two.yml.html#caf%C3%A9s)\n",
        "b.md": "name: café\n\nB\n",
    })
    assert findings(root) == [
        ("a.md:1", "broken-anchor", "warning",
         ("link to 'two.yml.html#caf%C3%A9s' lands on the first slide of two.yml.html: "
          "no slide of that deck is named caf%C3%A9s")),
    ]
