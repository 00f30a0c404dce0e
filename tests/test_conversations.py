"""The shipped conversations: complete in every language, gentle in shape, help within reach."""

from __future__ import annotations

import re

import pytest

from dialogs import Choose, Content, Event, Position, Show, Start, State, Text, step
from dialogs.checkins import render_checkin
from dialogs.engine import URGENT_DATA
from dialogs.loading.nearness import presses_to_a_person
from dialogs.model import ActionKind, Nav
from dialogs.telegram_html import to_plain
from dialogs.testing import Conversation

LOCALES = ("be", "ru", "en")
PERSON_FLOW = "person"


def all_steps(content: Content) -> list[Position]:
    return [s.at for f in content.flows.values() for s in f.steps.values()]


def asks_for_a_person(content: Content, at: Position) -> bool:
    """This step has a button that asks for a person, or opens the flow that does."""
    current = content.find(at)
    assert current is not None
    return any(
        (c.target.action is not None and c.target.action.kind is ActionKind.ASK_PERSON)
        or (c.target.to is not None and c.target.to.flow == PERSON_FLOW)
        for c in current.choices
    )


def next_screens(content: Content, at: Position) -> list[Position]:
    current = content.find(at)
    assert current is not None
    screens = []
    for choice in current.choices:
        if choice.target.nav is Nav.MENU:
            screens.append(content.menu)
        elif choice.target.to is not None:
            screens.append(choice.target.to)
    return screens


def test_a_person_is_at_most_two_presses_away_from_every_step(shipped: Content) -> None:
    """The `check` rule (dialogs/loading/nearness.py), so an editor hears of it first."""
    unreached = [
        at
        for at in all_steps(shipped)
        if presses_to_a_person(shipped.flows, at, shipped.menu) is None
    ]
    assert unreached == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_step_is_reached_by_pressing_buttons_in_every_language(
    shipped: Content, locale: str
) -> None:
    """Open each flow by its link, and each step a trigger or the urgent button opens; press
    every button of every screen it leads to, and write something wherever writing is asked."""
    reached: set[Position] = set()
    todo = []
    for flow in shipped.flows:
        opened = step(shipped, State(locale=locale), Start(flow), first_name="Ales")
        todo.append((opened.state, opened.replies[-1]))
    for trigger in shipped.triggers:
        assert trigger.target.to is not None
        shown = step(shipped, State(locale=locale, at=trigger.target.to), Show(), first_name="Ales")
        todo.append((shown.state, shown.replies[-1]))
    urgent = step(shipped, State(locale=locale), Choose(URGENT_DATA), first_name="Ales")
    todo.append((urgent.state, urgent.replies[-1]))
    checkin = render_checkin(shipped, locale, "Ales")  # comes unasked, whatever the screen
    assert checkin is not None
    assert shipped.checkins is not None
    todo.append((State(locale=locale, at=shipped.checkins.message), checkin))
    while todo:
        state, screen = todo.pop()
        assert state.at is not None
        if state.at in reached:
            continue
        reached.add(state.at)
        assert to_plain(screen.text).strip()
        current = shipped.find(state.at)
        assert current is not None
        expected = shipped.renderer.text(current.text, state.locale, "Ales")
        assert screen.text == expected, "the screen is in the person's language"
        events: list[Event] = [Choose(button.data) for button in screen.buttons]
        if screen.accepts_text:
            events.append(Text("a few words of my own"))
        for event in events:
            after = step(shipped, state, event, first_name="Ales")
            todo.append((after.state, after.replies[-1]))
    assert set(all_steps(shipped)) <= reached


SEED_DIFFICULTIES = {
    "euphoria of release": r"euphori|relief",
    "disappointed expectations": r"disappoint",
    "anxiety about work": r"\bwork\b|\bjob\b",
    "anxiety about housing": r"housing|somewhere to live|a place to live",
    "anxiety about relationships": r"relationship|family",
    "dealing with the authorities": r"authorit|supervision|summons|registration",
    "fear of re-arrest": r"arrest|detain",
    "forgotten technology": r"online banking|\bapps?\b|smartphone|phone",
    "making choices again": r"choice|choose",
    "guilt": r"guilt",
    "stigma, labelled a criminal": r"stigma|criminal|judged|label",
    "loss of trust": r"\btrust",
    "depression": r"\blow\b|empty|hopeless|no energy",
    "post-traumatic stress": r"flashback|nightmare|startle",
    "professional help": r"professional",
    "new social connections": r"been there|been through something similar",
    "addiction": r"alcohol|substances",
    "refugees and forced migrants": r"abroad|another country|leaving the country",
    "separated from family": r"children have grown|partner|parents",
    "guilt towards those still inside": r"guilt.{0,20}(those|people) still inside",
    "loss and grief": r"grie(f|ve)|say goodbye",
    "health after prison": r"tuberculosis|hepatitis|check-up",
}


@pytest.mark.parametrize("difficulty", sorted(SEED_DIFFICULTIES))
def test_every_difficulty_the_initiative_names_is_answered(
    shipped: Content, difficulty: str
) -> None:
    english = " ".join(
        to_plain(s.text.get("en", "")) + " " + " ".join(c.label.get("en", "") for c in s.choices)
        for f in shipped.flows.values()
        for s in f.steps.values()
    )
    assert re.search(SEED_DIFFICULTIES[difficulty], english, re.IGNORECASE), difficulty


def test_the_bot_says_it_is_a_scripted_helper_not_a_person(shipped: Content) -> None:
    for locale, words in {"en": "not a person", "ru": "не человек", "be": "не чалавек"}.items():
        talk = Conversation(shipped, locale=locale)
        talk.send(Start("help"))
        assert words in talk.text
