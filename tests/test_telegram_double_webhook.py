"""The Telegram double in webhook mode: it POSTs updates to the bot as Telegram does.

The bots here are small aiohttp servers that record what reaches them and answer as a test
tells them (a status, a delay, a held answer), and one real aiogram webhook handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.telegram_double import FakeUser, TelegramDouble

ANNA = FakeUser(id=1001, first_name="Anna")
BORIS = FakeUser(id=1002, first_name="Boris")
PEOPLE = [FakeUser(id=2000 + n, first_name=f"P{n}") for n in range(8)]


class FakeBot:
    """A webhook endpoint: records each update it receives and answers as told."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.statuses: deque[int] = deque()
        """Statuses for the next answers (then 200)."""
        self.holds: dict[int, asyncio.Event] = {}
        """update_id -> the answer waits until the event is set."""
        self.slow: set[int] = set()
        """update_ids whose first answer never comes in time."""
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def ids(self) -> list[int]:
        return [int(u["update_id"]) for u in self.received]

    async def _handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        update_id = int(update["update_id"])
        self.received.append(update)
        self.headers.append(dict(request.headers))
        if update_id in self.slow:
            self.slow.discard(update_id)
            await asyncio.sleep(5)
        hold = self.holds.get(update_id)
        if hold is not None:
            await hold.wait()
        status = self.statuses.popleft() if self.statuses else 200
        return web.json_response({}, status=status)


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    server = TelegramDouble(webhook_timeout=0.5, webhook_retry_unit=0.01)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(double: TelegramDouble) -> AsyncIterator[Bot]:
    client = Bot(double.token, session=AiohttpSession(api=TelegramAPIServer.from_base(double.url)))
    yield client
    await client.session.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBot]:
    endpoint = FakeBot()
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


async def warm_up(double: TelegramDouble, fake: FakeBot) -> None:
    """One delivered update: until then Telegram keeps a single connection open."""
    double.send_text(PEOPLE[-1], "warm")
    await double.webhook_idle(5)
    fake.received.clear()


# ------------------------------------------------------------------ setting it


