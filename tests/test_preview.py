"""`volnyja-bot preview`: every step as the person sees it, as pages an editor opens offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogs import load_content
from dialogs.preview import build_preview
from dialogs.preview.bubble import browser_html
from tests.test_cli import cli
from tests.test_graph import lost_content


@pytest.mark.parametrize(
    ("telegram", "browser"),
    [
        ("<b>bold</b> <i>it</i> <u>u</u> <s>s</s>", "<b>bold</b> <i>it</i> <u>u</u> <s>s</s>"),
        (
            "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
            "<b>a</b><i>b</i><u>c</u><s>d</s>",
        ),
        ("<code>x &lt; y</code>", "<code>x &lt; y</code>"),
        ('<pre><code class="language-py">p</code></pre>', "<pre><code>p</code></pre>"),
        ("<tg-spoiler>hidden</tg-spoiler>", '<span class="spoiler">hidden</span>'),
        ("<blockquote expandable>q</blockquote>", '<blockquote class="expandable">q</blockquote>'),
        (
            '<a href="https://example.org/?a=1&amp;b=2">site</a>',
            '<a href="https://example.org/?a=1&amp;b=2" target="_blank" '
            'rel="noopener noreferrer">site</a>',
        ),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a class="bad-link" title="javascript:alert(1)">x</a>',
        ),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("\"quotes\" & 'apostrophes'", "&#34;quotes&#34; &amp; &#39;apostrophes&#39;"),
        ("&amp; &lt; &#33; &nbsp;", "&amp; &lt; ! &amp;nbsp;"),
        ("<b>never closed <i>either", "<b>never closed <i>either</i></b>"),
        ("stray </b> close </div>", "stray  close &lt;/div&gt;"),
        ("<b>x<i>y</b>z</i>", "<b>x<i>y</i></b>z"),
    ],
)
def test_telegram_html_becomes_safe_browser_html(telegram: str, browser: str) -> None:
    assert browser_html(telegram) == browser


def test_the_site_has_an_index_and_a_page_per_flow(tmp_path: Path, valid_dir: Path) -> None:
    result = load_content(valid_dir, default_locale="be")
    pages = build_preview(result, valid_dir, tmp_path / "site", first_name="Ales")
    assert [p.name for p in pages] == ["index.html", "flow-intro.html", "flow-menu.html"]
    index = pages[0].read_text(encoding="utf-8")
    assert '<a href="flow-intro.html">intro</a>' in index
    assert 'href="flow-intro.html#second">second' in index
    assert '<a class="entry link" href="flow-intro.html#second">/start second-step</a>' in index
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # self-contained: nothing is fetched from anywhere
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), page
        assert "<link" not in html
        assert "<script src" not in html


def test_a_step_shows_every_language_side_by_side_with_its_buttons(
    tmp_path: Path, valid_dir: Path
) -> None:
    build_preview(load_content(valid_dir), valid_dir, tmp_path, first_name="Ales")
    intro = (tmp_path / "flow-intro.html").read_text(encoding="utf-8")
    first = intro[intro.index('id="first"') : intro.index('id="second"')]
    assert re.findall(r'data-locale="(\w+)"', first) == ["be", "ru", "en"]
    assert '<div class="bubble">First, Ales, from Volnyja' in first  # rendered, with the name
    assert '<a class="button goto" href="flow-intro.html#second">Next</a>' in first
    assert '<span class="button back" title="goes back to the step before">' in first
    second = intro[intro.index('id="second"') :]
    assert '<a class="button menu" href="flow-menu.html#main">' in second
    assert 'typed words lead to <a href="flow-intro.html#first">intro.first</a>' in second
    assert 'href="flow-intro.html#first">intro.first: Далей</a>' in second  # where it comes from
    menu = (tmp_path / "flow-menu.html").read_text(encoding="utf-8")
    assert '<a class="button stay" href="flow-menu.html#main">Language<small>' in menu
    assert "<small>set_language: en</small>" in menu


def test_problems_show_at_their_step_and_texts_stay_escaped(
    tmp_path: Path, valid_dir: Path
) -> None:
    root = lost_content(tmp_path, valid_dir)
    result = load_content(root)
    assert result.content is None
    build_preview(result, root, tmp_path / "site")
    intro = (tmp_path / "site" / "flow-intro.html").read_text(encoding="utf-8")
    lost = intro[intro.index('<section class="step unreachable" id="lost"') :]
    assert '<span class="badge lost">nothing leads here</span>' in lost
    assert f"<code>{root}/flows/intro.yaml:20</code> error: no choice leads to step" in lost
    assert "Telegram would reject a bare &#39;&amp;&#39;" in lost
    assert (
        "<b>&#34;Quiet&#34;</b> [a] {b} (c) | `d` &amp; #e; &lt;script&gt;x&lt;/script&gt;" in lost
    )
    assert "<script>x" not in intro
    first = intro[intro.index('id="first"') : intro.index('id="second"')]
    assert "error:" not in first  # the problem is at its own step, not the one above
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert (
        'class="chip unreachable has-problems" href="flow-intro.html#lost">lost (6)' in index
    )  # with "a person too far"


def test_the_command_writes_the_site_and_says_where(tmp_path: Path, valid_dir: Path) -> None:
    run = cli("preview", "--content", str(valid_dir), "--out", "site", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        "site: 3 pages, 0 error(s), 0 warning(s); open site/index.html in a browser\n"
    )
    assert (tmp_path / "site" / "flow-menu.html").is_file()
