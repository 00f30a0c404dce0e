"""The step function, told as what a person does and what the bot answers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from dialogs import (
    AskPerson,
    Back,
    Choose,
    Command,
    Content,
    Media,
    Menu,
    Nav,
    Position,
    SetLanguage,
    Show,
    Start,
    State,
    Text,
    load_content,
    step,
)
from dialogs.testing import Conversation


def test_first_start_shows_the_welcome_flow_with_the_name_escaped(small: Content) -> None:
    talk = Conversation(small, first_name="<Anna & Co>")
    talk.start()
    assert talk.text == "First, &lt;Anna &amp; Co&gt;, from Volnyja"
    assert talk.state.at == Position("intro", "first")


def test_a_later_start_without_a_link_opens_the_menu(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.start()
    assert talk.text == "Menu"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [("intro", "First, , from Volnyja"), ("second-step", "Second, in the evening")],
)
def test_a_deep_link_opens_a_flow_or_a_chosen_step(
    small: Content, payload: str, expected: str
) -> None:
    talk = Conversation(small)
    talk.start(payload)
    assert talk.text == expected


def test_an_unknown_deep_link_is_treated_as_a_plain_start(small: Content) -> None:
    talk = Conversation(small)
    talk.start("no-such-link")
    assert talk.state.at == Position("intro", "first")


def test_pressing_a_choice_moves_on_and_back_returns(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.press("Next")
    assert talk.text == "Second, in the evening"
    talk.back()
    assert talk.state.at == Position("intro", "first")
    talk.back()
    assert talk.text == "Menu", "back with no history lands on the menu"


def test_a_back_button_works_like_the_back_command(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.press("Next")
    talk.back()
    talk.press("Back")
    assert talk.text == "Menu"


def test_menu_clears_the_way_back(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.press("Next")
    talk.menu()
    assert talk.text == "Menu"
    assert talk.state.history == ()


def test_every_screen_in_russian_is_in_russian(small: Content) -> None:
    talk = Conversation(small, locale="ru")
    talk.start()
    assert talk.text == "Первый,"
    assert talk.labels == ["Дальше", "Назад"]


def test_an_unknown_locale_falls_back_to_the_default(small: Content) -> None:
    talk = Conversation(small, locale="xx")
    talk.start()
    assert talk.text == "Першы,"


def test_a_missing_translation_falls_back_to_the_default_locale(tmp_path: Path) -> None:
    from tests.conftest import copy_content

    content = load_content(copy_content(tmp_path, "missing_translation")).content
    assert content is not None
    talk = Conversation(content, locale="ru")
    talk.start()
    assert talk.text == "Першы"


def test_a_button_from_an_old_message_gets_a_gentle_answer_and_the_current_step(
    small: Content,
) -> None:
    talk = Conversation(small)
    talk.start()
    old_next = talk.screen.buttons[0].data if talk.screen else ""
    talk.press("Next")
    talk.send(Choose(old_next))
    assert talk.notices == ["old_button"]
    assert talk.replies[0].text == "Old button"
    assert talk.text == "Second, in the evening"
    assert talk.state.at == Position("intro", "second")


@pytest.mark.parametrize("data", ["", "garbage", "d:intro:first:99", "d:intro:first:-1", "d:a:b"])
def test_button_data_that_makes_no_sense_is_answered_not_crashed_on(
    small: Content, data: str
) -> None:
    talk = Conversation(small)
    talk.start()
    talk.send(Choose(data))
    assert talk.notices == ["old_button"]
    assert talk.state.at == Position("intro", "first")


def test_typed_text_where_none_is_expected_gets_not_understood_and_the_step(
    small: Content,
) -> None:
    talk = Conversation(small)
    talk.start()
    talk.type("hello?")
    assert talk.notices == ["not_understood"]
    assert talk.text.startswith("First")
    assert talk.labels == ["Next", "Back"]


def test_typed_text_on_a_step_that_accepts_it_leads_on(small: Content) -> None:
    talk = Conversation(small)
    talk.start("second-step")
    assert talk.screen is not None
    assert talk.screen.accepts_text
    talk.type("something private")
    assert talk.state.at == Position("intro", "first")
    assert "something private" not in json.dumps(talk.state.to_json())


@pytest.mark.parametrize(
    "typed", ["I want a PERSON", "чалавека, калі ласка", "Человеку бы написать"]
)
def test_a_trigger_word_with_any_ending_asks_for_a_person(small: Content, typed: str) -> None:
    talk = Conversation(small, locale="be")
    talk.start()
    talk.menu()
    talk.type(typed)
    assert talk.effects == (AskPerson(topic="other", urgent=False),)
    assert talk.state.at == Position("intro", "first")


def test_a_trigger_does_not_fire_inside_another_word(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.type("personally I am fine")
    assert talk.effects == ()
    assert talk.notices == ["not_understood"]


def test_triggers_are_tried_before_the_step_takes_typed_text(small: Content) -> None:
    talk = Conversation(small)
    talk.start("second-step")
    talk.type("a person please")
    assert talk.effects == (AskPerson(topic="other", urgent=False),)


def test_changing_language_is_an_effect_and_changes_the_state(small: Content) -> None:
    talk = Conversation(small, locale="be")
    talk.menu()
    talk.press("Мова")
    assert talk.effects == (SetLanguage("en"),)
    assert talk.state.locale == "en"
    assert talk.text == "Menu", "a choice with an action and no way on shows its step again"


def test_a_step_that_vanished_in_a_content_reload_lands_gently_on_the_menu(
    small: Content,
) -> None:
    gone = State(locale="en", at=Position("intro", "removed"), history=(Position("x", "y"),))
    outcome = step(small, gone, Choose("d:intro:removed:0"))
    assert [r.notice for r in outcome.replies] == ["step_gone", None]
    assert outcome.state == State(locale="en", at=small.menu)


def test_back_skips_history_entries_that_no_longer_exist(small: Content) -> None:
    state = State(
        locale="en",
        at=Position("intro", "second"),
        history=(Position("intro", "first"), Position("old", "gone")),
    )
    outcome = step(small, state, Back())
    assert outcome.state.at == Position("intro", "first")


def test_show_repeats_the_current_step_after_a_restart(small: Content) -> None:
    state = State(locale="en", at=Position("intro", "second"))
    outcome = step(small, state, Show())
    assert outcome.replies[0].text == "Second, in the evening"
    assert outcome.state == state


def test_history_stays_bounded(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    for _ in range(100):
        talk.press("Next")
        talk.type("anything")
    assert len(talk.state.history) <= 30


def test_state_round_trips_through_json_and_survives_garbage() -> None:
    state = State(locale="ru", at=Position("a", "b"), history=(Position("c", "d"),))
    assert State.from_json(json.loads(json.dumps(state.to_json())), default_locale="be") == state
    garbage_values: list[object] = [None, [], "x", {"at": 5, "history": [1, ["a"]]}, {"locale": 3}]
    for garbage in garbage_values:
        restored = State.from_json(garbage, default_locale="be")
        assert restored.at is None
        assert restored.locale in ("be", "ru")


def test_typed_text_never_shows_in_an_event_repr() -> None:
    assert "secret words" not in repr(Text("secret words"))


def test_the_step_function_does_not_change_the_state_it_was_given(small: Content) -> None:
    state = State(locale="en", at=Position("intro", "first"))
    before = replace(state)
    step(small, state, Choose("d:intro:first:0"))
    assert state == before


def test_menu_buttons_carry_what_they_do(small: Content) -> None:
    outcome = step(small, State(locale="en"), Menu())
    # Begin, Language (stays, in the new language), A person (asks, stays), Clear (stays)
    assert [b.nav for b in outcome.replies[0].buttons] == [Nav.GOTO, Nav.STAY, Nav.STAY, Nav.STAY]


def test_start_event_after_a_reload_with_a_valid_link_goes_there(small: Content) -> None:
    gone = State(locale="en", at=Position("intro", "removed"))
    outcome = step(small, gone, Start("second-step"))
    assert outcome.state.at == Position("intro", "second")
    assert all(r.notice is None for r in outcome.replies)


def test_text_before_any_start_opens_the_welcome(small: Content) -> None:
    outcome = step(small, State(locale="en"), Text("hi"))
    assert outcome.state.at == Position("intro", "first")


def test_a_command_opens_its_link_and_back_returns_where_the_person_was(small: Content) -> None:
    talk = Conversation(small)
    talk.start("second-step")
    talk.send(Command("help"))
    assert talk.state.at == Position("intro", "first")
    talk.back()
    assert talk.state.at == Position("intro", "second")


def test_a_sticker_or_voice_gets_a_kind_answer_and_the_current_step(small: Content) -> None:
    talk = Conversation(small)
    talk.start()
    talk.send(Media())
    assert talk.notices == ["not_text"]
    assert talk.text.startswith("First")


def test_a_first_start_in_an_unknown_language_asks_for_it_then_goes_on(
    small: Content,
) -> None:
    talk = Conversation(small)
    talk.send(Start(choose_language=True))
    # The fixture's /language links to the intro flow; the welcome is intro too, so the picker
    # is skipped rather than shown twice.
    assert talk.state.at == Position("intro", "first")
    assert talk.state.history == ()


def test_the_shipped_language_picker_comes_first_and_back_leads_to_the_welcome(
    shipped: Content,
) -> None:
    talk = Conversation(shipped, locale="be")
    talk.send(Start(choose_language=True))
    assert talk.state.at == Position("language", "choose")
    talk.press("English")
    assert talk.effects == (SetLanguage("en"),)
    assert talk.state.at == Position("welcome", "hello")
    assert talk.text.startswith("Hello")
