"""Accepted means delivered, end to end: the real `volnyja-bot run` killed with SIGKILL in the
middle of things loses nothing it accepted, keeps the order, and sends again at most the one
message that was on its way (Telegram accepted it, the process died before recording that)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.end_to_end import BotProcess, data_of, reply_after
from tests.telegram_double import FakeUser, SentMessage, TelegramDouble

GROUP = -1009876543210
ALA = FakeUser(id=9001, first_name="Alaksandra")
ZOE = FakeUser(id=7395160842, first_name="Zoe")
BURST = 24


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    telegram.add_group(GROUP, "Volunteers", is_forum=True, members={ALA.id: "member"})
    yield telegram
    await telegram.stop()


def bot_process(double: TelegramDouble, tmp_path: Path) -> BotProcess:
    # Pacing off: the double has no limits here, and a burst paced at 20 a minute would take
    # minutes. What is under test is surviving the kill.
    return BotProcess(double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP), TELEGRAM_PACING="false")


async def ask(double: TelegramDouble) -> None:
    double.send_text(ZOE, "/human")
    topic = await reply_after(double, ZOE, 0)
    double.press(ZOE, topic.message_id, data_of(topic, "About feelings"))


def cards(double: TelegramDouble) -> list[SentMessage]:
    return [m for m in double.messages(GROUP) if m.reply_markup and "Узяць" in str(m.reply_markup)]


def lines(messages: list[SentMessage], prefix: str) -> list[str]:
    return [m.text or "" for m in messages if (m.text or "").startswith(prefix)]


async def test_a_burst_of_relayed_messages_survives_the_bot_being_killed(
    double: TelegramDouble, tmp_path: Path
) -> None:
    bot = bot_process(double, tmp_path)
    await bot.start()
    await ask(double)
    card = (await double.wait_for(lambda: cards(double)))[-1]
    double.press_in_group(GROUP, ALA, card.message_id, data_of(card, "Узяць"))
    await reply_after(double, ZOE, 3)
    (thread,) = double.topics[GROUP]

    for i in range(1, BURST + 1):
        double.send_text(ZOE, f"p-{i:02}")
        double.post_in_topic(GROUP, ALA, thread, f"v-{i:02}")
    await double.wait_for(lambda: len(lines(double.thread_messages(GROUP, thread), "p-")) >= 3)
    await bot.kill()
    await bot.start()

    expected_in = [f"p-{i:02}" for i in range(1, BURST + 1)]
    expected_out = [f"v-{i:02}" for i in range(1, BURST + 1)]
    await double.wait_for(
        lambda: (
            len(lines(double.thread_messages(GROUP, thread), "p-")) >= BURST
            and len(lines(double.messages(ZOE.id), "v-")) >= BURST
        ),
        timeout=60,
    )
    await asyncio.sleep(1.0)  # anything sent twice would show by now
    for got, expected in (
        (lines(double.thread_messages(GROUP, thread), "p-"), expected_in),
        (lines(double.messages(ZOE.id), "v-"), expected_out),
    ):
        assert list(dict.fromkeys(got)) == expected, "none lost, in order"
        # The one message Telegram had accepted when the process died, before its delivery
        # was recorded, may come again, right after itself: the window of one commit.
        repeats = [i for i in range(1, len(got)) if got[i] == got[i - 1]]
        assert len(got) - len(expected) == len(repeats) <= 1
    await bot.stop()


async def test_a_case_killed_between_its_topic_and_its_card_still_reaches_the_volunteers(
    double: TelegramDouble, tmp_path: Path
) -> None:
    bot = bot_process(double, tmp_path)
    await bot.start()
    release = double.hold("sendMessage", GROUP)
    await ask(double)
    await double.wait_for(lambda: double.topics.get(GROUP))
    await double.wait_for(
        lambda: any(
            c.method == "sendMessage" and str(c.params.get("chat_id")) == str(GROUP)
            for c in double.calls
        )
    )
    await bot.kill()  # the card was on its way: it never reaches Telegram
    release.set()
    assert cards(double) == []

    await bot.start()
    found = await double.wait_for(lambda: cards(double), timeout=30)
    assert len(found) == 1
    assert len(double.topics[GROUP]) == 1, "the topic made before the crash is used"
    (thread,) = double.topics[GROUP]
    assert found[0].thread_id == thread
    await bot.stop()
