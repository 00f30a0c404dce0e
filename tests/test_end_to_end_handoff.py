"""The handoff end to end: the real `volnyja-bot run`, a person, a forum of volunteers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.end_to_end import BotProcess, data_of, reply_after
from tests.telegram_double import FakeUser, SentMessage, TelegramDouble

GROUP = -1009876543210
ALA = FakeUser(id=9001, first_name="Alaksandra", username="ala_v")
BORYS = FakeUser(id=9002, first_name="Borys", username="borys_v")
STRANGER = FakeUser(id=9003, first_name="Stranger")
ZOE = FakeUser(id=7395160842, first_name="Zyxwvutsrq", username="qqq_unique_handle")


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    telegram.add_group(
        GROUP, "Volunteers", is_forum=True, members={ALA.id: "member", BORYS.id: "member"}
    )
    yield telegram
    await telegram.stop()


@pytest.fixture
async def bot(double: TelegramDouble, tmp_path: Path) -> AsyncIterator[BotProcess]:
    async with BotProcess(double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP)) as process:
        yield process


async def ask(double: TelegramDouble) -> SentMessage:
    """Zoe asks for a person about feelings; returns the card in the volunteers' group."""
    double.send_text(ZOE, "/human")
    topic = await reply_after(double, ZOE, 0)
    double.press(ZOE, topic.message_id, data_of(topic, "About feelings"))
    await reply_after(double, ZOE, 1)
    cards = await double.wait_for(lambda: double.messages(GROUP))
    return cards[-1]


async def test_a_person_and_a_volunteer_talk_through_the_bot_across_a_restart(
    double: TelegramDouble, bot: BotProcess
) -> None:
    card = await ask(double)
    (thread,) = double.topics[GROUP]
    assert double.topics[GROUP][thread]["name"] == "#1 · Пачуцці"

    refused = double.press_in_group(GROUP, STRANGER, card.message_id, data_of(card, "Узяць"))
    await double.wait_for(lambda: refused in double.callback_answers)
    assert double.callback_answers[refused].get("text") == (
        "Браць звароты могуць толькі ўдзельнікі групы валанцёраў."
    ), "someone outside the volunteers' group cannot take a case"
    first = double.press_in_group(GROUP, ALA, card.message_id, data_of(card, "Узяць"))
    second = double.press_in_group(GROUP, BORYS, card.message_id, data_of(card, "Узяць"))
    await double.wait_for(lambda: first in double.callback_answers)
    await double.wait_for(lambda: second in double.callback_answers)
    winners = [q for q in (first, second) if not double.callback_answers[q].get("text")]
    assert len(winners) == 1, "exactly one volunteer gets the case"
    taker = ALA if winners == [first] else BORYS
    other = BORYS if taker is ALA else ALA
    connected = await reply_after(double, ZOE, 3)  # after the share question
    assert connected.text is not None
    assert connected.text.startswith("A volunteer is here now.")

    double.send_text(ZOE, "purple-elephant-secret-words")
    double.send_photo(ZOE, caption="my photo")

    def card_and_two_copies() -> list[SentMessage]:
        in_topic = double.thread_messages(GROUP, thread)
        return in_topic if len(in_topic) >= 3 else []

    relayed = await double.wait_for(card_and_two_copies)
    assert [m.method for m in relayed[-2:]] == ["copyMessage", "copyMessage"]
    assert relayed[-1].text == "my photo"

    double.post_in_topic(GROUP, taker, thread, "I am here. Tell me more.")
    double.post_in_topic(GROUP, taker, thread, "a picture for you", photo=True)
    to_zoe = await reply_after(double, ZOE, 4)
    photo_to_zoe = await reply_after(double, ZOE, 5)
    assert to_zoe.method == "copyMessage"
    assert to_zoe.params.get("protect_content") in (True, "true", "True")
    assert photo_to_zoe.method == "copyMessage"
    assert photo_to_zoe.text == "a picture for you"

    double.post_in_topic(GROUP, other, thread, "an internal note")
    note = await double.wait_for(
        lambda: [
            m
            for m in double.thread_messages(GROUP, thread)
            if m.method == "sendMessage" and m.text and "не адпраўлена" in m.text
        ]
    )
    assert note

    await bot.kill()
    await bot.start()

    double.send_text(ZOE, "still there after all?")
    await double.wait_for(
        lambda: any(
            m.text == "still there after all?" for m in double.thread_messages(GROUP, thread)
        )
    )
    double.send_text(ZOE, "/end")
    await double.wait_for(lambda: double.topics[GROUP][thread]["closed"])
    ended = await reply_after(double, ZOE, 6)
    assert ended.text is not None
    assert ended.text.startswith("You've ended the conversation")

    assert await bot.stop() == 0
    # What the volunteers can see: every message in the group as members receive it, and
    # the topics' names. (The bot's copyMessage call itself names the source chat; Telegram
    # does not show that to anyone, which is why messages are copied, never forwarded.)
    seen_by_volunteers = json.dumps(
        [double.message_json(GROUP, m.message_id) for m in double.messages(GROUP)]
        + [topic["name"] for topic in double.topics[GROUP].values()],
        ensure_ascii=False,
    )
    assert "Пачуцці" in seen_by_volunteers
    for secret in (str(ZOE.id), ZOE.first_name, str(ZOE.username)):
        assert secret not in seen_by_volunteers, f"{secret} reached the volunteers' group"
    stored = bot.stored_bytes()
    for secret in (str(ZOE.id), ZOE.first_name, "purple-elephant"):
        assert secret.encode() not in stored, f"{secret} is still in the database"


