"""What people need that was missing (issue 13): conversations reached from the menu's sections
by buttons, answering each need in every language. Their shape (a way back, a person near, a
phone screen, no real-looking numbers) is held by `check` for every flow (test_check_care.py)."""

from __future__ import annotations

import re

import pytest

from dialogs import AskPerson, Choose, Content, Position, Start, State, step
from dialogs.model import choice_data
from dialogs.testing import Conversation

LOCALES = ("be", "ru", "en")

CONVERSATIONS = (
    "guilt_inside",
    "grief",
    "family_again",
    "peers",
    "stay_or_leave",
    "coping",
    "media",
    "dip",
    "health_checks",
)
SUB_LIST = "feelings_more"
NEW_FLOWS = (*CONVERSATIONS, SUB_LIST)


def new_steps(content: Content) -> list[Position]:
    return [s.at for name in NEW_FLOWS for s in content.flows[name].steps.values()]


def reached_by_buttons(content: Content, locale: str) -> set[Position]:
    """Every step reached from the main menu by pressing buttons: no link, no trigger, nothing
    typed. Each screen's buttons fit a phone (at most 40 characters)."""
    opened = step(content, State(locale=locale), Start("menu"), first_name="Ales")
    todo = [(opened.state, opened.replies[-1])]
    reached: set[Position] = set()
    while todo:
        state, screen = todo.pop()
        if state.at is None or state.at in reached:
            continue
        reached.add(state.at)
        assert all(len(b.label) <= 40 for b in screen.buttons)
        for button in screen.buttons:
            after = step(content, state, Choose(button.data), first_name="Ales")
            todo.append((after.state, after.replies[-1]))
    return reached


@pytest.mark.parametrize("locale", LOCALES)
def test_every_new_step_is_reached_from_the_menu_by_buttons(shipped: Content, locale: str) -> None:
    assert set(new_steps(shipped)) - reached_by_buttons(shipped, locale) == set()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_conversation_ends_with_a_volunteer_asked(shipped: Content, locale: str) -> None:
    talk = Conversation(shipped, locale=locale)
    talk.start("guilt_inside")
    talk.send(Choose(choice_data(Position("guilt_inside", "start"), 1)))
    assert talk.state.at == Position("guilt_inside", "support")
    support = shipped.find(Position("guilt_inside", "support"))
    assert support is not None
    person = next(
        i
        for i, c in enumerate(support.choices)
        if c.target.to is not None and c.target.to.flow == "person"
    )
    talk.send(Choose(choice_data(Position("guilt_inside", "support"), person)))
    assert talk.state.at == Position("person", "topic")
    talk.send(Choose(choice_data(Position("person", "topic"), 0)))
    assert talk.effects == (AskPerson(topic="feelings", urgent=False),)


# What issue 13 asks for, each answered in every language: (en, ru, be) patterns over the words
# of the new conversations.
NEEDS = {
    "guilt towards those still inside": (r"guilt", r"вин[аы]", r"він[аы]"),
    "people who died meanwhile": (r"died", r"умер", r"памёр"),
    "the lost years": (r"years that were taken", r"годы, которые", r"гады, якія"),
    "children who grew up": (r"children have grown", r"дети выросли", r"дзеці выраслі"),
    "a partner who moved on": (r"partner may have moved on", r"другую жизнь", r"іншае жыццё"),
    "parents who aged": (r"parents", r"родители", r"бацькі"),
    "starting again slowly": (r"starting again", r"начать заново", r"пачаць нанова"),
    "others who have been there": (r"been there", r"прош[её]л то же", r"прайшоў тое ж"),
    "the initiative's peer groups": (r"peer_groups",) * 3,
    "staying or leaving": (r"staying or leaving", r"остаться или уехать", r"застацца ці з’ехаць"),
    "abroad without documents": (r"without documents", r"без документов", r"без дакументаў"),
    "legal help": (r"legal_help",) * 3,
    "anger": (r"anger", r"злость", r"злосць"),
    "alcohol": (r"alcohol", r"алкогол", r"алкаголь"),
    "nightmares and waking at night": (r"nightmare", r"кошмар", r"кашмар"),
    "the prison rhythm": (r"wake-up or roll-call", r"подъёма или проверок", r"пад’ёму ці праверак"),
    "journalists": (r"journalist", r"журналист", r"журналіст"),
    "you may decline": (r"say no", r"отказаться", r"адмовіцца"),
    "relatives and those still inside": (
        r"still imprisoned",
        r"ещё в заключении",
        r"яшчэ ў зняволенні",
    ),
    "the dip after the euphoria": (r"\bdip\b", r"спад", r"спад"),
    "a check-up": (r"check-up", r"осмотр", r"агляд"),
    "tuberculosis": (r"tuberculosis", r"туберкул", r"туберкул"),
    "hepatitis": (r"hepatitis", r"гепатит", r"гепатыт"),
    "teeth": (r"teeth|dentist", r"стоматолог", r"стаматолаг"),
}


def words_of(content: Content, locale: str) -> str:
    return " ".join(
        s.text.get(locale, "") + " " + " ".join(c.label.get(locale, "") for c in s.choices)
        for name in NEW_FLOWS
        for s in content.flows[name].steps.values()
    )


@pytest.mark.parametrize("need", sorted(NEEDS))
def test_every_need_of_issue_13_is_answered_in_every_language(shipped: Content, need: str) -> None:
    for locale, pattern in zip(("en", "ru", "be"), NEEDS[need], strict=True):
        assert re.search(pattern, words_of(shipped, locale), re.IGNORECASE), (need, locale)
