"""Crisis is heard in every tier, and each tier leads where the crisis guidance says."""

from __future__ import annotations

import pytest

from dialogs import AskPerson, Choose, Content, Position, Start
from dialogs.engine import URGENT_DATA
from dialogs.testing import Conversation

CRISIS = {
    "be": [
        "я не хачу больш жыць",
        "Не хачу жыць",
        "мне не хочацца жыць",
        "жыць не хочацца",
        "хачу памерці",
        "думаю пра суіцыд",
        "суіцыдальныя думкі",
        "думкі пра самагубства",
        "хачу скончыць з сабой",
        "я скончу з сабою",
        "я заб'ю сябе",
        "я заб’ю сябе",
        "я рэжу сябе",
        "хачу парэзаць сябе",
    ],
    "ru": [
        "я не хочу жить",
        "Не хочется жить",
        "не хочу больше жить",
        "хочу умереть",
        "мысли о суициде",
        "думаю о самоубийстве",
        "хочу покончить с собой",
        "покончила с собою",
        "убью себя",
        "я режу себя",
        "порежу себя",
        "хочу причинить себе боль",
    ],
    "en": [
        "I want to kill myself",
        "thinking about killing myself",
        "I want to end my life",
        "I don't want to live anymore",
        "I don’t want to live",
        "I want to die",
        "suicidal thoughts",
        "I keep hurting myself",
        "cutting myself again",
        "self-harming",
    ],
}
VIOLENCE = {
    "be": ["мяне б'юць дома", "мяне збілі ўчора", "мне пагражаюць", "ён хоча мяне забіць"],
    "ru": ["меня бьёт муж", "меня избили", "мне угрожают"],
    "en": ["he hits me", "they threaten to kill me"],
}
UNCLEAR = {
    "be": ["не бачу сэнсу ні ў чым", "хачу знікнуць", "усім будзе лепш без мяне"],
    "ru": ["не вижу смысла", "хочу исчезнуть", "я для всех обуза"],
    "en": ["I don't want to wake up", "I can't go on", "everyone would be better off without me"],
}
HELP = {
    "be": ["дапамажыце", "тэрмінова", "я ў небяспецы"],
    "ru": ["помогите", "срочно", "SOS", "я в опасности"],
    "en": ["help", "urgent", "I am in danger"],
}
ORDINARY = {
    "be": [
        "у мяне білет на цягнік",
        "мне пагражае штраф",
        "мяне збіраюцца звольніць",
        "хачу жыць лепш",
        "я не ў небяспецы",
    ],
    "ru": [
        "у меня билет",
        "мне угрожает штраф",
        "хочу жить спокойно",
        "у меня бизнес",
        "я не в опасности",
        "умереть от смеха",
        "убить время",
    ],
    "en": [
        "my back is hurting me",
        "I am dying to see my family",
        "I want to live well",
        "my data might be in danger",
    ],
}


def table(phrases: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(locale, phrase) for locale, texts in phrases.items() for phrase in texts]


def typed(content: Content, locale: str, phrase: str) -> Conversation:
    talk = Conversation(content, locale=locale)
    talk.start()
    talk.type(phrase)
    return talk


@pytest.mark.parametrize(("locale", "phrase"), table(CRISIS))
def test_a_crisis_phrase_reaches_the_crisis_step_urgently(
    shipped: Content, locale: str, phrase: str
) -> None:
    talk = typed(shipped, locale, phrase)
    assert talk.effects == (AskPerson(topic="feelings", urgent=True, reason="crisis"),)
    assert talk.state.at == Position("crisis", "now")


@pytest.mark.parametrize(("locale", "phrase"), table(VIOLENCE))
def test_violence_asks_whether_it_is_happening_now_and_only_now_is_urgent(
    shipped: Content, locale: str, phrase: str
) -> None:
    talk = typed(shipped, locale, phrase)
    assert talk.state.at == Position("crisis", "violence")
    assert not talk.effects
    before = Conversation(shipped, locale=locale)
    before.send(Start())
    before.type(phrase)
    talk.send(Choose(talk.screen.buttons[0].data if talk.screen else ""))
    assert talk.effects == (AskPerson(topic="safety", urgent=True, reason="violence_now"),)
    assert talk.state.at == Position("crisis", "violence_now")
    before.send(Choose(before.screen.buttons[1].data if before.screen else ""))
    assert before.effects == ()
    assert before.state.at == Position("crisis", "violence_before")


