"""Updates handled and committed, recorded so that one Telegram hands back after a crash is not
handled twice. Recorded in groups (one commit for all handled at the same moment); purged after
a day, as long as Telegram keeps an update (bot/privacy/retention.py)."""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum
from typing import Any, cast

from sqlalchemy import CursorResult, Insert, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.batching import Batcher
from bot.storage.models import HandledUpdate, utcnow


class HandledUpdates:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._writes: Batcher[int, None, None] = Batcher(self._insert)
        self._reads: Batcher[int, None, bool] = Batcher(self._answered_batch)

    async def record(self, update_id: int) -> None:
        await self._writes.submit(update_id, None)

    async def seen(self, update_ids: Collection[int]) -> set[int]:
        """Which of these were handled to the end (their answers sent)."""
        async with self._sessions() as session:
            found = await session.execute(
                select(HandledUpdate.update_id).where(
                    HandledUpdate.update_id.in_(update_ids), HandledUpdate.answered
                )
            )
            return set(found.scalars())

    async def answered(self, update_id: int) -> bool:
        """Whether this one was handled to the end; asked together with others asking now
        (one query for all the updates Telegram pushes at the same moment)."""
        return await self._reads.submit(update_id, None)

    async def _answered_batch(self, batch: dict[int, None]) -> dict[int, bool]:
        found = await self.seen(list(batch))
        return {update_id: update_id in found for update_id in batch}

    async def close(self) -> None:
        await self._writes.drain()

    async def _insert(self, batch: dict[int, None]) -> dict[int, None]:
        async with self._sessions.begin() as session:
            await mark_handled(session, *batch)
        return dict.fromkeys(batch)


class Progress(Enum):
    NOTHING_COMMITTED = "nothing committed"
    COMMITTED = "committed, its answer perhaps cut off"
    ANSWERED = "handled to the end"


class AlreadyHandled(Exception):
    """This update was handled and committed elsewhere (another instance, before a crash):
    what this handling wrote is rolled back and nothing of it is sent."""


async def how_far(sessions: async_sessionmaker[AsyncSession], update_id: int) -> Progress:
    """How far an earlier handling of this update got."""
    async with sessions() as session:
        found = await session.execute(
            select(HandledUpdate.answered).where(HandledUpdate.update_id == update_id)
        )
        answered = found.scalar_one_or_none()
    if answered is None:
        return Progress.NOTHING_COMMITTED
    return Progress.ANSWERED if answered else Progress.COMMITTED


async def mark_handled(session: AsyncSession, *update_ids: int) -> None:
    """Record these updates as handled to the end, in this session's transaction."""
    rows = [
        {"update_id": update_id, "handled_at": utcnow(), "answered": True}
        for update_id in update_ids
    ]
    table = cast(Table, HandledUpdate.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table)
    await session.execute(
        insert.on_conflict_do_update(index_elements=[table.c.update_id], set_={"answered": True}),
        rows,
    )


async def mark_handled_first(session: AsyncSession, update_id: int) -> None:
    """Record that this update's handling has begun to commit, or raise AlreadyHandled when an
    earlier handling of it committed to the end. One cut off between its commits (a process
    killed) is handled again: what it did before is done again rather than what it did not
    do lost."""
    done = await session.execute(
        _insert_new(session), {"update_id": update_id, "handled_at": utcnow(), "answered": False}
    )
    if cast(CursorResult[Any], done).rowcount == 0:
        answered = await session.execute(
            select(HandledUpdate.answered).where(HandledUpdate.update_id == update_id)
        )
        if answered.scalar_one_or_none():
            raise AlreadyHandled


def _insert_new(session: AsyncSession) -> Insert:
    table = cast(Table, HandledUpdate.__table__)
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
