"""Every Bot API call passes here: paced by Telegram's limits, a 429 waited out by pausing the
chat's lane once, 5xx and network errors retried through an outage of a couple of minutes.

403 (the person blocked the bot) and 400 are final and raised at once: retrying cannot help.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    GetUpdates,
    SetMyDescription,
    SetMyName,
    SetMyShortDescription,
    TelegramMethod,
)
from aiogram.methods.base import Response

from bot.privacy.logs import kind, safe
from bot.telegram.pacing import PRIORITY, Pacer, counts_as_message

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

MAX_FLOOD_WAITS = 10
"""How many 429 answers for one call we wait out before giving up on it (the outbox retries)."""
OUTAGE_SECONDS = 150.0
"""How long 5xx or network errors are retried for one call before it fails."""
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 300.0
"""Seconds; a longer flood wait than this is capped (Telegram's are usually seconds)."""

Sleep = Callable[[float], Awaitable[None]]
UNPACED = (GetUpdates, SetMyName, SetMyDescription, SetMyShortDescription)


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        pacer: Pacer | None = None,
        *,
        base_delay: float = 0.5,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._pacer = pacer if pacer is not None else Pacer(limits=None)
        self._base_delay = base_delay
        self._sleep = sleep

    async def __call__(
        self,
        make_request: Callable[[Bot, TelegramMethod[Any]], Awaitable[Response[Any]]],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if isinstance(method, UNPACED):
            # The polling loop has its own backoff; retrying here would only double it. The
            # profile calls are limited to a few a day: a flood wait there can last hours.
            return await make_request(bot, method)
        name = type(method).__name__
        paced = counts_as_message(name)
        chat = getattr(method, "chat_id", None) if paced else None
        flood_waits = 0
        failures = 0
        waited = 0.0
        while True:
            if paced:
                await self._pacer.acquire(chat, PRIORITY.get())
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                flood_waits += 1
                if flood_waits > MAX_FLOOD_WAITS:
                    raise
                wait = min(float(exc.retry_after), MAX_RETRY_AFTER)
                log.warning("telegram.flood_wait method=%s seconds=%s", safe(name), wait)
                if paced and self._pacer.limits is not None:
                    self._pacer.pause(chat, wait)  # every send to this chat waits, once
                else:
                    await self._sleep(wait)
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                delay = min(self._base_delay * 2 ** (failures - 1), MAX_DELAY)
                if waited + delay > OUTAGE_SECONDS:
                    raise
                waited += delay
                log.warning(
                    "telegram.retry method=%s error=%s attempt=%d delay=%.1f",
                    safe(name),
                    kind(exc),
                    failures,
                    delay,
                )
                await self._sleep(delay)
