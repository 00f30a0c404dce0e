"""Promises kept under pressure, through aiogram's real Dispatcher: an outage or a busy database
delays an answer instead of replacing it; a long queue is told honestly; what reaches the
volunteers is protected and, for a phone number or a place, confirmed first; "did it help" is
counted once per person asked; several groups share the load."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramServerError
from aiogram.methods import CopyMessage, CreateForumTopic, SendMessage
from aiogram.types import Contact, Location, User
from sqlalchemy import text

from bot.delivery.outbox import Outbox, group_lane
from bot.handoff.words import Helped
from bot.storage.db import create_sessionmaker
from bot.storage.transaction import Transaction
from bot.telegram.pacing import Limits, Priority
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person
from tests.stored import query

EN_GROUP = -1005550000001
BE_GROUP = -1005550000002


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP, limits=Limits())
    harness.session.members.add(ALA.id)
    yield harness
    await harness.close()


async def in_a_case(bot: Harness, who: User) -> None:
    await bot.say(who, "/human")
    await bot.press(who, "About feelings")
    await bot.press(who, "No, thank you")
    await bot.press_in_group(ALA, bot.in_group()[-1])


async def test_a_half_minute_outage_delays_the_answer_instead_of_replacing_it(
    bot: Harness,
) -> None:
    zoe = person()
    outage = [TelegramServerError(SendMessage(chat_id=zoe.id, text="x"), "Bad Gateway")] * 7
    bot.session.fail(SendMessage, *outage)
    await bot.say(zoe, "/start")
    assert sum(bot.sleeps.waited) >= 30, "about half a minute of retrying"
    answer = bot.last_to(zoe).text or ""
    assert answer.startswith("Hello, Ales.")
    assert not any((m.text or "").startswith("Something went wrong") for m in bot.to(zoe))


async def test_a_sqlite_database_busy_for_eight_seconds_is_waited_out(
    shipped: Content, database: Path
) -> None:
    """SQLite's one write lock, held by someone else (a backup, a long erase)."""
    bot = Harness(shipped, f"sqlite+aiosqlite:///{database}", limits=Limits())
    zoe = person()
    await bot.say(zoe, "/start")
    locker = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
    # Taken from a thread: the bot's own background notes of /start finish meanwhile.
    await asyncio.to_thread(locker.execute, "BEGIN EXCLUSIVE")
    threading.Timer(8.0, locker.execute, args=("COMMIT",)).start()
    started = time.monotonic()
    await bot.say(zoe, "/menu")
    assert time.monotonic() - started >= 7.5, "it really waited for the lock"
    assert (bot.last_to(zoe).text or "").startswith("What do you need right now?")
    locker.close()
    await bot.close()


async def queue_cards(bot: Harness, count: int, level: Priority) -> None:
    """Cards of other people still waiting for the group's budget (a surge before this one)."""
    transaction = Transaction(create_sessionmaker(bot.engine))
    outbox = Outbox(transaction, bot.sealer, lambda: None)
    lane = group_lane(bot.pseudonyms.of("group", GROUP))
    for i in range(count):
        await outbox.add(
            "card", {"case": 10_000 + i}, sequence=f"earlier:{i}", lane=lane, priority=level
        )
    session = await transaction.session()
    await session.execute(text("update outbox set not_before = '2999-01-01 00:00:00'"))
    await transaction.finish(commit=True)


async def test_when_many_write_the_person_is_told_roughly_when_a_volunteer_sees_it(
    bot: Harness,
) -> None:
    await queue_cards(bot, 40, Priority.CARD)
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "About feelings")
    texts = [m.text or "" for m in bot.to(zoe)]
    asked = next(i for i, t in enumerate(texts) if t.startswith("Thank you. I've asked"))
    busy = texts[asked + 1]
    assert busy.startswith("Very many people are writing to us right now.")
    assert "in about 5 min" in busy, "41 cards, two messages each, 20 a minute"
    assert "Lithuania <b>112</b>" not in busy, "not urgent: no crisis lines"


async def test_an_urgent_request_in_a_long_queue_is_told_where_help_is_now(bot: Harness) -> None:
    await queue_cards(bot, 40, Priority.URGENT)
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    busy = bot.last_to(zoe).text or ""
    assert busy.startswith("Very many people are writing to us right now.")
    assert "Lithuania <b>112</b>" in busy


