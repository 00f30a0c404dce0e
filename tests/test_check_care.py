"""The rules the shipped content is held to are `check`'s rules, with file:line: an editor who
breaks one hears it from `check`, never first from CI. Each test breaks one rule in a copy of
the shipped content, the way an editor might, and reads what `check` says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogs import load_content
from dialogs.errors import Problem
from tests.conftest import SHIPPED


def edited(tmp_path: Path, file: str, old: str, new: str) -> list[Problem]:
    """The problems `check` finds after one edit of a copy of the shipped content."""
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return [p for p in load_content(root).problems if not p.message.startswith("placeholder")]


def where(problems: list[Problem]) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.severity.value) for p in problems]


def line_of(file: str, text: str) -> int:
    lines = (SHIPPED / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_shipped_content_keeps_every_rule() -> None:
    found = load_content(SHIPPED).problems
    assert [p for p in found if not p.message.startswith("placeholder")] == []


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("settings.yaml", "en: A calm helper for everyday matters.", "en: Help after prison."),
        ("system.yaml", "en: What this helper can do}", "en: Help for political prisoners}"),
        ("flows/welcome.yaml", "I'm not a person and not a therapist", "I help after arrest"),
        ("flows/menu.yaml", "en: How I feel}", "en: Crisis and feelings}"),
    ],
    ids=["bot description", "command menu", "welcome", "menu button"],
)
def test_a_revealing_word_where_a_glance_sees_it_is_an_error(
    tmp_path: Path, file: str, old: str, new: str
) -> None:
    problems = edited(tmp_path, file, old, new)
    assert where(problems) == [(Path(file).name, line_of(file, old), "error")]
    assert "glancing at the phone" in problems[0].message


def test_the_first_line_of_a_message_sent_unasked_is_held_but_not_the_rest(
    tmp_path: Path,
) -> None:
    first = "I'm sorry: no volunteer has answered yet, though you've been waiting"
    problems = edited(
        tmp_path,
        "system.yaml",
        first,
        "Crisis line: no volunteer has answered yet, though you've been waiting",
    )
    assert where(problems) == [("system.yaml", line_of("system.yaml", first), "error")]
    later = "You can keep waiting, stop the request"
    assert edited(tmp_path / "2", "system.yaml", later, "After prison you can keep waiting") == []


def test_the_line_left_after_clearing_stays_one_line_that_names_nothing(tmp_path: Path) -> None:
    cleared = "en: Done. Anything older can be deleted from the chat menu."
    line = line_of("flows/privacy.yaml", cleared)
    telling = edited(
        tmp_path, "flows/privacy.yaml", cleared, "en: Done, your volunteer chat is gone."
    )
    assert where(telling) == [("privacy.yaml", line, "error")]
    assert "hints at what was cleared" in telling[0].message
    two = edited(tmp_path / "2", "flows/privacy.yaml", cleared, 'en: "Done.\\nAll gone."')
    assert where(two) == [("privacy.yaml", line, "error")]
    assert "one short line" in two[0].message


def test_a_menu_without_privacy_is_an_error(tmp_path: Path) -> None:
    text = (SHIPPED / "flows/menu.yaml").read_text(encoding="utf-8")
    start = text.index("      - label: {be: Прыватнасць")
    item = text[start : text.index("flow: privacy\n", start) + len("flow: privacy\n")]
    problems = edited(tmp_path, "flows/menu.yaml", item, "")
    assert where(problems) == [("menu.yaml", line_of("flows/menu.yaml", "  main:"), "error")]
    assert "privacy controls" in problems[0].message


def test_a_menu_without_a_person_is_an_error(tmp_path: Path) -> None:
    start = "      - label: {be: Пагаварыць з чалавекам"
    end = "        goto: crisis.help\n"
    text = (SHIPPED / "flows/menu.yaml").read_text(encoding="utf-8")
    both = text[text.index(start) : text.index(end) + len(end)]
    problems = edited(tmp_path, "flows/menu.yaml", both, "")
    main = line_of("flows/menu.yaml", "  main:")
    assert ("menu.yaml", main, "error") in where(problems)
    assert any("offer a person in one press" in p.message for p in problems)


@pytest.mark.parametrize(
    "real", ["+375 29 123-45-67", "https://example.org/help", "t.me/somebody", "@helpdesk_by"]
)
def test_a_real_looking_number_or_link_in_the_words_is_an_error(tmp_path: Path, real: str) -> None:
    text = "3. Your teeth."
    line = line_of("flows/health_checks.yaml", text)
    problems = edited(tmp_path, "flows/health_checks.yaml", text, f"{text} Call {real}.")
    assert where(problems) == [("health_checks.yaml", line, "error")]
    assert "settings.yaml under `values:`" in problems[0].message


def test_an_exercise_counted_out_loud_is_not_a_number() -> None:
    assert "5-4-3-2-1" in (SHIPPED / "flows/feelings.yaml").read_text(encoding="utf-8")


def test_a_step_longer_than_a_phone_screen_is_an_error(tmp_path: Path) -> None:
    text = "3. Your teeth."
    line = line_of("flows/health_checks.yaml", "After prison it's worth getting")
    problems = edited(tmp_path, "flows/health_checks.yaml", text, text + " Slowly." * 80)
    assert where(problems) == [("health_checks.yaml", line, "error")]
    assert "split it into two steps" in problems[0].message


def test_a_long_text_for_volunteers_is_only_a_warning(tmp_path: Path) -> None:
    anchor = "Press Take to talk with this person."
    problems = edited(tmp_path, "system.yaml", anchor, anchor + " " + "details " * 80)
    assert [p.severity.value for p in problems] == ["warning"]
    assert "does not fit a phone screen" in problems[0].message


SEVEN_NEXT = (
    """start: s1
steps:
"""
    + "".join(
        f"""  s{i}:
    text: {{be: Крок {i}., ru: Шаг {i}., en: Step {i}.}}
    choices:
      - label: {{be: Далей, ru: Дальше, en: Next}}
        goto: s{i + 1}
      - label: {{be: Чалавек, ru: Человек, en: A person}}
        flow: person
      - back
"""
        for i in range(1, 8)
    )
    + """  s8:
    text: {be: Усё., ru: Всё., en: That's all.}
    choices:
      - menu
"""
)


def test_a_long_run_of_next_screens_is_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    (root / "flows" / "steps.yaml").write_text(SEVEN_NEXT, encoding="utf-8")
    (root / "flows" / "menu.yaml").write_text(
        (root / "flows" / "menu.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "        flow: person\n",
            "        flow: person\n"
            "      - label: {be: Крокі, ru: Шаги, en: Steps}\n        flow: steps\n",
            1,
        ),
        encoding="utf-8",
    )
    found = [p for p in load_content(root).problems if not p.message.startswith("placeholder")]
    assert where(found) == [("steps.yaml", 3, "warning")]
    assert "8 screens in a row" in found[0].message
