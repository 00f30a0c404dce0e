"""Webhook mode: what Telegram pushes is answered 200 only once it is handled and committed,
only with the secret, and never handled twice; /healthz tells a balancer whether to send here."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import CopyMessage
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.health import Pulse, answers_healthy, healthz_url
from bot.serving import ChoresLate, health_report
from bot.storage.db import create_sessionmaker
from bot.storage.updates import HandledUpdates
from bot.telegram.webhook import SECRET_HEADER, DurableWebhook, health_endpoint
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person
from tests.conftest import ROOT

SECRET = "s3cret-token-of-the-hook"
PATH = "/telegram/hook"


@pytest.fixture
async def bot(shipped: Content, database: Path) -> AsyncIterator[Harness]:
    harness = Harness(shipped, f"sqlite+aiosqlite:///{database}")
    yield harness
    await harness.close()


@pytest.fixture
async def hook(bot: Harness) -> AsyncIterator[tuple[DurableWebhook, TestClient[Any, Any]]]:
    handled = HandledUpdates(create_sessionmaker(bot.engine))
    handler = DurableWebhook(bot.dispatcher, bot.bot, secret=SECRET, handled=handled)
    app = web.Application()
    handler.register(app, path=PATH)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield handler, client
    await client.close()
    await handled.close()


def start_update(update_id: int, text: str = "/start", user_id: int = 5551234) -> dict[str, Any]:
    """What Telegram pushes when a person writes."""
    chat = {"id": user_id, "type": "private", "first_name": "Ales"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ales", "language_code": "en"},
            "text": text,
        },
    }


async def push(client: TestClient[Any, Any], body: dict[str, Any], secret: str = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret else {}
    response = await client.post(PATH, json=body, headers=headers)
    return response.status


async def test_an_update_without_the_secret_is_refused_unread(
    bot: Harness,
    hook: tuple[DurableWebhook, TestClient[Any, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, client = hook
    caplog.set_level(logging.INFO)
    assert await push(client, start_update(1, "I want to die"), secret="") == 401
    assert await push(client, start_update(2, "I want to die"), secret="wrong-secret-123") == 401
    assert bot.to(person()) == []
    assert "webhook.refused reason=secret" in caplog.text
    assert "die" not in caplog.text
    assert "5551234" not in caplog.text


async def test_an_update_is_answered_after_its_reply_is_on_its_way(
    bot: Harness, hook: tuple[DurableWebhook, TestClient[Any, Any]]
) -> None:
    _, client = hook
    assert await push(client, start_update(1)) == 200
    assert bot.last_to(person()).text.startswith("Hello, Ales.")


async def test_a_step_pushed_again_is_shown_again_in_case_its_answer_was_cut_off(
    bot: Harness, hook: tuple[DurableWebhook, TestClient[Any, Any]]
) -> None:
    _, client = hook
    assert await push(client, start_update(7)) == 200
    assert await push(client, start_update(7)) == 200  # Telegram did not hear our 200
    assert len(bot.to(person())) == 1, "answered to the end: not again"
    async with bot.engine.begin() as connection:  # as if the instance died after its commit
        await connection.execute(text("update handled_updates set answered = false"))
    assert await push(client, start_update(7)) == 200
    first, again = bot.to(person())
    assert again.text == first.text
    assert await push(client, start_update(5)) == 200  # older than the step they are on
    assert len(bot.to(person())) == 2


async def test_a_relayed_message_pushed_again_reaches_the_volunteer_once(
    shipped: Content, database: Path
) -> None:
    bot = Harness(shipped, f"sqlite+aiosqlite:///{database}", volunteer_chat_id=GROUP)
    bot.session.members.add(ALA.id)
    handled = HandledUpdates(create_sessionmaker(bot.engine))
    handler = DurableWebhook(bot.dispatcher, bot.bot, secret=SECRET, handled=handled)
    app = web.Application()
    handler.register(app, path=PATH)
    try:
        async with TestClient(TestServer(app)) as client:
            zoe = person()
            await bot.say(zoe, "/human")
            await bot.press(zoe, "About feelings")
            await bot.press_in_group(ALA, bot.in_group()[-1])
            relays = len(bot.session.sent(CopyMessage))
            for _ in range(2):
                assert await push(client, start_update(900, "I could not sleep again")) == 200
                await bot.deliver()
            assert len(bot.session.sent(CopyMessage)) == relays + 1
    finally:
        await handled.close()
        await bot.close()


async def test_a_malformed_body_is_refused_and_nothing_is_said(
    bot: Harness, hook: tuple[DurableWebhook, TestClient[Any, Any]]
) -> None:
    _, client = hook
    response = await client.post(PATH, data=b"{not json", headers={SECRET_HEADER: SECRET})
    assert response.status == 400
    assert bot.to(person()) == []


async def test_stopping_finishes_what_is_in_hand_and_refuses_the_rest(
    bot: Harness, hook: tuple[DurableWebhook, TestClient[Any, Any]]
) -> None:
    handler, client = hook
    telegram_answers = bot.session.hold_next = asyncio.Event()  # the reply waits on Telegram
    in_hand = asyncio.create_task(push(client, start_update(1)))
    await bot.session.held.wait()
    finishing = asyncio.create_task(handler.finish(seconds=5))
    await asyncio.sleep(0.05)
    assert await push(client, start_update(2, user_id=777)) == 503  # Telegram pushes it again
    telegram_answers.set()
    assert await in_hand == 200
    await finishing
    assert bot.last_to(person()).text.startswith("Hello, Ales.")
    assert bot.to(person(777)) == []


async def test_healthz_says_whether_to_send_updates_here(bot: Harness) -> None:
    pulse = Pulse()
    sessions = create_sessionmaker(bot.engine)

    async def report() -> dict[str, object]:
        return await health_report(sessions, pulse, every=30)

    app = web.Application()
    app.router.add_get("/healthz", health_endpoint(report))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["ok"] is True
        pulse.beat = lambda: None  # type: ignore[method-assign]
        pulse._last -= 1000  # the chores loop stopped turning long ago
        response = await client.get("/healthz")
        assert response.status == 503
        assert json.loads(await response.text())["error"] == ChoresLate.__name__


async def test_health_command_asks_the_running_bot(unused_tcp_port: int) -> None:
    async def report() -> dict[str, object]:
        return {}

    app = web.Application()
    app.router.add_get("/healthz", health_endpoint(report))
    runner = web.AppRunner(app)
    await runner.setup()
    url = healthz_url("0.0.0.0", unused_tcp_port)
    assert not await asyncio.to_thread(answers_healthy, url, 2.0)  # nothing listens yet
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        assert await asyncio.to_thread(answers_healthy, url, 2.0)
    finally:
        await runner.cleanup()


async def test_a_stop_that_hangs_still_ends_within_its_deadline(tmp_path: Path) -> None:
    """Whatever a stop waits for, the process goes, and the log says where it hung."""
    script = (
        "import logging, time\n"
        "from bot.serving import _stop_deadline\n"
        "logging.basicConfig()\n"
        "_stop_deadline(0.5)\n"
        "time.sleep(30)  # stuck\n"
    )
    started = asyncio.get_running_loop().time()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert asyncio.get_running_loop().time() - started < 15
    assert process.returncode == 0
    assert b"bot.stop_forced" in err
    assert b'File "<string>", line 5' in err, "where it hung, as file:line"
