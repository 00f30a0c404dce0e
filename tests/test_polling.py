"""Polling confirms an update to Telegram only once it is handled: while the answer to a message is
still on its way, Telegram keeps the update, so a crash then would hand it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs import Content
from tests.live_bot import LiveBot
from tests.telegram_double import FakeUser, TelegramDouble

ZOE = FakeUser(id=7395160842, first_name="Zoe")


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    yield telegram
    await telegram.stop()


def offsets(double: TelegramDouble) -> list[int]:
    return [int(c.params.get("offset") or 0) for c in double.calls_to("getUpdates")]


async def test_an_update_is_confirmed_only_after_its_answer_went_out(
    double: TelegramDouble, shipped: Content, tmp_path: Path
) -> None:
    async with LiveBot(double, tmp_path / "bot.db", shipped, limits=None):
        release = double.hold("sendMessage", ZOE.id)
        update_id = double.send_text(ZOE, "/start")
        await double.wait_for(lambda: len(double.calls_to("sendMessage")) == 1)
        polls = len(offsets(double))
        await double.wait_for(lambda: len(offsets(double)) > polls + 2)
        assert max(offsets(double)) <= update_id, "not confirmed while its answer is held"
        assert double.pending_updates == 1
        release.set()
        await double.wait_for(lambda: max(offsets(double)) > update_id)
        assert double.pending_updates == 0
        assert (double.last_message(ZOE.id).text or "").startswith("Hello, Zoe.")


async def test_updates_handled_before_a_restart_are_not_handled_again(
    double: TelegramDouble, shipped: Content, tmp_path: Path
) -> None:
    database = tmp_path / "bot.db"
    async with LiveBot(double, database, shipped, limits=None):
        double.send_text(ZOE, "/start")
        await double.wait_for(lambda: double.messages(ZOE.id))
    answered = len(double.messages(ZOE.id))
    # Telegram hands the update back, as after a crash before the confirmation reached it.
    assert double.requeue_confirmed() == 1
    async with LiveBot(double, database, shipped, limits=None):
        await double.wait_for(lambda: double.pending_updates == 0)
        assert len(double.messages(ZOE.id)) == answered, "the same /start is not answered twice"
