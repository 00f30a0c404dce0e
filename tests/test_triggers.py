"""Editors' phrases are heard the way people really type them, and nothing else is."""

from __future__ import annotations

import pytest

from dialogs.hearing import Hearing, TriggerWords
from dialogs.triggers import pattern_problem


def hears(phrase: str, text: str, *, unless: tuple[str, ...] = ()) -> bool:
    hearing = Hearing([TriggerWords(words={"any": [phrase]}, unless={"any": list(unless)})])
    return hearing.hear(text) == (0,)


@pytest.mark.parametrize(
    ("phrase", "text", "heard"),
    [
        # endings, whole words
        ("чалавек*", "Патрэбны чалавек", True),
        ("чалавек*", "пагаварыць з чалавекам", True),
        ("человек*", "дайте ЧЕЛОВЕКА", True),
        ("человек*", "античеловеческий", False),
        ("person", "a person, please", True),
        ("person", "personal", False),
        # any order, close together
        ("уби* себя", "хочу себя убить", True),
        ("уби* себя", "убить себя хочу", True),
        ("хоч* уби* себя", "себя убить хочу", True),
        ("уби* себя", "себя я сегодня долго ругала, и время убила зря", False),
        # a negation stays with its word
        ("не хоч* жить", "жить не хочу", True),
        ("не хоч* жить", "не хочу больше жить", True),
        ("не хоч* жить", "не очень хочу жить", True),
        ("не хоч* жить", "жить хочу, не сдамся", False),
        ("не хоч* жить", "нехочу жить", True),
        ("не хач* жыць", "нехачу жыць", True),
        # case, letters people type for one another, punctuation, stretched letters
        ("хоч* умереть", "ХОЧУ УМЕРЕТЬ!!!", True),
        ("ёлк*", "Елка", True),
        ("хач* памерці", "хачу памерци", True),
        ("не хач* жыць", "не хачу жыць, ўсё", True),
        ("хоч* умереть", "хочууу умерееть", True),
        ("kill* myself", "i want to killl myself", True),
        ("заб'ю сябе", "забʼю сябе", True),
        ("don't want to live", "I don’t want to live", True),
        # chat English
        ("want to die", "want 2 die", True),
        ("want to die", "i wanna die", True),
        ("not want to live", "i dont wanna live anymore", True),
        ("kill* myself", "kms", True),
        # one typo in a longer word, not in a short one
        ("поконч* с собой", "покончитть с собой", True),
        ("поконч* с собой", "поконить с собой", True),
        ("суицид*", "думаю о суециде", True),
        ("умереть", "хочу умререть", True),
        ("помоги", "помогли", False),
        # Russian and Belarusian typed in Latin letters
        ("не хоч* жить", "ne hochu zhit", True),
        ("хоч* умереть", "hochu umeret'", True),
        ("уби* себя", "ubit sebya hochu", True),
        ("поконч* с собой", "hochu pokonchit s soboj", True),
        ("повеситься", "hochu povesitsya", True),
        ("не хач* жыць", "nie chaču žyć", True),
        ("не хач* жыць", "ne hachu zhyc", True),
        ("хоч* умереть", "ho4u umeret", True),
    ],
)
def test_a_phrase_is_heard_however_it_is_typed(phrase: str, text: str, heard: bool) -> None:
    assert hears(phrase, text) is heard


def test_an_exception_silences_only_the_words_it_overlaps() -> None:
    unless = ("умереть от смеха",)
    assert not hears("умереть", "чуть не умерла от смеха", unless=(*unless, "умерла от смеха"))
    assert not hears("умереть", "можно умереть от смеха", unless=unless)
    assert hears("умереть", "можно умереть от смеха, но я правда хочу умереть", unless=unless)


def test_an_exception_is_heard_only_in_the_order_it_is_written() -> None:
    unless = ("не хоч* жить в",)
    assert not hears("не хоч* жить", "не хочу жить в этом городе", unless=unless)
    assert not hears("не хоч* жить", "нехочу жить в общаге", unless=unless)
    assert hears("не хоч* жить", "в отчаянии, не хочу жить", unless=unless)


def test_triggers_are_told_apart_and_given_in_their_order() -> None:
    hearing = Hearing(
        [
            TriggerWords(words={"ru": ["хоч* умереть"]}),
            TriggerWords(words={"ru": ["человек*"]}),
        ]
    )
    assert hearing.hear("позовите человека, я хочу умереть") == (0, 1)
    assert hearing.hear("позовите человека") == (1,)
    assert hearing.first("позовите человека, я хочу умереть", {1}) == 1
    assert hearing.first("просто слова", {0, 1}) is None


def test_an_experts_pattern_sees_the_plain_form() -> None:
    hearing = Hearing([TriggerWords(patterns=[r"\bsos\b"])])
    assert hearing.hear("S.O.S") == ()
    assert hearing.hear("SOS!!!") == (0,)


def test_a_pattern_that_matches_everything_is_refused() -> None:
    assert pattern_problem("x*") == (
        "this pattern matches empty text, so it would catch every message"
    )


def test_a_broken_pattern_is_explained() -> None:
    problem = pattern_problem("(abc")
    assert problem is not None
    assert problem.startswith("this pattern is not a valid regular expression")


def test_a_good_pattern_has_no_problem() -> None:
    assert pattern_problem(r"\bsos\b") is None
