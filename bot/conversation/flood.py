"""Anti-flood: a person sending many messages at once is slowed down gently.

Each person has a small allowance of messages (BURST) that refills at RATE a second. Beyond
it, a message for a volunteer, or one with words of crisis, waits its turn (it is never
dropped); any other message is skipped, and the person is told once in a while, kindly, to
write again in a moment.

One person cannot starve others: their messages wait on their own chat's lock (ChatIsolation)
and skipped ones cost nothing but this check. Allowances live in memory, keyed by pseudonym.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from bot.telegram import send
from bot.telegram.turn import TURN_KEY, Handler, Turn

if TYPE_CHECKING:
    from bot.conversation.conversations import Conversations


log = logging.getLogger(__name__)

BURST = 10
"""Messages a person may send at once before being slowed down (an album is up to 10)."""
RATE = 1.0
"""Messages a second the allowance refills by (Telegram lets a bot answer about one a second)."""
TOLD_EVERY_SECONDS = 30.0
"""The "too fast" notice is said at most this often to one person."""
REMEMBERED = 10_000
"""Allowances kept in memory before full (idle) ones are dropped."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
IsTalking = Callable[["Turn"], Awaitable[bool]]
Alarm = Callable[[str], str | None]
"""The reason a text sounds like crisis, or None (dialogs.Content.alarm)."""


@dataclass
class Allowance:
    tokens: float
    at: float
    told_at: float | None = None


class FloodControl(BaseMiddleware):
    def __init__(
        self,
        is_talking: IsTalking,
        alarm: Alarm,
        *,
        burst: int = BURST,
        rate: float = RATE,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._is_talking = is_talking
        self._alarm = alarm
        self._burst = burst
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._allowances: dict[str, Allowance] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        turn: Turn | None = data.get(TURN_KEY)
        if turn is None or not isinstance(event, Message):
            return await handler(event, data)
        allowance = self._refilled(turn.pseudonym)
        if allowance.tokens >= 1:
            allowance.tokens -= 1
            return await handler(event, data)
        if await self._is_talking(turn) or self._alarm(event.text or event.caption or ""):
            # For a volunteer, or words of crisis (heard before anything is skipped): wait for
            # the allowance to refill, then pass it on.
            await self._sleep((1 - allowance.tokens) / self._rate)
            allowance = self._refilled(turn.pseudonym)
            allowance.tokens = max(allowance.tokens - 1, 0.0)
            return await handler(event, data)
        await self._skip(turn, allowance, data["conversations"])
        return None

    def _refilled(self, person: str) -> Allowance:
        now = self._clock()
        allowance = self._allowances.get(person)
        if allowance is None:
            if len(self._allowances) >= REMEMBERED:
                self._forget_full(now)
            allowance = self._allowances[person] = Allowance(tokens=float(self._burst), at=now)
            return allowance
        allowance.tokens = min(self._burst, allowance.tokens + (now - allowance.at) * self._rate)
        allowance.at = now
        return allowance

    def _forget_full(self, now: float) -> None:
        full = [
            person
            for person, a in self._allowances.items()
            if a.tokens + (now - a.at) * self._rate >= self._burst
        ]
        for person in full:
            del self._allowances[person]

    async def _skip(self, turn: Turn, allowance: Allowance, conversations: Conversations) -> None:
        now = self._clock()
        log.info("flood.skipped person=%s", turn.pseudonym)
        if allowance.told_at is not None and now - allowance.told_at < TOLD_EVERY_SECONDS:
            return
        allowance.told_at = now
        locale = await conversations.locale_of(turn.fsm, turn.language_code)
        content = conversations.content
        text = content.renderer.text(content.system.messages["too_fast"], locale)
        await send.tell(turn.bot, turn.chat_id, text)
