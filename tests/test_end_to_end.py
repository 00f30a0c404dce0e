"""The real `volnyja-bot run`, as a process, against the Bot API test double over HTTP."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_content
from tests.end_to_end import BotProcess, data_of, labels, reply_after
from tests.telegram_double import Call, FakeUser, TelegramDouble


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    yield telegram
    await telegram.stop()


@pytest.fixture
async def bot(double: TelegramDouble, tmp_path: Path) -> AsyncIterator[BotProcess]:
    async with BotProcess(double, tmp_path) as process:
        yield process


async def test_a_conversation_survives_the_process_being_killed(
    double: TelegramDouble, bot: BotProcess
) -> None:
    zoe = FakeUser(id=7395160842, first_name="Zyxwvutsrq", username="qqq_unique_handle")

    double.send_text(zoe, "/start")
    welcome = await reply_after(double, zoe, 0)
    assert welcome.text is not None
    assert welcome.text.startswith("Hello, Zyxwvutsrq. I'm a helper of the Volnyja initiative.")
    assert labels(welcome) == ["Next", "Мова / Язык / Language", "Talk to a person", "☰ Menu"]

    query = double.press(zoe, welcome.message_id, data_of(welcome, "Menu"))
    menu = await reply_after(double, zoe, 1)
    assert menu.text is not None
    assert menu.text.startswith("What do you need right now?")
    await double.wait_for(lambda: query in double.callback_answers)
    assert double.message(zoe.id, welcome.message_id).reply_markup is None

    double.press(zoe, menu.message_id, data_of(menu, "How I feel"))
    feelings = await reply_after(double, zoe, 2)
    assert feelings.text is not None
    assert feelings.text.startswith("How are you right now?")

    await bot.kill()
    await bot.start()
    await double.wait_for(lambda: double.pending_updates == 0)
    # Killed before its answer was known to be sent, the last press shows its step again.
    shown = len(double.messages(zoe.id))
    assert shown in (3, 4)

    double.press(zoe, feelings.message_id, data_of(feelings, "Something else"))
    more = await reply_after(double, zoe, shown)
    double.press(zoe, more.message_id, data_of(more, "Hard to say"))
    hard = await reply_after(double, zoe, shown + 1)
    double.press(zoe, hard.message_id, data_of(hard, "Try to name it"))
    name_it = await reply_after(double, zoe, shown + 2)
    assert name_it.text is not None
    assert "<b>It's not saved anywhere" in name_it.text

    double.send_text(zoe, "purple-elephant-secret-words")
    thanks = await reply_after(double, zoe, shown + 3)
    assert thanks.text is not None
    assert thanks.text.startswith("Thank you. Putting a feeling into words")

    assert await bot.stop() == 0
    stored = bot.stored_bytes()
    log = bot.log.read_bytes()
    assert stored, "the conversation was stored"
    assert b"dialog.step" in log, "the log has events"
    for secret in ("7395160842", "Zyxwvutsrq", "qqq_unique_handle", "purple-elephant"):
        assert secret.encode() not in stored, f"{secret} is in the database"
        assert secret.encode() not in log, f"{secret} is in the log"


async def test_sigterm_stops_the_bot_within_seconds(bot: BotProcess) -> None:
    assert await bot.stop(within=10) == 0


async def test_the_command_menu_and_a_neutral_profile_are_set_in_each_language(
    double: TelegramDouble, bot: BotProcess
) -> None:
    await double.wait_for(lambda: len(double.descriptions) >= 4)
    assert double.names == {"be": "Побач", "ru": "Рядом", "en": "Nearby", None: "Побач"}
    assert double.short_descriptions["en"] == "A calm helper for everyday matters."
    assert double.descriptions["ru"].startswith("Спокойный помощник")
    by_language = {c.params.get("language_code"): c for c in double.calls_to("setMyCommands")}
    assert set(by_language) == {"be", "ru", "en", None}
    en = by_language["en"].params["commands"]
    assert [c["command"] for c in en] == ["menu", "back", "help", "language", "human", "privacy"]


async def test_the_profile_is_not_set_again_when_unchanged(
    double: TelegramDouble, bot: BotProcess
) -> None:
    await double.wait_for(lambda: len(double.descriptions) >= 4)
    await bot.stop()
    await bot.start()
    await double.wait_for(lambda: len(double.calls_to("getMyDescription")) >= 8)
    assert len(double.calls_to("setMyName")) == 4, "Telegram allows few of these a day"


async def test_a_flood_wait_is_waited_out_and_the_message_arrives(
    double: TelegramDouble, bot: BotProcess
) -> None:
    ann = FakeUser(id=31337, first_name="Ann")
    double.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    double.send_text(ann, "/start")
    welcome = await reply_after(double, ann, 0)
    assert welcome.text is not None
    assert welcome.text.startswith("Hello, Ann. I'm a helper")
    attempts = sends_to(double, ann)
    assert len(attempts) == 2
    assert attempts[1].at - attempts[0].at >= 1.0


async def test_a_person_who_blocked_the_bot_is_recorded_and_not_retried(
    double: TelegramDouble, bot: BotProcess
) -> None:
    bea = FakeUser(id=4242, first_name="Bea")
    double.send_text(bea, "/start")
    double.block(bea)  # before the bot answers: its reply meets 403
    await double.wait_for(lambda: sends_to(double, bea))
    double.send_text(FakeUser(id=4343, first_name="Cy"), "/start")
    await double.wait_for_messages(4343, 1)
    assert len(sends_to(double, bea)) == 1, "403 is final: no retry"
    assert double.messages(bea.id) == []
    assert await bot.stop() == 0
    with sqlite3.connect(bot.database) as db:
        blocked = db.execute("select count(*) from people where blocked_at is not null")
        assert blocked.fetchone() == (1,)


def sends_to(double: TelegramDouble, user: FakeUser) -> list[Call]:
    return [c for c in double.calls_to("sendMessage") if c.params.get("chat_id") == user.id]


async def test_a_sticker_gets_a_kind_answer(double: TelegramDouble, bot: BotProcess) -> None:
    dan = FakeUser(id=5150, first_name="Dan")
    double.send_text(dan, "/start")
    await reply_after(double, dan, 0)
    double.send_sticker(dan)
    kind = await reply_after(double, dan, 1)
    assert kind.text is not None
    assert kind.text.startswith("For now I understand only buttons and text.")


def test_run_refuses_broken_content_and_says_where(tmp_path: Path) -> None:
    import subprocess

    content = copy_content(tmp_path, "missing_step")
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={
            **os.environ,
            "BOT_TOKEN": "1:A-token-shaped-like-one-from-BotFather",
            "CONTENT_DIR": str(content),
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert f"{content}/flows/intro.yaml:7: flow 'intro' has no step 'secnd'" in run.stderr
    assert not (tmp_path / "data").exists(), "nothing was started"


def test_run_without_a_token_says_where_to_get_one(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "setting BOT_TOKEN: required to run the bot; get one from @BotFather in Telegram "
        "(/newbot) and put BOT_TOKEN=... in .env"
    ]