@pytest.mark.parametrize(("locale", "phrase"), table(UNCLEAR))
def test_words_that_may_mean_suicide_ask_directly(
    shipped: Content, locale: str, phrase: str
) -> None:
    talk = typed(shipped, locale, phrase)
    assert talk.state.at == Position("crisis", "ask")
    assert talk.effects == ()


def test_yes_to_the_direct_question_is_the_crisis_path(shipped: Content) -> None:
    talk = typed(shipped, "en", "I don't want to wake up")
    talk.press("Yes")
    assert talk.effects == (AskPerson(topic="feelings", urgent=True, reason="crisis"),)
    assert talk.state.at == Position("crisis", "now")


@pytest.mark.parametrize("answer", ["I'm not sure", "No"])
def test_not_sure_or_no_gets_gentle_support_and_a_person_offered(
    shipped: Content, answer: str
) -> None:
    talk = typed(shipped, "en", "I can't go on")
    talk.press(answer)
    assert not talk.effects
    talk.press("Talk to a person")
    assert talk.effects == (AskPerson(topic="feelings"),)


@pytest.mark.parametrize(("locale", "phrase"), table(HELP))
def test_help_words_reach_a_person_urgently(shipped: Content, locale: str, phrase: str) -> None:
    talk = typed(shipped, locale, phrase)
    assert talk.effects == (AskPerson(topic="other", urgent=True, reason="help_word"),)
    assert talk.state.at == Position("crisis", "help")
    assert "not_understood" not in talk.notices


@pytest.mark.parametrize(("locale", "phrase"), table(ORDINARY))
def test_everyday_words_do_not_raise_an_alarm(shipped: Content, locale: str, phrase: str) -> None:
    talk = typed(shipped, locale, phrase)
    assert talk.effects == ()
    assert talk.state.at is not None
    assert talk.state.at.flow != "crisis"
    assert shipped.alarm(phrase) is None


@pytest.mark.parametrize("locale", ["be", "ru", "en"])
def test_crisis_words_work_in_any_language_whatever_the_persons_language(
    shipped: Content, locale: str
) -> None:
    for phrases in CRISIS.values():
        assert typed(shipped, locale, phrases[0]).state.at == Position("crisis", "now")


def test_crisis_words_are_heard_even_where_the_person_is_asked_to_write(shipped: Content) -> None:
    talk = Conversation(shipped, locale="ru")
    talk.start("feelings")
    _to_name_it(talk)
    talk.type("я не хочу больше жить")
    assert talk.state.at == Position("crisis", "now")


def test_crisis_words_are_heard_right_after_the_crisis_screen(shipped: Content) -> None:
    talk = typed(shipped, "ru", "хочу умереть")
    talk.type("правда хочу умереть")
    assert talk.state.at == Position("crisis", "now")
    assert talk.effects == (AskPerson(topic="feelings", urgent=True, reason="crisis"),)


def test_own_words_where_writing_is_asked_are_not_taken_as_a_request(shipped: Content) -> None:
    talk = Conversation(shipped, locale="ru")
    talk.start("feelings")
    _to_name_it(talk)
    talk.type("я плохой человек")
    assert talk.effects == ()
    assert talk.state.at == Position("feelings", "named")


def test_no_link_opens_the_crisis_step_without_an_alert(shipped: Content) -> None:
    talk = Conversation(shipped, locale="en")
    talk.send(Start("crisis"))
    assert talk.state.at is not None
    assert talk.state.at.flow != "crisis"
    assert talk.effects == ()


def test_did_not_understand_offers_the_urgent_way_in_one_tap(shipped: Content) -> None:
    talk = typed(shipped, "en", "qwerty asdf")
    (notice,) = [r for r in talk.replies if r.notice == "not_understood"]
    assert [b.label for b in notice.buttons] == ["I need help now"]
    talk.send(Choose(URGENT_DATA))
    assert talk.effects == (AskPerson(topic="other", urgent=True, reason="urgent_choice"),)
    assert talk.state.at == Position("crisis", "help")


def test_the_menu_offers_the_urgent_way_in_one_tap_and_no_talk_of_no_hurry(
    shipped: Content,
) -> None:
    talk = Conversation(shipped, locale="en")
    talk.menu()
    assert "hurry" not in talk.text
    talk.press("I need help now")
    assert talk.effects == (AskPerson(topic="other", urgent=True, reason="urgent_choice"),)


def _to_name_it(talk: Conversation) -> None:
    """From the feelings check-in (in Russian) to the step where one may write the feeling."""
    talk.press("Что-то другое")
    talk.press("Трудно сказать")
    talk.press("Попробовать назвать")
    assert talk.state.at == Position("feelings", "name_it")
