"""Words of crisis, however they are inflected, reach the crisis step and alert a volunteer."""

from __future__ import annotations

import pytest

from dialogs import AskPerson, Content, Position, Start
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
        "мяне б'юць дома",
        "мяне збілі ўчора",
        "мне пагражаюць",
        "ён хоча мяне забіць",
        "я ў небяспецы",
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
        "меня бьёт муж",
        "меня избили",
        "мне угрожают",
        "я в опасности",
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
        "he hits me",
        "they threaten to kill me",
        "I am in danger",
    ],
}

ORDINARY = {
    "be": [
        "у мяне білет на цягнік",
        "мне пагражае штраф",
        "мяне збіраюцца звольніць",
        "хачу жыць лепш",
    ],
    "ru": ["у меня билет", "мне угрожает штраф", "хочу жить спокойно", "у меня бизнес"],
    "en": ["my back is hurting me", "I am dying to see my family", "I want to live well"],
}


def reaches_crisis(content: Content, locale: str, phrase: str) -> bool:
    talk = Conversation(content, locale=locale)
    talk.start()
    talk.type(phrase)
    alerted = AskPerson(topic="feelings", urgent=True) in talk.effects
    return alerted and talk.state.at == Position("crisis", "now")


@pytest.mark.parametrize(
    ("locale", "phrase"), [(loc, p) for loc, phrases in CRISIS.items() for p in phrases]
)
def test_a_crisis_phrase_reaches_the_crisis_step_urgently(
    shipped: Content, locale: str, phrase: str
) -> None:
    assert reaches_crisis(shipped, locale, phrase)


@pytest.mark.parametrize(
    ("locale", "phrase"), [(loc, p) for loc, phrases in ORDINARY.items() for p in phrases]
)
def test_everyday_words_do_not_raise_an_alarm(shipped: Content, locale: str, phrase: str) -> None:
    assert not reaches_crisis(shipped, locale, phrase)


@pytest.mark.parametrize("locale", ["be", "ru", "en"])
def test_crisis_words_work_in_any_language_whatever_the_persons_language(
    shipped: Content, locale: str
) -> None:
    for phrases in CRISIS.values():
        assert reaches_crisis(shipped, locale, phrases[0])


def test_crisis_words_are_heard_even_where_the_person_is_asked_to_write(shipped: Content) -> None:
    talk = Conversation(shipped, locale="ru")
    talk.start("feelings")
    _to_name_it(talk)
    talk.type("я не хочу больше жить")
    assert talk.state.at == Position("crisis", "now")


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


def _to_name_it(talk: Conversation) -> None:
    """From the feelings check-in (in Russian) to the step where one may write the feeling."""
    talk.press("Что-то другое")
    talk.press("Трудно сказать")
    talk.press("Попробовать назвать")
    assert talk.state.at == Position("feelings", "name_it")
