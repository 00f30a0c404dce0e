"""Texts render safely for Telegram's HTML, and never as a blank in front of a person."""

from __future__ import annotations

import pytest

from dialogs import RenderError
from dialogs.render import Renderer, localize
from dialogs.telegram_html import inspect, to_plain

LANGS = ("be", "ru", "en")


def renderer(**values: object) -> Renderer:
    return Renderer(values=values, languages=LANGS, default_locale="be")


def test_every_inserted_value_is_escaped_for_telegram() -> None:
    r = renderer(org='Tom & "Jerry" <Ltd>')
    out = r.render("<b>{{ first_name }}</b> from {{ org }}", "en", "<Anna & Co>", html=True)
    assert out == "<b>&lt;Anna &amp; Co&gt;</b> from Tom &amp; &#34;Jerry&#34; &lt;Ltd&gt;"
    assert inspect(out).problems == ()


def test_labels_are_plain_text_and_not_escaped() -> None:
    assert renderer().render("For {{ first_name }}", "en", "A & B", html=False) == "For A & B"


def test_an_undefined_name_is_an_error_not_a_blank() -> None:
    with pytest.raises(RenderError, match="'nobody' is undefined"):
        renderer().render("Hi {{ nobody }}", "en", "", html=True)


def test_the_sandbox_keeps_templates_away_from_python_internals() -> None:
    with pytest.raises(RenderError):
        renderer().render("{{ ''.__class__.__mro__[1].__subclasses__() }}", "en", "", html=True)


def test_a_render_error_never_carries_the_persons_name() -> None:
    with pytest.raises(RenderError) as info:
        renderer().render("{{ first_name + 1 }}", "en", "Secretname", html=True)
    assert "Secretname" not in str(info.value)


def test_values_given_per_language_are_shown_in_the_persons_language() -> None:
    r = renderer(hours={"be": "вечарам", "ru": "вечером", "en": "evenings"}, mail="a@b.c")
    assert r.render("{{ hours }} {{ mail }}", "ru", "", html=True) == "вечером a@b.c"
    assert r.render("{{ hours }}", "xx", "", html=True) == "вечарам"


def test_nested_values_and_conditions_and_filters_work() -> None:
    r = renderer(org={"name": {"be": "Вольныя", "en": "Volnyja"}, "phones": ["1", "2"]})
    source = (
        "{% if first_name %}{{ first_name|upper }}: {% endif %}"
        "{{ org.name }} {{ org.phones|join(', ') }}"
    )
    assert r.render(source, "en", "ann", html=True) == "ANN: Volnyja 1, 2"
    assert r.render(source, "en", "", html=True) == "Volnyja 1, 2"


def test_localize_leaves_mappings_that_are_not_per_language_alone() -> None:
    value = {"name": "X", "be": "y"}
    assert localize(value, "en", "be", LANGS) == {"name": "X", "be": "y"}


def test_the_text_falls_back_to_the_default_then_to_any_language() -> None:
    r = renderer()
    assert r.text({"be": "Б", "en": "E"}, "ru") == "Б"
    assert r.text({"en": "E"}, "ru") == "E"


def test_plain_texts_skip_jinja_entirely() -> None:
    assert renderer().render("  {not jinja}  ", "en", "", html=True) == "{not jinja}"


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("a < b", "bare '<'"),
        ("fish & chips", "bare '&'"),
        ("1 > 0", "bare '>'"),
        ("<div>x</div>", "does not allow <div>"),
        ("<b>open", "<b> is never closed"),
        ("<b><i>x</b></i>", "<i> must be closed before </b>"),
        ("x</u>", "</u> closes a tag that was never opened"),
        ("<a>link</a>", '<a> needs href="..."'),
        ('<b class="x">y</b>', "cannot carry the attribute 'class'"),
        ("&nbsp;", "not &nbsp;"),
    ],
)
def test_html_that_telegram_would_reject_is_found(html: str, problem: str) -> None:
    problems = inspect(html).problems
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>c</code> <pre>p</pre>",
        '<a href="https://example.org/?a=1&amp;b=2">link</a>',
        "<blockquote expandable>q</blockquote> <tg-spoiler>s</tg-spoiler>",
        "&lt; &gt; &amp; &quot; &#39; &#x1F600;",
        '<pre><code class="language-python">x</code></pre>',
    ],
)
def test_html_that_telegram_accepts_passes(html: str) -> None:
    assert inspect(html).problems == ()


def test_length_is_counted_like_telegram_without_tags_in_utf16() -> None:
    assert inspect("<b>ab</b>&amp;").visible_length == 3
    assert inspect("🙂").visible_length == 2


def test_plain_text_for_the_terminal_drops_tags_and_decodes_entities() -> None:
    assert to_plain("<b>Hi</b> &lt;you&gt; &amp; me") == "Hi <you> & me"
