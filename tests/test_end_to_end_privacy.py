"""Privacy end to end (#6): the real `volnyja-bot run`, a person with a unique name, username,
id and words going through flows, a volunteer, clearing the chat and erasing everything; then
a search of the database files, the log and every other chat for any of it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.fsm import SqlStorage
from tests.conftest import id_forms, rows_mentioning
from tests.end_to_end import BotProcess, data_of, press, said
from tests.telegram_double import FakeUser, TelegramDouble

GROUP = -1009876543210
ALA = FakeUser(id=9001, first_name="Alaksandra", username="ala_v")
ZOE = FakeUser(id=7395160877, first_name="Qwyxzvbnmk", username="zz_unique_handle_q")
ALES = FakeUser(id=5550031, first_name="Ales")
TYPED = "violet-giraffe-private-words"
TWO_DAYS = 49 * 3600
NEUTRAL_LINE = "Done. Anything older can be deleted from the chat menu."


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    telegram.add_group(GROUP, "Volunteers", is_forum=True, members={ALA.id: "member"})
    yield telegram
    await telegram.stop()


@pytest.fixture
async def bot(double: TelegramDouble, tmp_path: Path) -> AsyncIterator[BotProcess]:
    async with BotProcess(double, tmp_path, VOLUNTEER_CHAT_ID=str(GROUP)) as process:
        yield process


async def test_a_person_leaves_nothing_behind_but_what_the_readme_says(
    double: TelegramDouble, bot: BotProcess
) -> None:
    # Two days ago Zoe started the bot: Telegram no longer lets anyone but her delete that.
    double.clock_offset = -TWO_DAYS
    double.send_text(ZOE, "/start")
    await double.wait_for_messages(ZOE.id, 1)
    double.clock_offset = 0
    old = {m.message_id for m in double.all_messages(ZOE.id)}

    double.send_text(ALES, "/start")
    await double.wait_for_messages(ALES.id, 1)

    # Flows, and words of her own.
    double.send_text(ZOE, "/start feelings")
    feelings = await said(double, ZOE, "How are you")
    double.send_text(ZOE, TYPED)
    await said(double, ZOE, "I'm a helper with prepared answers")
    assert feelings.reply_markup

    # A volunteer.
    double.send_text(ZOE, "/human")
    topic = await said(double, ZOE, "I'll ask a volunteer to write to you here")
    press(double, ZOE, topic, "About feelings")
    share = await said(double, ZOE, "May I show the volunteer")
    press(double, ZOE, share, "No, thank you")
    card = (await double.wait_for(lambda: double.messages(GROUP)))[-1]
    double.press_in_group(GROUP, ALA, card.message_id, data_of(card, "Узяць"))
    await said(double, ZOE, "A volunteer is here now.")
    (thread,) = double.topics[GROUP]
    double.send_text(ZOE, f"{TYPED} to the volunteer")
    await double.wait_for(
        lambda: any(TYPED in (m.text or "") for m in double.thread_messages(GROUP, thread))
    )
    double.post_in_topic(GROUP, ALA, thread, "I am here.")
    await double.wait_for(lambda: double.last_message(ZOE.id).text == "I am here.")
    running = bot.stored_bytes()  # a copy of the running server's files, WAL included
    assert running, "the bot keeps a database"
    for form in id_forms(ZOE.id):
        assert form not in running, f"an open case keeps her id readable, as {form!r}"

    # Clear the chat.
    double.send_text(ZOE, "/privacy")
    overview = await said(double, ZOE, "<b>What I keep")
    press(double, ZOE, overview, "Clear the chat")
    confirm = await said(double, ZOE, "I'll delete my messages and yours")
    press(double, ZOE, confirm, "Clear now")
    neutral = await said(double, ZOE, NEUTRAL_LINE)

    in_chat = double.all_messages(ZOE.id)
    kept = [m.message_id for m in in_chat if not m.deleted]
    assert sorted(kept) == sorted(old | {neutral.message_id}), (
        "exactly the last 48 hours are deleted, both sides, the one neutral line stays"
    )
    assert not any(m.deleted for m in double.all_messages(ALES.id)), "no other chat is touched"
    assert not any(m.deleted for m in double.all_messages(GROUP))

    # Erase everything.
    double.send_text(ZOE, "/forget")
    asked = await said(double, ZOE, "Erase everything I keep about you?")
    press(double, ZOE, asked, "Yes, erase")
    await said(double, ZOE, "I've erased everything I kept about you.")
    await double.wait_for(lambda: double.topics[GROUP][thread]["closed"])
    assert double.thread_messages(GROUP, thread)[-1].text == (
        "Чалавек завяршыў размову. Гэтая тэма закрытая."
    ), "the volunteer is told the person left"

    assert await bot.stop() == 0
    assert not (double.messages(ZOE.id)[-1].text or "").startswith("Something went wrong")

    secrets = [str(ZOE.id), ZOE.first_name, str(ZOE.username), TYPED]
    stored = bot.stored_bytes()
    log = bot.log.read_bytes()
    for secret in secrets:
        assert secret.encode() not in stored, f"{secret} is in the database files"
        assert secret.encode() not in log, f"{secret} is in the log"
    for form in id_forms(ZOE.id):
        assert form not in stored, f"her id is in the database files as {form!r}"

    elsewhere = json.dumps(
        [double.message_json(GROUP, m.message_id) for m in double.all_messages(GROUP)]
        + [t["name"] for t in double.topics[GROUP].values()]
        + [double.message_json(ALES.id, m.message_id) for m in double.all_messages(ALES.id)],
        ensure_ascii=False,
    )
    for secret in secrets[:3]:
        assert secret not in elsewhere, f"{secret} reached another chat"
    assert TYPED not in json.dumps(
        [double.message_json(ALES.id, m.message_id) for m in double.all_messages(ALES.id)]
    )

    pseudonyms = Pseudonymizer(b"end-to-end test key")
    fsm_key = SqlStorage(cast(Any, None), pseudonyms).record_key(
        StorageKey(bot_id=double.bot_id, chat_id=ZOE.id, user_id=ZOE.id)
    )
    under_her = [pseudonyms.person(ZOE.id), fsm_key]
    assert rows_mentioning(bot.database, *under_her) == [], "erase me left a row"
    assert all(p.encode() not in stored for p in under_her)
    with sqlite3.connect(bot.database) as db:
        cases = db.execute("select person, chat, status from cases").fetchall()
    assert cases == [(None, None, "closed")], "a closed case keeps nothing that leads to her"