async def test_updates_are_posted_with_the_secret_token(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    assert await bot.set_webhook(f"{fake.url}/hook", secret_token="s3cret_-X")
    double.send_text(ANNA, "hello")
    await double.webhook_idle(5)

    assert [u["message"]["text"] for u in fake.received] == ["hello"]
    assert fake.headers[0]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_-X"
    assert fake.headers[0]["Content-Type"].startswith("application/json")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (
        f"{fake.url}/hook",
        0,
        40,
    )
    assert info.has_custom_certificate is False
    assert info.last_error_date is None
    assert double.deliveries() == [1]


async def test_set_webhook_checks_as_telegram_does(double: TelegramDouble, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces")
    with pytest.raises(TelegramBadRequest, match="secret token is too long"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="a" * 257)
    with pytest.raises(TelegramBadRequest, match="An HTTPS URL must be provided"):
        await bot.set_webhook("http://example.com/hook")
    with pytest.raises(TelegramBadRequest, match="only on ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://example.com:8080/hook")
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.set_webhook("https://example.com/hook", max_connections=500)
    assert (await bot.get_webhook_info()).max_connections == 100


async def test_get_updates_conflicts_until_the_webhook_is_deleted(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    await bot.set_webhook(f"{fake.url}/hook")
    with pytest.raises(TelegramConflictError, match="terminated by setWebhook request"):
        await poll
    with pytest.raises(TelegramConflictError) as refused:
        await bot.get_updates()
    assert refused.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )

    assert await bot.delete_webhook()
    double.send_text(ANNA, "polled")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["polled"]
    assert fake.received == []


# ------------------------------------------------------------------ failures


async def test_a_failed_answer_brings_the_same_update_again_once(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook")
    fake.statuses.append(500)
    double.send_text(ANNA, "again")
    update_id = double.last_update_id
    await double.webhook_idle(5)
    await asyncio.sleep(0.2)

    assert fake.ids == [1, 1]
    assert [a.status for a in double.webhook_attempts] == [500, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    assert update_id == 1


async def test_no_answer_in_time_is_a_failure_too(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook")
    fake.slow.add(1)
    double.send_text(ANNA, "slow")
    await double.webhook_idle(5)

    assert [a.error for a in double.webhook_attempts] == ["Read timeout expired", None]
    assert double.deliveries() == [1]


async def test_retries_back_off_as_telegram_does(fake: FakeBot) -> None:
    double = TelegramDouble(webhook_timeout=0.5, webhook_retry_unit=0.1)
    await double.start()
    bot = Bot(double.token, session=AiohttpSession(api=TelegramAPIServer.from_base(double.url)))
    try:
        await bot.set_webhook(f"{fake.url}/hook")
        fake.statuses.extend([502, 502, 502])
        double.send_text(ANNA, "backoff")
        await double.webhook_idle(5)
    finally:
        await bot.session.close()
        await double.stop()

    attempts = double.webhook_attempts
    assert [a.status for a in attempts] == [502, 502, 502, 200]
    gaps = [b.started - (a.finished or 0) for a, b in itertools.pairwise(attempts)]
    # At once, then 2 and 4 Telegram seconds (0.2 and 0.4 s here).
    assert gaps[0] < 0.15
    assert gaps[1] >= 0.19
    assert gaps[2] >= 0.39


# ------------------------------------------------------------------ ordering


async def test_a_chat_waits_for_its_previous_update_while_others_go(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook")
    await warm_up(double, fake)
    first = asyncio.Event()
    double.send_text(ANNA, "one")
    anna_1 = double.last_update_id
    fake.holds[anna_1] = first
    double.send_text(ANNA, "two")
    anna_2 = double.last_update_id
    double.send_text(BORIS, "hi")
    boris = double.last_update_id

    await double.wait_for(lambda: {anna_1, boris} <= set(fake.ids), timeout=5)
    await asyncio.sleep(0.1)
    assert anna_2 not in fake.ids, "a chat's next update waits for the previous one's answer"
    first.set()
    await double.webhook_idle(5)

    assert fake.ids.index(anna_2) > fake.ids.index(anna_1)
    by_id = {a.update_id: a for a in double.webhook_attempts}
    assert by_id[anna_2].started >= (by_id[anna_1].finished or time.monotonic())


async def test_a_new_webhook_sends_one_update_at_a_time(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook")
    release = asyncio.Event()
    double.send_text(ANNA, "one")
    held = double.last_update_id
    fake.holds[held] = release
    double.send_text(BORIS, "two")
    await double.wait_for(lambda: fake.ids == [held], timeout=5)
    await asyncio.sleep(0.1)
    assert fake.ids == [held], "no success yet: Telegram keeps one connection"
    release.set()
    await double.webhook_idle(5)


# ------------------------------------------------------------------ two instances


async def test_round_robin_over_two_instances_loses_nothing_when_one_dies(
    double: TelegramDouble, bot: Bot
) -> None:
    one, two = FakeBot(), FakeBot()
    await one.start()
    await two.start()
    try:
        await bot.set_webhook("http://127.0.0.1:1/hook")
        double.webhook_targets = [one.url, two.url]
        for person in PEOPLE[:4]:
            double.send_text(person, "before")
        await double.webhook_idle(5)
        assert one.ids, "both instances take updates"
        assert two.ids, "both instances take updates"

        await one.stop()
        for person in PEOPLE[:4]:
            double.send_text(person, "after")
        await double.webhook_idle(5)
    finally:
        await one.stop()
        await two.stop()

    handled = one.ids + two.ids
    assert sorted(handled) == list(range(1, 9)), "every update handled exactly once"
    assert set(range(5, 9)) <= set(two.ids), "the surviving instance got the rest"
    refused = [a for a in double.webhook_attempts if a.error is not None]
    assert refused, "the stopped instance refused some attempts"
    assert all(a.target.startswith(one.url) for a in refused)
    assert all(a.target.endswith("/hook") for a in double.webhook_attempts)


# ------------------------------------------------------------------ filters and deletion


async def test_allowed_updates_filters_what_is_posted(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook", allowed_updates=["edited_message"])
    double.send_text(ANNA, "typo")
    double.edit_text(ANNA, 1, "fixed")
    await double.webhook_idle(5)

    assert [next(k for k in u if k != "update_id") for u in fake.received] == ["edited_message"]
    assert (await bot.get_webhook_info()).allowed_updates == ["edited_message"]


async def test_delete_webhook_can_drop_what_is_pending(
    double: TelegramDouble, bot: Bot, fake: FakeBot
) -> None:
    await bot.set_webhook(f"{fake.url}/hook")
    fake.holds[1] = asyncio.Event()
    double.send_text(ANNA, "stuck")
    await double.wait_for(lambda: fake.ids == [1], timeout=5)
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).pending_update_count == 1, "not acknowledged"
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert await bot.get_updates() == []


# ------------------------------------------------------------------ a real aiogram webhook


async def test_a_real_aiogram_webhook_can_answer_in_its_response(double: TelegramDouble) -> None:
    """aiogram (handle_in_background=False) sends a handler's returned method in the answer."""
    client = Bot(double.token, session=AiohttpSession(api=TelegramAPIServer.from_base(double.url)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> Any:
        return message.answer(f"echo: {message.text}")

    app = web.Application()
    SimpleRequestHandler(
        dispatcher, client, handle_in_background=False, secret_token="tok"
    ).register(app, path="/tg")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        await client.set_webhook(f"http://{host}:{port}/tg", secret_token="tok")
        double.send_text(ANNA, "hi")
        await double.webhook_idle(5)
        sent = await double.wait_for_messages(ANNA.id, 1, timeout=5)
        assert sent[0].text == "echo: hi"
    finally:
        with contextlib.suppress(Exception):
            await client.session.close()
        await runner.cleanup()
