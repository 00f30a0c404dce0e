"""The bot's own chores, every 30 seconds: the handoff's jobs, check-ins that are due,
automatic clearing, retention.

Each is on its own: one failing does not stop the others, and the next round tries again. A
round whose check-ins ran out of time (many due at once) is followed by the next at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins.service import CheckinService
from bot.handoff.chores import HandoffChores
from bot.health import Pulse
from bot.privacy import retention
from bot.privacy.clearing import Clearing
from bot.privacy.logs import kind
from bot.storage.models import utcnow
from bot.storage.transaction import Transaction

log = logging.getLogger(__name__)

EVERY_SECONDS = 30


async def round_of_chores(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clearing: Clearing,
    handoff: HandoffChores | None,
    retention_days: int,
    checkins: CheckinService | None = None,
) -> bool:
    """One round; whether the next should come at once (check-ins are still due)."""
    again = False
    if handoff is not None:
        # Remind volunteers of cases nobody took, tell people who waited long, delete the
        # topics of cases that ended long enough ago: each in its own transaction, so that
        # what one wrote is committed before the next talks to Telegram (SQLite has one
        # writer, and people's conversations are saved meanwhile).
        for chore in (handoff.remind, handoff.tell_long_waits, handoff.delete_old_topics):
            async with Transaction(sessions) as transaction:
                try:
                    await chore(bot, transaction, utcnow())
                except Exception as exc:
                    await transaction.finish(commit=False)
                    log.error("handoff.chore_failed error=%s", kind(exc))
                else:
                    await transaction.finish(commit=True)
    if checkins is not None:
        try:
            again = (await checkins.send_due(bot)).more
        except Exception as exc:
            log.error("checkins.round_failed error=%s", kind(exc))
    try:
        await clearing.auto_clear(bot)
    except Exception as exc:
        log.error("clearing.round_failed error=%s", kind(exc))
    try:
        await retention.purge(sessions, utcnow(), retention_days)
    except Exception as exc:
        log.error("retention.round_failed error=%s", kind(exc))
    return again


async def chores_forever(
    one_round: Callable[[], Awaitable[bool]],
    *,
    every: float = EVERY_SECONDS,
    leading: Callable[[], Awaitable[bool]] | None = None,
    pulse: Pulse | None = None,
) -> None:
    """A round every `every` seconds, on the instance `leading` says (all of them: the one);
    at once after a round that says more is waiting."""
    pause = every
    while True:
        await asyncio.sleep(pause)
        if pulse is not None:
            pulse.beat()
        again = False
        if leading is None or await leading():
            log.debug("chores.round")
            again = await one_round()
        pause = 0.0 if again else every