async def test_run_refuses_a_volunteer_group_without_topics(
    double: TelegramDouble, tmp_path: Path
) -> None:
    double.add_group(-1005555, "Plain group", is_forum=False)
    process = BotProcess(double, tmp_path)
    process.env["VOLUNTEER_CHAT_ID"] = "-1005555"
    await process.start_without_waiting()
    assert process.process is not None
    code = await asyncio.wait_for(process.process.wait(), 60)
    assert code == 2
    log = process.log.read_text()
    assert "setting VOLUNTEER_CHAT_ID: that group must have topics turned on" in log


async def take(double: TelegramDouble, card: SentMessage, volunteer: FakeUser) -> int:
    """The volunteer takes the case; returns the topic's thread id once the person is told."""
    (thread,) = double.topics[GROUP]
    double.press_in_group(GROUP, volunteer, card.message_id, data_of(card, "Узяць"))
    await reply_after(double, ZOE, 3)
    return thread


async def test_an_edit_is_relayed_and_the_volunteer_ends_and_the_topic_is_deleted(
    double: TelegramDouble, tmp_path: Path
) -> None:
    async with BotProcess(
        double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP), CASE_TOPIC_DELETE_HOURS="0"
    ):
        thread = await take(double, await ask(double), ALA)
        sent = double.send_text(ZOE, "first version")
        copies = await double.wait_for(
            lambda: [m for m in double.thread_messages(GROUP, thread) if m.text == "first version"]
        )
        double.edit_text(ZOE, sent, "second version")
        await double.wait_for(
            lambda: double.message(GROUP, copies[0].message_id).text == "second version"
        )
        double.post_in_topic(GROUP, ALA, thread, "/end")
        ended = await reply_after(double, ZOE, 4)
        assert ended.text is not None
        assert ended.text.startswith("The volunteer has ended the conversation")
        await double.wait_for(lambda: double.topics[GROUP][thread]["deleted"])


async def test_a_person_who_blocked_the_bot_ends_the_case_and_volunteers_are_told(
    double: TelegramDouble, bot: BotProcess
) -> None:
    thread = await take(double, await ask(double), BORYS)
    double.block(ZOE)
    double.post_in_topic(GROUP, BORYS, thread, "are you still there?")
    await double.wait_for(lambda: double.topics[GROUP][thread]["closed"])
    told = [m.text or "" for m in double.thread_messages(GROUP, thread)]
    assert any("завяршыў размову" in text for text in told)
