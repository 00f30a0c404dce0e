"""Nothing grows without bound: what is older than RETENTION_DAYS is purged.

A seized server should hold as little as possible: a conversation nobody continued, a blocked
mark, a closed case's timings and the "did it help" and check-in counts all go after the same
number of days.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import wipe_journal
from bot.storage.models import (
    AutoClearing,
    Case,
    CaseStatus,
    Checkin,
    CheckinCount,
    FsmRecord,
    HandledUpdate,
    HelpedCount,
    Person,
)

log = logging.getLogger(__name__)


async def purge(sessions: async_sessionmaker[AsyncSession], now: datetime, days: int) -> int:
    """Delete what is older than `days`; the number of rows deleted."""
    cutoff = now - timedelta(days=days)
    statements = (
        delete(FsmRecord).where(FsmRecord.updated_at < cutoff),
        delete(Person).where(Person.updated_at < cutoff),
        # A closed case goes once its topic is gone from the volunteers' group too.
        delete(Case).where(
            Case.status == CaseStatus.CLOSED, Case.closed_at < cutoff, Case.thread_id.is_(None)
        ),
        delete(HelpedCount).where(HelpedCount.day < cutoff.date()),
        delete(CheckinCount).where(CheckinCount.day < cutoff.date()),
        # A check-in is deleted when stopped or done; one left due for longer (never sent,
        # never moved on) goes like the rest.
        delete(Checkin).where(Checkin.due_at < cutoff),
        delete(AutoClearing).where(AutoClearing.updated_at < cutoff),
        # Updates are recognised for as long as Telegram may hand one back: a day.
        delete(HandledUpdate).where(HandledUpdate.handled_at < now - timedelta(days=1)),
    )
    purged = 0
    async with sessions.begin() as session:
        for statement in statements:
            result = await session.execute(statement)
            purged += int(result.rowcount or 0)  # type: ignore[attr-defined]
    if purged:
        log.info("retention.purged rows=%s", purged)
        await wipe_journal(sessions)  # not left behind in the WAL or the files either
    return purged
