"""Webhook mode: Telegram pushes each update to us, and we answer 200 only once it is handled.

aiogram's aiohttp integration checks Telegram's secret header; what is added here is the promise
the polling mode keeps too: an update is acknowledged only after what it caused is committed
(the outbox holds what must be sent), so a crash makes Telegram deliver it again, and one that
comes again after it was handled (same update_id, recorded for a day) is not handled twice.
One whose handling was committed but never finished (its answer may have been cut off) shows
the person their step again (bot/telegram/middlewares.py).
Telegram sends a chat's next update only after the previous one was acknowledged, so answering
late keeps each person's messages in order, whichever instance gets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.privacy.logs import kind
from bot.storage.updates import AlreadyHandled, HandledUpdates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FINISH_SECONDS = 5.0
"""On stop, how long updates in hand may take to finish (systemd and Docker wait 10 s)."""

HealthCheck = Callable[[], Awaitable[dict[str, object]]]
"""What /healthz reports; raises when the bot cannot do its work."""


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class DurableWebhook(SimpleRequestHandler):
    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, *, secret: str, handled: HandledUpdates
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret)
        self._handled = handled
        self.accepting = True
        self.in_hand = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def close(self) -> None:
        """The bot's session is the composition root's to close, after the sender is done."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            log.warning("webhook.refused reason=secret")  # what it carried is not looked at
            return web.json_response({"ok": False}, status=401)
        if not self.accepting:  # stopping: Telegram delivers it again, to an instance that is up
            return web.json_response({"ok": False}, status=503)
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (ValueError, ValidationError):
            log.warning("webhook.refused reason=malformed")
            return web.json_response({"ok": False}, status=400)
        self.in_hand += 1
        self._idle.clear()
        try:
            status = await self._handle_once(update)
        finally:
            self.in_hand -= 1
            if not self.in_hand:
                self._idle.set()
        return web.json_response({"ok": status == 200}, status=status)

    async def _handle_once(self, update: Update) -> int:
        """200 once handled and recorded; 500 when it could not be (the database away):
        Telegram then delivers it again, and nothing is lost."""
        try:
            if await self._handled.answered(update.update_id):
                log.info("webhook.redelivered_skipped")
                return 200
            await self.dispatcher.feed_update(self.bot, update)
        except AlreadyHandled:
            log.info("webhook.redelivered_skipped")
            return 200
        except Exception as exc:
            log.error("webhook.update_failed error=%s", kind(exc))
            return 500
        try:
            await self._handled.record(update.update_id)
        except Exception as exc:  # handled and committed: a redelivery is caught by its state
            log.error("webhook.not_recorded error=%s", kind(exc))
        return 200

    async def finish(self, seconds: float = FINISH_SECONDS) -> None:
        """Take nothing new; let what is in hand finish for a while."""
        self.accepting = False
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout=seconds)
        if self.in_hand:
            log.warning("webhook.stopped_unfinished updates=%d", self.in_hand)
        log.info("webhook.drained seconds=%.1f", time.monotonic() - started)


def health_endpoint(check: HealthCheck) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def healthz(_: web.Request) -> web.Response:
        try:
            return web.json_response({"ok": True, **(await check())})
        except Exception as exc:
            return web.json_response({"ok": False, "error": kind(exc)}, status=503)

    return healthz


async def serve_webhook(
    handler: DurableWebhook,
    *,
    path: str,
    host: str,
    port: int,
    health: HealthCheck,
    listening: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
) -> None:
    """Serve until `stop`, then drain: new requests get 503 (Telegram retries them elsewhere)
    while those in hand finish."""
    app = web.Application()
    handler.register(app, path=path)
    app.router.add_get("/healthz", health_endpoint(health))
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await listening()
        await stop.wait()
        await handler.finish()
    finally:
        await runner.cleanup()
