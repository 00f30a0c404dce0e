"""The bot through aiogram's real Dispatcher: what a person sends, what Telegram is asked to do."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, SendMessage, SetMyCommands
from aiogram.types import User

from bot.telegram.middlewares import ChatIsolation
from bot.telegram.startup import set_commands
from dialogs import Content
from tests.bot_harness import Harness, person
from tests.stored import id_forms, query, stored_bytes


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url)
    yield harness
    await harness.close()


async def test_first_start_welcomes_the_person_by_name_escaped(bot: Harness) -> None:
    anna = person(first_name="<Anna & Co>")
    await bot.say(anna, "/start")
    welcome = bot.last_to(anna)
    assert welcome.text.startswith("Hello, &lt;Anna &amp; Co&gt;. I'm a helper")
    assert welcome.parse_mode == "HTML"
    assert bot.labels(welcome) == ["Next", "Мова / Язык / Language", "Talk to a person", "☰ Menu"]


async def test_a_person_whose_language_we_lack_is_asked_first(bot: Harness) -> None:
    hans = person(language_code="de")
    await bot.say(hans, "/start")
    assert bot.labels(bot.last_to(hans))[:3] == ["Беларуская", "Русский", "English"]
    await bot.press(hans, "English")
    assert bot.last_to(hans).text.startswith("Hello, Ales.")


async def test_russian_telegram_gets_russian(bot: Harness) -> None:
    ivan = person(language_code="ru")
    await bot.say(ivan, "/start")
    assert bot.last_to(ivan).text.startswith("Здравствуйте, Ales. Я помощник")


async def test_a_pressed_choice_is_acknowledged_and_loses_its_keyboard(bot: Harness) -> None:
    ales = person()
    await bot.say(ales, "/start")
    await bot.press(ales, "Menu")
    assert len(bot.session.sent(AnswerCallbackQuery)) == 1
    assert bot.session.sent(AnswerCallbackQuery)[0].text is None
    edits = bot.session.sent(EditMessageReplyMarkup)
    assert len(edits) == 1
    assert edits[0].reply_markup is None
    assert bot.last_to(ales).text.startswith("What do you need right now?")


async def test_a_button_from_an_old_message_gets_a_gentle_note_and_the_current_step(
    bot: Harness,
) -> None:
    ales = person()
    await bot.say(ales, "/start")
    welcome = bot.last_to(ales)
    await bot.press(ales, "Menu")
    await bot.press(ales, "Talk to a person", on=welcome)
    answer = bot.session.sent(AnswerCallbackQuery)[-1]
    assert answer.text == "That button is from an older message. Here's where we are now."
    assert bot.last_to(ales).text.startswith("What do you need right now?")


async def test_a_sticker_gets_a_kind_answer_not_silence(bot: Harness) -> None:
    ales = person()
    await bot.say(ales, "/start")
    await bot.sticker(ales)
    texts = [m.text for m in bot.to(ales)[-2:]]
    assert texts[0].startswith("For now I understand only buttons and text.")
    assert texts[1].startswith("Hello, Ales.")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/menu", "What do you need right now?"),
        ("/help", "I'm a helper of the Volnyja initiative. I'm not a person"),
        ("/language", "Choose a language. You can change it at any time"),
        ("/human", "I'll ask a volunteer to write to you here."),
        ("/privacy", "<b>What I keep, and for how long</b>"),
        ("/forget", "Erase everything I keep about you?"),
        ("/start feelings", "How are you right now?"),
    ],
)
async def test_commands_open_what_content_links_them_to(
    bot: Harness, command: str, expected: str
) -> None:
    ales = person()
    await bot.say(ales, "/start")
    await bot.say(ales, command)
    assert bot.last_to(ales).text.startswith(expected)


async def test_back_returns_after_a_command(bot: Harness) -> None:
    ales = person()
    await bot.say(ales, "/start feelings")
    await bot.say(ales, "/privacy")
    await bot.say(ales, "/back")
    assert bot.last_to(ales).text.startswith("How are you right now?")


async def test_typed_words_go_through_triggers_first(bot: Harness) -> None:
    ales = person()
    await bot.say(ales, "/start feelings")
    await bot.say(ales, "I want to talk to a real person")
    assert bot.last_to(ales).text.startswith("I'll ask a volunteer to write to you here.")


async def test_the_conversation_continues_after_a_restart(bot: Harness) -> None:
    ales = person()
    await bot.say(ales, "/start feelings")
    await bot.press(ales, "Something else")
    await bot.press(ales, "Hard to say")
    await bot.press(ales, "Try to name it")
    bot.restart()
    await bot.say(ales, "I cannot sleep")
    assert bot.last_to(ales).text.startswith("Thank you. Putting a feeling into words")


async def test_a_failing_handler_apologises_with_a_way_to_the_menu_and_keeps_running(
    bot: Harness,
) -> None:
    ales = person()
    await bot.say(ales, "/start")
    bot.session.fail(
        SendMessage, TelegramBadRequest(method=SendMessage(chat_id=1, text="x"), message="boom")
    )
    await bot.say(ales, "/menu")
    apology = bot.last_to(ales)
    assert apology.text == "Something went wrong on my side. I'm sorry. You haven't lost anything."
    assert bot.labels(apology) == ["☰ Menu"]
    await bot.press(ales, "Menu")
    assert bot.last_to(ales).text.startswith("What do you need right now?")


async def test_too_many_requests_is_waited_out_and_the_message_arrives(bot: Harness) -> None:
    ales = person()
    method = SendMessage(chat_id=1, text="x")
    bot.session.fail(
        SendMessage,
        TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=3),
        TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=1),
    )
    await bot.say(ales, "/start")
    assert bot.sleeps.waited == [3.0, 1.0]
    assert bot.last_to(ales).text.startswith("Hello, Ales.")


async def test_server_and_network_errors_are_retried_with_backoff(bot: Harness) -> None:
    ales = person()
    method = SendMessage(chat_id=1, text="x")
    bot.session.fail(
        SendMessage,
        TelegramServerError(method=method, message="Bad Gateway"),
        TelegramNetworkError(method=method, message="connection reset"),
        TelegramServerError(method=method, message="Internal Server Error"),
    )
    await bot.say(ales, "/start")
    assert bot.sleeps.waited == [0.5, 1.0, 2.0]
    assert bot.last_to(ales).text.startswith("Hello, Ales.")


async def test_a_person_who_blocked_the_bot_is_recorded_and_not_retried(
    bot: Harness, database_url: str
) -> None:
    ales = person()
    method = SendMessage(chat_id=1, text="x")
    bot.session.fail(SendMessage, TelegramForbiddenError(method=method, message="blocked"))
    await bot.say(ales, "/start")
    assert len(bot.session.sent(SendMessage)) == 1
    assert bot.sleeps.waited == []
    rows = await query(database_url, "select pseudonym, blocked_at from people")
    assert len(rows) == 1
    assert rows[0][0] == bot.pseudonyms.person(ales.id)
    assert rows[0][1] is not None


async def test_the_command_list_is_set_in_every_language(bot: Harness) -> None:
    await set_commands(bot.bot, bot.content)
    calls = {c.language_code: c for c in bot.session.sent(SetMyCommands)}
    assert set(calls) == {"be", "ru", "en", None}
    assert [c.command for c in calls["en"].commands] == [
        "menu",
        "back",
        "help",
        "language",
        "human",
        "privacy",
    ]
    assert calls["ru"].commands[0].description == "Главное меню"
    assert calls[None].commands[0].description == "Галоўнае меню"


async def test_nothing_personal_is_stored_in_the_database(bot: Harness, database_url: str) -> None:
    zyx = person(user_id=7395160842, first_name="Zyxwvutsrq")
    await bot.say(zyx, "/start feelings")
    await bot.press(zyx, "Something else")
    await bot.press(zyx, "Hard to say")
    await bot.press(zyx, "Try to name it")
    await bot.say(zyx, "purple-elephant-secret-words")
    await bot.close()  # notes flushed, connections closed: the files are final
    stored = await stored_bytes(database_url)
    for secret in (*id_forms(7395160842), b"Zyxwvutsrq", b"purple-elephant"):
        assert secret not in stored
    [(stored_conversations,)] = await query(database_url, "select count(*) from fsm_records")
    assert stored_conversations == 1, "the conversation was stored, just nothing personal"


async def test_blocking_and_unblocking_is_recorded_from_telegrams_notice(
    bot: Harness, database_url: str
) -> None:
    ales = person()
    blocked = "select blocked_at is not null from people"
    await bot.membership(ales, blocked=True)
    assert await query(database_url, blocked) == [(True,)]
    await bot.membership(ales, blocked=False)
    assert await query(database_url, blocked) == [(False,)]


async def test_a_sqlite_database_runs_in_wal_mode(shipped: Content, database: Path) -> None:
    bot = Harness(shipped, f"sqlite+aiosqlite:///{database}")
    await bot.say(person(), "/start")
    await bot.close()
    with sqlite3.connect(database) as db:
        assert db.execute("pragma journal_mode").fetchone() == ("wal",)


async def test_a_failure_is_logged_by_kind_and_place_only(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    ales = person(first_name="Secretname")
    await bot.say(ales, "/start")
    boom = TelegramBadRequest(method=SendMessage(chat_id=1, text="x"), message="private words")
    bot.session.fail(SendMessage, boom)
    with caplog.at_level("INFO"):
        await bot.say(ales, "some typed secret")
    failures = [r.getMessage() for r in caplog.records if "update.failed" in r.getMessage()]
    assert failures
    assert failures[0].startswith("update.failed error=TelegramBadRequest at=")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("private words", "some typed secret", "Secretname", str(ales.id)):
        assert secret not in logged


async def test_erase_me_deletes_the_conversation_row(bot: Harness, database_url: str) -> None:
    ales = person()
    await bot.say(ales, "/privacy")
    await bot.press(ales, "Erase my data")
    await bot.press(ales, "Yes, erase")
    assert await query(database_url, "select count(*) from fsm_records") == [(0,)]
    assert await query(database_url, "select count(*) from people") == [(0,)]


async def test_an_update_still_running_when_the_bot_stops_finishes_without_an_error() -> None:
    """Stopping clears the chat locks; the update holding one must not fail on its way out
    (it did once, and the person got "something went wrong" after erasing their data)."""
    isolation = ChatIsolation()
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)
    async with isolation.lock(key):
        await isolation.close()
    assert isolation.active == 0
    async with isolation.lock(key), isolation.lock(StorageKey(bot_id=1, chat_id=3, user_id=3)):
        assert isolation.active == 2
    assert isolation.active == 0


async def test_without_a_volunteers_group_asking_for_a_person_is_answered_honestly(
    bot: Harness,
) -> None:
    """The person must not wait for a volunteer nobody could ask, and is shown where help is."""
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "About feelings")
    told = bot.last_to(zoe).text
    assert told.startswith(
        "I'm sorry: there are no volunteers with this helper right now, so I can't ask one."
    )
    assert "Lithuania <b>112</b>" in told
    assert "try again" not in told


async def test_content_without_handoff_words_keeps_a_set_group_quiet_and_the_person_unharmed(
    small: Content, database_url: str
) -> None:
    """VOLUNTEER_CHAT_ID set, but the content has no handoff section: the bot does not hand
    over, and neither a message in the group nor asking for a person breaks anything."""
    harness = Harness(small, database_url, volunteer_chat_id=-100777)
    try:
        ales = person()
        await harness.post_in_topic(User(id=9001, is_bot=False, first_name="V"), 5, "hello")
        await harness.say(ales, "person")
        texts = [m.text for m in harness.to(ales)]
        assert texts, "the person is answered"
        assert not any("Something went wrong" in t for t in texts)
        assert harness.in_group() == []
    finally:
        await harness.close()
