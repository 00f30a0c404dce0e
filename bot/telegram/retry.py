"""Every Bot API call goes through here: 429 is waited out, 5xx and network errors are retried.

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

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

MAX_FLOOD_WAITS = 10
"""How many 429 answers in a row we wait out before giving up on one call."""
MAX_RETRIES = 5
MAX_RETRY_AFTER = 300.0
"""Seconds; a longer flood wait than this is capped (Telegram's are usually seconds)."""

Sleep = Callable[[float], Awaitable[None]]


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(self, *, base_delay: float = 0.5, sleep: Sleep = asyncio.sleep) -> None:
        self._base_delay = base_delay
        self._sleep = sleep

    async def __call__(
        self,
        make_request: Callable[[Bot, TelegramMethod[Any]], Awaitable[Response[Any]]],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if isinstance(method, GetUpdates | SetMyName | SetMyDescription | SetMyShortDescription):
            # The polling loop has its own backoff; retrying here would only double it. The
            # profile calls are limited to a few a day: a flood wait there can last hours.
            return await make_request(bot, method)
        flood_waits = 0
        failures = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                flood_waits += 1
                if flood_waits > MAX_FLOOD_WAITS:
                    raise
                wait = min(float(exc.retry_after), MAX_RETRY_AFTER)
                log.warning(
                    "telegram.flood_wait method=%s seconds=%s", safe(method.__api_method__), wait
                )
                await self._sleep(wait)
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                if failures > MAX_RETRIES:
                    raise
                delay = self._base_delay * 2 ** (failures - 1)
                log.warning(
                    "telegram.retry method=%s error=%s attempt=%d delay=%.1f",
                    safe(method.__api_method__),
                    kind(exc),
                    failures,
                    delay,
                )
                await self._sleep(delay)
