"""The outbox: what the bot must send unprompted, recorded in the transaction of the change that
causes it (a case opened, a volunteer's message to relay). Repositories never commit: the
entry exists exactly when the change does, and the sender sees it once both are committed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.privacy.sealing import Sealer
from bot.storage.models import OutboxEntry, utcnow
from bot.storage.transaction import Transaction
from bot.telegram.pacing import Priority

PERSON_LANE = "person"


def group_lane(group: str) -> str:
    return f"group:{group}"


@dataclass(frozen=True)
class Queued:
    """An entry as it waits, read out of its transaction (the payload still sealed)."""

    id: int
    sequence: str
    lane: str
    priority: int
    kind: str
    payload: str
    attempts: int


@dataclass(frozen=True)
class Job:
    """One entry as the sender hands it to its handler: the payload opened."""

    id: int
    kind: str
    payload: dict[str, Any]
    priority: Priority
    lane: str
    attempts: int


class Outbox:
    def __init__(
        self, transaction: Transaction, sealer: Sealer, on_commit: Callable[[], None]
    ) -> None:
        self._transaction = transaction
        self._sealer = sealer
        self._on_commit = on_commit

    async def add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        sequence: str,
        lane: str,
        priority: Priority,
        replaces: str | None = None,
    ) -> None:
        """Send this once the transaction commits, after what came before in `sequence`.

        `replaces`: an unsent entry with the same key is dropped (only the newest card matters).
        """
        session = await self._transaction.session()
        if replaces is not None:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.replaces == replaces))
        now = utcnow()
        session.add(
            OutboxEntry(
                sequence=sequence,
                priority=int(priority),
                lane=lane,
                kind=kind,
                payload=self._sealer.seal(payload, "outbox"),
                replaces=replaces,
                not_before=now,
                attempts=0,
                created_at=now,
            )
        )
        self._transaction.after_commit(self._on_commit)

    async def hurry(self, sequences: Collection[str], priority: Priority) -> None:
        """What waits in these sequences goes with this priority now (a case became urgent)."""
        session = await self._transaction.session()
        await session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.sequence.in_(sequences), OutboxEntry.priority > int(priority))
            .values(priority=int(priority))
        )

    async def ahead(self, lane: str, priority: Priority, kind: str) -> int:
        """How many entries of `kind` in this lane go before one of this priority added now."""
        session = await self._transaction.session()
        found = await session.execute(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.lane == lane,
                OutboxEntry.kind == kind,
                OutboxEntry.priority <= int(priority),
            )
        )
        return int(found.scalar_one())

    async def pending(self) -> int:
        session = await self._transaction.session()
        return int((await session.execute(select(func.count(OutboxEntry.id)))).scalar_one())

    # -- for the sender ----------------------------------------------------------------------

    async def heads(self, now: datetime, limit: int) -> list[Queued]:
        """The first unsent entry of every sequence that is due, the most urgent first."""
        session = await self._transaction.session()
        first = select(func.min(OutboxEntry.id)).group_by(OutboxEntry.sequence)
        found = await session.execute(
            select(OutboxEntry)
            .where(OutboxEntry.id.in_(first), OutboxEntry.not_before <= now)
            .order_by(OutboxEntry.priority, OutboxEntry.id)
            .limit(limit)
        )
        return [
            Queued(e.id, e.sequence, e.lane, e.priority, e.kind, e.payload, e.attempts)
            for e in found.scalars()
        ]

    async def next_due(self) -> datetime | None:
        session = await self._transaction.session()
        return (await session.execute(select(func.min(OutboxEntry.not_before)))).scalar_one()

    def opened(self, entry: Queued) -> Job:
        return Job(
            id=entry.id,
            kind=entry.kind,
            payload=self._sealer.open(entry.payload, "outbox"),
            priority=Priority(entry.priority),
            lane=entry.lane,
            attempts=entry.attempts,
        )

    async def claim(self, entry_id: int) -> bool:
        """Make this entry ours until the transaction ends, unless another instance is sending
        it or has sent it (PostgreSQL: a row lock, skipped when taken). SQLite has one
        instance, whose sender never starts an entry twice: nothing to claim there."""
        session = await self._transaction.session()
        if session.get_bind().dialect.name == "sqlite":
            return True
        found = await session.execute(
            select(OutboxEntry.id)
            .where(OutboxEntry.id == entry_id)
            .with_for_update(skip_locked=True)
        )
        return found.scalar_one_or_none() is not None

    async def done(self, entry_id: int) -> None:
        session = await self._transaction.session()
        await session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry_id))

    async def later(self, entry_id: int, delay: timedelta) -> None:
        session = await self._transaction.session()
        await session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id == entry_id)
            .values(not_before=utcnow() + delay, attempts=OutboxEntry.attempts + 1)
        )
