"""Crisis heard while a volunteer is asked or talking, under flood control, at night, alone:
through the real Dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.methods import CopyMessage, CreateForumTopic, EditForumTopic, EditMessageText

from bot.storage.models import utcnow
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person
from tests.test_handoff import ask_for_a_person, long_waits_at

HELP_NOW = "<b>In danger now:</b>"
"""The first words of the "help now" block in English (system.yaml, help_now)."""


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP)
    harness.session.members.add(ALA.id)
    yield harness
    await harness.close()


def helps_shown(bot: Harness, user_id: int) -> int:
    return sum(HELP_NOW in (m.text or "") for m in bot.session.sent() if int(m.chat_id) == user_id)


async def test_crisis_words_while_waiting_are_relayed_make_the_case_urgent_and_help_shows_once(
    bot: Harness,
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    assert bot.session.sent(CreateForumTopic)[-1].name == "#1 · Пачуцці"
    shown_before = helps_shown(bot, zoe.id)

    await bot.say(zoe, "я больше не хочу жить")
    assert len(bot.session.sent(CopyMessage)) == 1, "still relayed to the volunteers"
    assert bot.session.sent(EditForumTopic)[-1].name == (
        "#1 · Пачуцці · тэрмінова: суіцыд ці самапашкоджанне"
    )
    card = bot.session.sent(EditMessageText)[-1].text
    assert card.startswith("<b>Зварот #1</b> · <b>ТЭРМІНОВА</b> (суіцыд ці самапашкоджанне)")
    assert "жить" not in card, "the card says the tier, never the words"
    alert = bot.in_group()[-1].text or ""
    assert alert.startswith("<b>Тэрмінова (суіцыд ці самапашкоджанне).</b> Зварот #1")
    assert helps_shown(bot, zoe.id) == shown_before + 1

    alerts = len(bot.in_group())
    await bot.say(zoe, "хочу умереть, правда")
    assert len(bot.session.sent(CopyMessage)) == 2
    assert helps_shown(bot, zoe.id) == shown_before + 1, "the help block once, not every time"
    assert len(bot.in_group()) == alerts, "volunteers are not alerted twice for one reason"


async def test_crisis_words_while_talking_make_the_taken_case_urgent(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[0])
    await bot.say(zoe, "I keep thinking about killing myself")
    assert len(bot.session.sent(CopyMessage)) == 1
    assert bot.session.sent(EditForumTopic)[-1].name == "#1 · Пачуцці · тэрмінова · Валанцёр"
    taken = bot.session.sent(EditMessageText)[-1].text
    assert taken.startswith(
        "<b>Зварот #1</b> · <b>ТЭРМІНОВА</b> (суіцыд ці самапашкоджанне) · вядзе"
    )
    assert HELP_NOW in (bot.last_to(zoe).text or "")


async def test_a_help_word_opens_an_urgent_request(bot: Harness) -> None:
    zoe = person()
    await bot.say(zoe, "/start")
    await bot.say(zoe, "помогите!!!")
    assert bot.session.sent(CreateForumTopic)[-1].name == "#1 · Іншае · тэрмінова: просіць дапамогі"
    assert bot.last_to(zoe).text.startswith("I'm here. I've asked a volunteer")
    assert not any("May I show the volunteer" in (m.text or "") for m in bot.to(zoe)), (
        "no question about sharing the way after an urgent request"
    )


async def test_crisis_words_beyond_the_flood_allowance_are_still_heard(bot: Harness) -> None:
    zoe = person()
    await bot.say(zoe, "/start")
    for _ in range(12):
        await bot.say(zoe, "hello", pause=0)
    await bot.say(zoe, "i want to die", pause=0)
    assert bot.session.sent(CreateForumTopic), "the urgent request was opened"
    assert bot.last_to(zoe).text.startswith("<b>Thank you for telling me.")


async def test_an_urgent_request_nobody_took_is_told_honestly_after_ten_minutes(
    bot: Harness,
) -> None:
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    assert await long_waits_at(bot, 9) == 0
    assert await long_waits_at(bot, 11) == 1
    told = bot.last_to(zoe)
    assert told.text.startswith(HELP_NOW), "where help is right now comes first"
    assert "no volunteer has answered yet, and it's been 11 min" in told.text
    assert bot.labels(told) == ["Keep waiting", "Stop the request", "☰ Menu"]


async def test_without_a_volunteers_group_the_crisis_lines_come_first(
    shipped: Content, database_url: str
) -> None:
    harness = Harness(shipped, database_url)
    try:
        zoe = person()
        await harness.say(zoe, "/start")
        await harness.say(zoe, "I want to die")
        shown = harness.last_to(zoe).text
        assert shown.startswith(HELP_NOW)
        assert "There are no volunteers with this helper right now" in shown
        assert "I've asked a volunteer" not in shown
    finally:
        await harness.close()


async def test_at_night_the_crisis_lines_come_first_and_nothing_is_promised(
    shipped: Content, database_url: str
) -> None:
    now = utcnow()
    opens = (now + timedelta(hours=2)).strftime("%H:00")
    closes = (now + timedelta(hours=3)).strftime("%H:00")
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=GROUP,
        hours=f"{opens}-{closes}",
    )
    try:
        zoe = person()
        await harness.say(zoe, "/start")
        await harness.say(zoe, "I want to die")
        shown = harness.last_to(zoe).text
        assert shown.startswith(HELP_NOW)
        assert "The volunteers have your request, but they aren't here now" in shown
        assert harness.session.sent(CreateForumTopic), "the volunteers still get the request"
        assert not any("try again" in (m.text or "") for m in harness.to(zoe))
    finally:
        await harness.close()


async def test_a_more_serious_reason_replaces_a_lesser_one_and_never_the_other_way(
    bot: Harness,
) -> None:
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    assert bot.session.sent(CreateForumTopic)[-1].name.endswith("выбраў(-ла) «тэрмінова»")
    await bot.say(zoe, "хочу умереть")
    assert bot.session.sent(EditForumTopic)[-1].name.endswith("суіцыд ці самапашкоджанне")
    alerts, renames = len(bot.in_group()), len(bot.session.sent(EditForumTopic))
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    assert len(bot.session.sent(EditForumTopic)) == renames, "crisis stays the reason"
    assert len(bot.in_group()) == alerts, "and nobody is alerted again"
