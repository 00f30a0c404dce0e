"""A normal change an editor makes, a new menu item with a small flow, passes `check` and the
rules the tests hold the shipped content to: what passes check passes CI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogs import Content, Position, load_content
from dialogs.loading.nearness import presses_to_a_person
from tests.conftest import SHIPPED
from tests.test_conversations import LOCALES, all_steps
from tests.test_missing_conversations import reached_by_buttons

NEW_ITEM = """      - label: {be: Жыллё, ru: Жильё, en: A place to live}
        flow: housing
"""
NEW_FLOW = """start: first
steps:
  first:
    text:
      be: Пошук жылля пасля вызвалення часта цяжкі. З чаго пачаць?
      ru: Найти жильё после освобождения часто трудно. С чего начать?
      en: Finding a place to live after release is often hard. Where would you like to start?
    choices:
      - label: {be: Дзе пераначаваць сёння, ru: Где переночевать сегодня, en: Somewhere for tonight}
        goto: tonight
      - label: {be: Пагаварыць з чалавекам, ru: Поговорить с человеком, en: Talk to a person}
        flow: person
      - back
  tonight:
    text:
      be: "Калі няма дзе начаваць: валанцёр можа падказаць, куды звярнуцца."
      ru: "Если негде ночевать: волонтёр может подсказать, куда обратиться."
      en: "If there is nowhere to sleep: a volunteer can tell you where to turn."
    choices:
      - back
      - menu
"""


def changed_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    menu = root / "flows" / "menu.yaml"
    text = menu.read_text(encoding="utf-8")
    anchor = "      - label: {be: Пагаварыць з чалавекам"
    assert anchor in text
    menu.write_text(text.replace(anchor, NEW_ITEM + anchor, 1), encoding="utf-8")
    (root / "flows" / "housing.yaml").write_text(NEW_FLOW, encoding="utf-8")
    return root


@pytest.fixture
def changed(tmp_path: Path) -> Content:
    result = load_content(changed_content(tmp_path))
    assert result.errors == [], result.errors
    assert all(p.message.startswith("placeholder") for p in result.warnings), result.warnings
    assert result.content is not None
    return result.content


def test_the_new_item_is_on_the_menu(changed: Content) -> None:
    targets = [c.target.to for c in changed.menu_step.choices]
    assert Position("housing", "first") in targets


def test_a_person_stays_two_presses_away(changed: Content) -> None:
    assert all(
        presses_to_a_person(changed.flows, at, changed.menu) is not None
        for at in all_steps(changed)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_new_flow_is_reached_from_the_menu_by_buttons(changed: Content, locale: str) -> None:
    reached = reached_by_buttons(changed, locale)
    assert {Position("housing", "first"), Position("housing", "tonight")} <= reached


def test_a_new_step_far_from_a_person_is_refused_by_check(tmp_path: Path) -> None:
    root = changed_content(tmp_path)
    flow = root / "flows" / "housing.yaml"
    flow.write_text(
        flow.read_text(encoding="utf-8").replace("      - back\n      - menu\n", "      - back\n")
    )
    result = load_content(root)
    assert [(Path(p.file).name, p.line) for p in result.errors] == [("housing.yaml", 14)]
