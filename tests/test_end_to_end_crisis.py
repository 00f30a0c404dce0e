"""Crisis end to end: the real `volnyja-bot run`, people in trouble, a forum of volunteers."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.end_to_end import BotProcess, data_of, reply_after, said
from tests.telegram_double import FakeUser, TelegramDouble

GROUP = -1009876543210
ALA = FakeUser(id=9001, first_name="Alaksandra", username="ala_v")
ZOE = FakeUser(id=7395160842, first_name="Zoe")
IVAN = FakeUser(id=7395160843, first_name="Ivan", language_code="ru")
HELP_NOW = "<b>In danger now:</b>"
CHORES_ROUND = 45.0
"""The bot's chores run every 30 seconds; a little more for a slow machine."""


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    telegram.add_group(GROUP, "Volunteers", is_forum=True, members={ALA.id: "member"})
    yield telegram
    await telegram.stop()


def topic_names(double: TelegramDouble) -> list[str]:
    return [str(topic["name"]) for topic in double.topics.get(GROUP, {}).values()]


def helps_shown(double: TelegramDouble, user: FakeUser) -> int:
    return sum(HELP_NOW in (m.text or "") for m in double.messages(user.id))


async def test_crisis_words_while_waiting_and_talking_make_the_case_urgent_help_shows_once(
    double: TelegramDouble, tmp_path: Path
) -> None:
    async with BotProcess(double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP)) as bot:
        double.send_text(ZOE, "/human")
        topics = await reply_after(double, ZOE, 0)
        double.press(ZOE, topics.message_id, data_of(topics, "About feelings"))
        card = (await double.wait_for(lambda: double.messages(GROUP)))[-1]
        (thread,) = double.topics[GROUP]
        await reply_after(double, ZOE, 1)

        double.send_text(ZOE, "я больше не хочу жить")
        await double.wait_for(lambda: "тэрмінова" in double.topics[GROUP][thread]["name"])
        assert double.topics[GROUP][thread]["name"] == (
            "#1 · Пачуцці · тэрмінова: суіцыд ці самапашкоджанне"
        )
        await double.wait_for(lambda: helps_shown(double, ZOE) == 1)
        relayed = await double.wait_for(
            lambda: [m for m in double.thread_messages(GROUP, thread) if m.method == "copyMessage"]
        )
        assert relayed[0].text == "я больше не хочу жить", "relayed as usual"

        double.press_in_group(GROUP, ALA, card.message_id, data_of(card, "Узяць"))
        await said(double, ZOE, "A volunteer is here now")
        double.send_text(ZOE, "I keep thinking about killing myself")
        await double.wait_for(
            lambda: (
                len([m for m in double.thread_messages(GROUP, thread) if m.method == "copyMessage"])
                == 2
            )
        )
        assert "тэрмінова" in double.topics[GROUP][thread]["name"]
        assert helps_shown(double, ZOE) == 1, "the help block once, not on every message"

        double.send_text(IVAN, "/start")
        await reply_after(double, IVAN, 0)
        double.send_text(IVAN, "помогите!!!")
        await double.wait_for(lambda: len(double.topics[GROUP]) == 2)
        assert "#2 · Іншае · тэрмінова: просіць дапамогі" in topic_names(double)
        asked = await said(double, IVAN, "Я здесь.")
        assert "Я срочно попросил волонтёра" in (asked.text or "")
        assert await bot.stop() == 0


async def test_without_a_volunteers_group_the_crisis_line_comes_first(
    double: TelegramDouble, tmp_path: Path
) -> None:
    async with BotProcess(double, tmp_path):
        double.send_text(ZOE, "/start")
        await reply_after(double, ZOE, 0)
        double.send_text(ZOE, "i want to die")
        shown = await reply_after(double, ZOE, 1)
        assert (shown.text or "").startswith(HELP_NOW)
        assert "There are no volunteers with this helper right now" in (shown.text or "")
        assert "try again" not in (shown.text or "")


async def test_at_night_the_crisis_line_comes_first(double: TelegramDouble, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    hours = f"{(now + timedelta(hours=2)):%H}:00-{(now + timedelta(hours=3)):%H}:00"
    async with BotProcess(double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP), VOLUNTEER_HOURS=hours):
        double.send_text(ZOE, "/start")
        await reply_after(double, ZOE, 0)
        double.send_text(ZOE, "i want to die")
        shown = await reply_after(double, ZOE, 1)
        assert (shown.text or "").startswith(HELP_NOW)
        assert "The volunteers have your request, but they aren't here now" in (shown.text or "")
        await double.wait_for(lambda: topic_names(double) != [])


async def test_an_urgent_request_nobody_took_is_told_honestly_after_the_urgent_timeout(
    double: TelegramDouble, tmp_path: Path
) -> None:
    async with BotProcess(
        double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP), URGENT_TIMEOUT_MINUTES="10"
    ) as bot:
        double.send_text(ZOE, "/human")
        topics = await reply_after(double, ZOE, 0)
        double.press(ZOE, topics.message_id, data_of(topics, "It's urgent"))
        await double.wait_for(lambda: topic_names(double) != [])
        await reply_after(double, ZOE, 1)
        # Eleven minutes pass for the case (the bot reads its own clock: the case is moved).
        with sqlite3.connect(bot.database) as db:
            db.execute("UPDATE cases SET created_at = datetime('now', '-11 minutes')")
        told = await double.wait_for(
            lambda: [
                m
                for m in double.messages(ZOE.id)
                if "no volunteer has answered yet" in (m.text or "")
            ],
            timeout=CHORES_ROUND,
        )
        assert (told[0].text or "").startswith(HELP_NOW), "where help is now comes first"
        assert data_of(told[0], "Keep waiting")
        assert data_of(told[0], "Stop the request")