async def test_urgent_requests_are_not_told_of_a_queue_of_ordinary_ones(bot: Harness) -> None:
    await queue_cards(bot, 40, Priority.CARD)
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    assert not any((m.text or "").startswith("Very many") for m in bot.to(zoe))


async def test_a_phone_number_reaches_the_volunteer_only_after_a_yes(bot: Harness) -> None:
    zoe = person()
    await in_a_case(bot, zoe)
    shared = await bot.share(zoe, contact=Contact(phone_number="+37060000000", first_name="Z"))
    question = bot.last_to(zoe)
    assert (question.text or "").startswith("You're about to send a phone number.")
    assert bot.labels(question) == ["Yes, send it", "No, don't"]
    assert bot.session.sent(CopyMessage) == [], "nothing went yet"
    await bot.press(zoe, "Yes, send it", on=question)
    (copy,) = bot.session.sent(CopyMessage)
    assert (copy.message_id, copy.chat_id, copy.protect_content) == (shared, GROUP, True)


async def test_a_place_stays_with_the_person_after_a_no(bot: Harness) -> None:
    zoe = person()
    await in_a_case(bot, zoe)
    await bot.share(zoe, location=Location(latitude=54.68, longitude=25.27))
    assert (bot.last_to(zoe).text or "").startswith("You're about to send a place on the map.")
    await bot.press(zoe, "No, don't")
    assert bot.session.sent(CopyMessage) == []


async def test_what_a_person_writes_reaches_the_group_protected(bot: Harness) -> None:
    zoe = person()
    await in_a_case(bot, zoe)
    await bot.say(zoe, "hello")
    (copy,) = bot.session.sent(CopyMessage)
    assert copy.protect_content is True, "volunteers cannot forward or save it"


async def test_did_it_help_counts_an_asked_person_once_and_never_a_forgery(
    bot: Harness, database_url: str
) -> None:
    zoe, stranger = person(), person(user_id=5550099)
    await in_a_case(bot, zoe)
    await bot.say(zoe, "/end")
    question = bot.last_to(zoe)
    await bot.press(zoe, "Yes, it helped", on=question)
    await bot.press(zoe, "Yes, it helped", on=question)
    await bot.press_data(stranger, Helped(answer="no", token="forged").pack())
    await bot.press_data(zoe, Helped(answer="no", token="").pack())
    assert await query(database_url, "select answer, count from helped_counts") == [("yes", 1)]


async def test_requests_go_to_the_group_of_their_language(
    shipped: Content, database_url: str
) -> None:
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=BE_GROUP,
        groups=f"{BE_GROUP}@be+ru,{EN_GROUP}@en",
    )
    try:
        await harness.say(person(user_id=1, language_code="en"), "/human")
        await harness.press(person(user_id=1, language_code="en"), "About feelings")
        await harness.say(person(user_id=2, language_code="ru"), "/human")
        await harness.press(person(user_id=2, language_code="ru"), "О чувствах")
        topics = harness.session.sent(CreateForumTopic)
        assert [int(t.chat_id) for t in topics] == [EN_GROUP, BE_GROUP]
    finally:
        await harness.close()


async def test_without_languages_a_request_goes_where_fewest_wait_and_topics_stay_apart(
    shipped: Content, database_url: str
) -> None:
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=BE_GROUP,
        groups=f"{BE_GROUP},{EN_GROUP}",
    )
    harness.session.members.add(ALA.id)
    zoe, ales = person(user_id=1), person(user_id=2)
    try:
        for who in (zoe, ales):
            await harness.say(who, "/human")
            await harness.press(who, "About feelings")
        first, second = harness.session.sent(CreateForumTopic)
        assert [int(first.chat_id), int(second.chat_id)] == [BE_GROUP, EN_GROUP]
        cards = [m for m in harness.session.sent() if int(m.chat_id) == EN_GROUP]
        await harness.press_in_group(ALA, cards[-1])
        await harness.post_in_topic(ALA, 501, "hello from the second group", group=EN_GROUP)
        relayed = harness.session.sent(CopyMessage)
        assert [int(c.chat_id) for c in relayed] == [ales.id], "the right person, not Zoe"
    finally:
        await harness.close()
