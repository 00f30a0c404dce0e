"""`check` points an editor at the exact file and line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs import Severity, load_content
from tests.conftest import SHIPPED, copy_content

# (broken fixture, file inside the content dir, line, words the message must contain)
BROKEN = [
    ("yaml_syntax", "flows/intro.yaml", 4, "this '{' is never closed: end it with '}'"),
    ("yaml_tab", "flows/intro.yaml", 8, "a tab here: use spaces"),
    ("yaml_indented_more", "flows/intro.yaml", 10, "indented more than the one above it"),
    ("yaml_indented_less", "flows/intro.yaml", 17, "indented less than the one above it"),
    ("yaml_colon", "flows/intro.yaml", 9, "put this text in quotes"),
    ("key_indented_too_far", "flows/intro.yaml", 8, "'choices' is indented as if it belonged"),
    ("step_indented_too_far", "flows/intro.yaml", 12, "'second' looks like a step"),
    ("not_utf8", "flows/intro.yaml", 1, "not UTF-8"),
    ("unknown_key", "flows/intro.yaml", 6, "unknown key 'labl'; did you mean 'label'?"),
    ("missing_key", "flows/intro.yaml", 7, "missing key 'text'"),
    ("missing_step", "flows/intro.yaml", 7, "has no step 'secnd'; did you mean 'second'?"),
    ("missing_flow", "flows/intro.yaml", 7, "there is no flow 'feelngs'"),
    ("duplicate_id", "flows/intro.yaml", 7, "'first' is here twice (first at line 3)"),
    ("unreachable", "flows/intro.yaml", 7, "no choice leads to step 'orphan'"),
    ("dead_end", "flows/intro.yaml", 9, "a person would be stuck here"),
    ("no_way_back", "flows/intro.yaml", 3, "no way back from this step"),
    ("unknown_language", "flows/intro.yaml", 8, "unknown language 'pl'"),
    ("jinja_syntax", "flows/intro.yaml", 10, "jinja2 syntax"),
    ("undefined_name", "flows/intro.yaml", 7, "unknown name org_nmae"),
    ("bad_html", "flows/intro.yaml", 7, "Telegram does not allow <div>"),
    ("bad_html", "flows/intro.yaml", 7, "bare '&'"),
    ("too_long", "flows/intro.yaml", 7, "4100 characters; Telegram takes at most 4096"),
    (
        "long_callback",
        "flows/a_flow_with_a_very_long_name_xx.yaml",
        12,
        "68 bytes; Telegram takes at most 64",
    ),
    ("long_label", "flows/intro.yaml", 9, "label is 60 characters"),
    ("bad_pattern", "triggers.yaml", 6, "not a valid regular expression"),
    ("bad_goto_in_trigger", "triggers.yaml", 5, "goto needs the flow too"),
    ("bad_link", "flows/intro.yaml", 2, "cannot be a Telegram start link"),
    ("long_link", "flows/intro.yaml", 5, "cannot be a Telegram start link"),
    ("duplicate_link", "flows/intro.yaml", 5, "the link 'menu' is used twice"),
    ("unknown_topic", "flows/intro.yaml", 8, "unknown topic 'feelngs'"),
    ("two_ways", "flows/intro.yaml", 6, "choose one way on, not goto and menu"),
    ("long_profile", "settings.yaml", 7, "this text is 72 characters; at most 64 fit"),
    ("person_far", "flows/intro.yaml", 3, "a person is more than 2 presses away from this step"),
    ("long_message", "flows/intro.yaml", 7, "does not fit a phone screen without scrolling"),
]


@pytest.mark.parametrize(("case", "file", "line", "words"), BROKEN)
def test_each_broken_fixture_is_reported_at_its_line(
    tmp_path: Path, case: str, file: str, line: int, words: str
) -> None:
    root = copy_content(tmp_path, case)
    result = load_content(root)
    assert result.content is None
    reported = [str(p) for p in result.errors]
    expected_prefix = f"{root / file}:{line}: "
    assert any(r.startswith(expected_prefix) and words in r for r in reported), reported


PARSER_WORDS = ("did not find expected", "mapping values are not allowed", "cannot start any token")


@pytest.mark.parametrize("case", sorted({case for case, *_ in BROKEN}))
def test_no_message_speaks_the_parsers_language(tmp_path: Path, case: str) -> None:
    root = copy_content(tmp_path, case)
    reported = [str(p) for p in load_content(root).problems]
    assert [r for r in reported if any(words in r for words in PARSER_WORDS)] == []
    assert [r for r in reported if "did you mean 'description'" in r] == []


@pytest.mark.parametrize(
    ("case", "file", "line", "words"),
    [
        ("missing_translation", "flows/intro.yaml", 4, "missing 'ru' translation; 'be' is shown"),
        ("placeholder", "settings.yaml", 9, "placeholder"),
    ],
)
def test_warnings_are_reported_but_the_content_still_loads(
    tmp_path: Path, case: str, file: str, line: int, words: str
) -> None:
    root = copy_content(tmp_path, case)
    result = load_content(root)
    assert result.content is not None
    assert len(result.problems) == 1
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert str(problem).startswith(f"{root / file}:{line}: warning: ")
    assert words in problem.message


def test_the_valid_fixture_has_no_problem_at_all(valid_dir: Path) -> None:
    result = load_content(valid_dir)
    assert result.problems == []
    assert result.content is not None


def test_shipped_content_has_no_problem_but_placeholders() -> None:
    result = load_content(SHIPPED)
    assert result.errors == []
    assert all("placeholder" in p.message for p in result.warnings), result.warnings


def test_two_presses_from_a_person_is_near_enough(tmp_path: Path) -> None:
    """In person_far, 'third' is two presses from the menu, whose button asks for a person;
    'first' and 'second' are further."""
    root = copy_content(tmp_path, "person_far")
    far = [p.line for p in load_content(root).errors if "presses away" in p.message]
    assert far == [3, 9]


def test_a_missing_menu_is_an_error(valid_dir: Path) -> None:
    (valid_dir / "flows" / "menu.yaml").unlink()
    result = load_content(valid_dir)
    assert f"{valid_dir}/flows/menu.yaml:1: the main menu is missing" in str(result.errors[0])


def test_a_missing_settings_file_is_named(valid_dir: Path) -> None:
    (valid_dir / "settings.yaml").unlink()
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/settings.yaml:1: settings.yaml is missing"
    ]


def test_default_locale_must_be_one_of_the_languages(valid_dir: Path) -> None:
    result = load_content(valid_dir, default_locale="uk")
    assert any(
        str(p).startswith(f"{valid_dir}/settings.yaml:1: the default language 'uk'")
        for p in result.errors
    ), result.errors


def test_a_flow_file_stray_at_the_top_is_pointed_out(valid_dir: Path) -> None:
    (valid_dir / "feelings.yaml").write_text("start: a\n")
    result = load_content(valid_dir)
    assert [str(p) for p in result.warnings] == [
        f"{valid_dir}/feelings.yaml:1: warning: this file is not read: flows belong in flows/, "
        "other files are settings.yaml, system.yaml, triggers.yaml"
    ]


def test_yes_and_no_stay_words_not_booleans(valid_dir: Path) -> None:
    menu = valid_dir / "flows" / "menu.yaml"
    menu.write_text(menu.read_text().replace("en: Begin", "en: No"))
    result = load_content(valid_dir)
    assert result.problems == []
    assert result.content is not None
    assert result.content.menu_step.choices[0].label["en"] == "No"


def test_a_comma_inside_braces_gets_a_hint_about_quotes(valid_dir: Path) -> None:
    menu = valid_dir / "flows" / "menu.yaml"
    menu.write_text(menu.read_text().replace("en: Begin}", "en: Yes, begin}"))
    result = load_content(valid_dir)
    assert any("put a text that has a comma in quotes" in str(p) for p in result.errors)


def test_a_template_that_fails_only_when_rendered_is_caught(valid_dir: Path) -> None:
    intro = valid_dir / "flows" / "intro.yaml"
    intro.write_text(intro.read_text().replace("from {{ org_name }}", "{{ org_name.missing }}"))
    result = load_content(valid_dir)
    assert any(
        str(p).startswith(f"{valid_dir}/flows/intro.yaml:7: cannot render") for p in result.errors
    ), result.errors


def test_every_problem_is_found_in_one_pass(tmp_path: Path) -> None:
    root = copy_content(tmp_path, "bad_pattern", "unknown_topic")
    result = load_content(root)
    files = {Path(p.file).name for p in result.errors}
    assert files == {"triggers.yaml", "intro.yaml"}


def test_a_flow_defined_twice_is_an_error(valid_dir: Path) -> None:
    intro = valid_dir / "flows" / "intro.yaml"
    (valid_dir / "flows" / "intro.yml").write_text(intro.read_text())
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/flows/intro.yml:1: flow 'intro' is defined twice "
        f"(also {valid_dir}/flows/intro.yaml)"
    ]


def test_a_flow_file_name_that_cannot_be_a_name_is_an_error(valid_dir: Path) -> None:
    (valid_dir / "flows" / "My Flow.yaml").write_text("start: a\n")
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/flows/My Flow.yaml:1: the file name 'My Flow' cannot name a flow: "
        "use lowercase letters, digits and _ (at most 32)"
    ]


def test_a_file_that_is_not_a_mapping_is_explained(valid_dir: Path) -> None:
    (valid_dir / "system.yaml").write_text("- just\n- a list\n")
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/system.yaml:1: expected keys and values at the top of the file"
    ]


def test_a_command_that_opens_nothing_is_an_error(valid_dir: Path) -> None:
    system = valid_dir / "system.yaml"
    system.write_text(system.read_text().replace("link: intro}", "link: intor}", 1))
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/system.yaml:15: /help opens 'intor', which is neither a flow nor a "
        "step's link; did you mean 'intro'?"
    ]


def _with_handoff(valid_dir: Path, connected: str) -> None:
    """Add a handoff section to the fixture's system.yaml (English only: warnings, not errors)."""
    from dialogs.schema import Handoff

    lines = ["handoff:"]
    for name in Handoff.model_fields:
        text = connected if name == "connected" else f"{name} words"
        lines.append(f'  {name}: {{en: "{text}"}}')
    system = valid_dir / "system.yaml"
    system.write_text(system.read_text() + "\n".join(lines) + "\n")


