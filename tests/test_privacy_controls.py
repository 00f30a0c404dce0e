"""What a person can do about what exists of them (#6), through the real Dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.methods import CloseForumTopic, DeleteMessages
from aiogram.types import User

from bot.privacy import retention
from bot.privacy.clearing import Clearing
from bot.privacy.messages import MessageLog
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.migrate import upgrade
from bot.storage.models import utcnow
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person
from tests.stored import query, rows, rows_mentioning, stored_bytes


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP)
    harness.session.members.add(ALA.id)
    yield harness
    await harness.close()


def clearing(bot: Harness) -> Clearing:
    found = bot.dispatcher["clearing"]
    assert isinstance(found, Clearing)
    return found


def deleted_in(bot: Harness, chat_id: int) -> list[int]:
    return [
        message_id
        for call in bot.session.sent(DeleteMessages)
        if call.chat_id == chat_id
        for message_id in call.message_ids
    ]


async def clear_the_chat(bot: Harness, who: User) -> None:
    await bot.say(who, "/privacy")
    await bot.press(who, "Clear the chat")
    await bot.press(who, "Clear now")


async def test_clearing_deletes_both_sides_and_leaves_one_neutral_line(bot: Harness) -> None:
    zoe, ales = person(user_id=5550001), person(user_id=5550002)
    mine = [await bot.say(zoe, "/start"), await bot.say(zoe, "hello")]
    await bot.say(ales, "/start")
    mine.append(await bot.say(zoe, "/privacy"))
    await bot.press(zoe, "Clear the chat")
    before = bot.session.message_ids_to(zoe.id)
    await bot.press(zoe, "Clear now")

    assert sorted(deleted_in(bot, zoe.id)) == sorted(mine + before)
    assert deleted_in(bot, ales.id) == [], "nobody else's chat is touched"
    left = bot.session.message_ids_to(zoe.id)[len(before) :]
    assert len(left) == 1, "one line stays"
    assert bot.last_to(zoe).text == "Done. Anything older can be deleted from the chat menu."


async def test_a_second_clearing_deletes_only_what_came_after_the_first(bot: Harness) -> None:
    zoe = person()
    await clear_the_chat(bot, zoe)
    first = set(deleted_in(bot, zoe.id))
    neutral_line = bot.session.message_ids_to(zoe.id)[-1]
    await clear_the_chat(bot, zoe)
    second = set(deleted_in(bot, zoe.id)) - first
    assert neutral_line in second
    assert not first & set(deleted_in(bot, zoe.id)[len(first) :]), "nothing asked twice"


async def test_messages_older_than_48_hours_are_not_asked_to_be_deleted(bot: Harness) -> None:
    zoe = person()
    old = await bot.say(zoe, "/start", at=datetime.now(UTC) - timedelta(hours=49))
    recent = await bot.say(zoe, "/menu", at=datetime.now(UTC) - timedelta(hours=47))
    await clear_the_chat(bot, zoe)
    deleted = deleted_in(bot, zoe.id)
    assert recent in deleted
    assert old not in deleted


async def test_only_numbers_and_times_are_kept_for_clearing_and_not_past_48_hours(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=7395160842)
    await bot.say(zoe, "/start")
    await bot.messages.flush()
    kept = await rows(database_url, "chat_messages")
    assert kept, "the chat's messages are noted"
    assert {row[1] for row in kept} == {bot.pseudonyms.person(zoe.id)}
    assert all(str(zoe.id) not in repr(row) for row in kept)
    await bot.messages.purge(utcnow() + timedelta(hours=48, minutes=1))
    assert await rows(database_url, "chat_messages") == []


async def assert_sealed_chat(bot: Harness, url: str, chat_id: int, *, minutes: int) -> None:
    """Where to write is kept sealed: the id reads back with the key, and only with it."""
    [(sealed, after)] = await query(url, "select chat, after_minutes from auto_clearing")
    assert after == minutes
    assert str(chat_id) not in sealed
    assert bot.sealer.open_chat(sealed) == chat_id


async def test_automatic_clearing_deletes_what_is_older_than_chosen(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=7395160843)
    two_hours_ago = await bot.say(zoe, "/start", at=datetime.now(UTC) - timedelta(hours=2))
    await bot.say(zoe, "/privacy")
    await bot.press(zoe, "Automatic clearing")
    await bot.press(zoe, "After an hour")
    assert bot.last_to(zoe).text.startswith("All right. Messages in this chat will disappear")
    await assert_sealed_chat(bot, database_url, zoe.id, minutes=60)

    await clearing(bot).auto_clear(bot.bot)
    assert deleted_in(bot, zoe.id) == [two_hours_ago], "only what is over an hour old"
    await clearing(bot).auto_clear(bot.bot)
    assert deleted_in(bot, zoe.id) == [two_hours_ago], "nothing asked twice"


async def test_switching_automatic_clearing_off_forgets_where_to_write(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=7395160844)
    await bot.say(zoe, "/privacy")
    await bot.press(zoe, "Automatic clearing")
    await bot.press(zoe, "After a day")
    await assert_sealed_chat(bot, database_url, zoe.id, minutes=24 * 60)
    await bot.say(zoe, "/privacy")
    await bot.press(zoe, "Automatic clearing")
    await bot.press(zoe, "Switch off")
    assert await rows(database_url, "auto_clearing") == []
    await bot.close()
    stored = await stored_bytes(database_url)
    assert str(zoe.id).encode() not in stored


async def test_erase_me_ends_the_case_and_leaves_no_row_under_the_pseudonym(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=7395160845, first_name="Zyxwvutsrq")
    await bot.say(zoe, "/start feelings")
    await bot.say(zoe, "/human")
    await bot.press(zoe, "About feelings")
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.say(zoe, "/privacy")
    await bot.press(zoe, "Automatic clearing")
    await bot.press(zoe, "After 6 hours")
    await bot.membership(zoe, blocked=False)  # a people row exists too

    await bot.say(zoe, "/forget")
    assert bot.last_to(zoe).text.startswith("Erase everything I keep about you?")
    await bot.press(zoe, "Yes, erase")

    assert bot.last_to(zoe).text.startswith("I've erased everything I kept about you.")
    assert bot.in_group()[-1].text == "Чалавек завяршыў размову. Гэтая тэма закрытая."
    assert len(bot.session.sent(CloseForumTopic)) == 1
    await bot.close()
    pseudonym = bot.pseudonyms.person(zoe.id)
    fsm_key = bot.dispatcher.storage.record_key(  # type: ignore[attr-defined]
        bot.storage_key(zoe)
    )
    assert await rows_mentioning(database_url, pseudonym, fsm_key, zoe.id) == []
    cases = await rows(database_url, "cases")
    assert len(cases) == 1, "the closed case stays, with nothing that leads to the person"


async def test_clear_and_erase_leaves_one_neutral_line_and_nothing_stored(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=7395160846)
    await bot.say(zoe, "/start")
    await bot.say(zoe, "/forget")
    before = bot.session.message_ids_to(zoe.id)
    await bot.press(zoe, "Clear the chat and erase")
    assert set(before) <= set(deleted_in(bot, zoe.id))
    assert bot.last_to(zoe).text == "Done. Anything older can be deleted from the chat menu."
    await bot.close()
    pseudonym = bot.pseudonyms.person(zoe.id)
    assert await rows_mentioning(database_url, pseudonym, zoe.id) == []
    assert await rows(database_url, "fsm_records") == []


async def test_old_closed_cases_idle_conversations_and_counts_are_purged(
    bot: Harness, database_url: str
) -> None:
    zoe, ales = person(user_id=5550011), person(user_id=5550012)
    await bot.say(zoe, "/human")
    await bot.press(zoe, "About feelings")
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.say(zoe, "/end")
    await bot.press(zoe, "Yes, it helped")  # a count
    await bot.say(ales, "/start")
    await bot.close()
    sessions = create_sessionmaker(bot.engine)
    assert await rows(database_url, "helped_counts")
    # The case's topic is still in the group: the case waits for it to be deleted first.
    await retention.purge(sessions, utcnow() + timedelta(days=31), 30)
    assert len(await rows(database_url, "cases")) == 1
    await query(database_url, "update cases set thread_id = null")
    assert await retention.purge(sessions, utcnow() + timedelta(days=29), 30) == 0
    await retention.purge(sessions, utcnow() + timedelta(days=31), 30)
    for table in ("cases", "helped_counts", "fsm_records", "people", "auto_clearing"):
        assert await rows(database_url, table) == [], table
    await bot.engine.dispose()


async def test_message_numbers_wait_in_memory_while_the_database_cannot_take_them(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'late.db'}"
    engine = create_engine(url)
    messages = MessageLog(create_sessionmaker(engine))
    messages.note("p", 7, utcnow())
    await asyncio.sleep(0.2)  # the first write fails: there are no tables yet
    await asyncio.to_thread(upgrade, url)
    await messages.flush()
    assert [row[1:3] for row in await rows(url, "chat_messages")] == [("p", 7)]
    await engine.dispose()


async def test_an_erased_person_is_not_in_the_database_files_even_while_the_bot_runs(
    bot: Harness, database_url: str
) -> None:
    """A server can be seized running: the erased rows must not live on in the WAL's older
    frames, nor in the free space of the database's pages."""
    others = [person(user_id=5550100 + i) for i in range(4)]
    zoe = person(user_id=5550199)
    for who in [*others[:2], zoe, *others[2:]]:
        await bot.say(who, "/start")
    await bot.say(zoe, "/forget")
    await bot.press(zoe, "Yes, erase")
    await bot.messages.flush()
    files = await stored_bytes(database_url)
    assert bot.pseudonyms.person(others[0].id).encode() in files, "the search does find rows"
    fsm_key = bot.dispatcher.storage.record_key(  # type: ignore[attr-defined]
        bot.storage_key(zoe)
    )
    for erased in (bot.pseudonyms.person(zoe.id), fsm_key):
        assert erased.encode() not in files


async def test_sqlite_overwrites_what_it_deletes(database: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    async with engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
    await engine.dispose()