def test_handoff_texts_may_use_their_own_names(valid_dir: Path) -> None:
    _with_handoff(valid_dir, "{{ alias }} is here")
    result = load_content(valid_dir)
    assert result.errors == []
    assert result.content is not None
    assert result.content.system.handoff is not None
    connected = result.content.system.handoff.connected
    text = result.content.renderer.text(connected, "en", extra={"alias": "<Ala>"})
    assert text == "&lt;Ala&gt; is here"


def test_a_misspelt_name_in_a_handoff_text_is_an_error_at_its_line(valid_dir: Path) -> None:
    _with_handoff(valid_dir, "{{ alyas }} is here")
    result = load_content(valid_dir)
    line = (valid_dir / "system.yaml").read_text().splitlines().index(
        '  connected: {en: "{{ alyas }} is here"}'
    ) + 1
    assert any(
        str(p).startswith(f"{valid_dir}/system.yaml:{line}: unknown name alyas")
        for p in result.errors
    ), result.errors


def test_automatic_clearing_needs_to_know_after_how_long(valid_dir: Path) -> None:
    menu = valid_dir / "flows" / "menu.yaml"
    menu.write_text(
        menu.read_text().replace("action: set_language\n        locale: en", "action: auto_clear")
    )
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/flows/menu.yaml:8: `action: auto_clear` needs `after:`, one of 1h, 6h, "
        "1d or off"
    ]


def test_after_without_automatic_clearing_is_an_error(valid_dir: Path) -> None:
    menu = valid_dir / "flows" / "menu.yaml"
    menu.write_text(menu.read_text().replace("locale: en", "locale: en\n        after: 1h"))
    result = load_content(valid_dir)
    assert [str(p) for p in result.errors] == [
        f"{valid_dir}/flows/menu.yaml:8: after goes with `action: auto_clear` or `action: checkin`"
    ]
