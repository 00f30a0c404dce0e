"""Storage of check-ins: the rows while they are on, and the answer counts. Never commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Checkin, CheckinCount


class Checkins:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, person: str) -> Checkin | None:
        return await self._session.get(Checkin, person)

    async def put(self, row: Checkin) -> None:
        self._session.add(row)

    async def stop(self, person: str) -> bool:
        """Delete the person's check-ins, the chat with them; whether there were any."""
        found = await self._session.execute(delete(Checkin).where(Checkin.person == person))
        return bool(found.rowcount)  # type: ignore[attr-defined]

    async def due(self, now: datetime, limit: int) -> list[Checkin]:
        """The ones due by `now`, earliest first; claimed rows are skipped by other instances
        (PostgreSQL), so two instances never send the same one."""
        query = (
            select(Checkin)
            .where(Checkin.due_at <= now)
            .order_by(Checkin.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._session.execute(query)).scalars())

    async def count_on(self) -> int:
        return int((await self._session.execute(select(func.count(Checkin.person)))).scalar_one())

    async def count_answer(self, day: date, answer: str) -> None:
        row = await self._session.get(CheckinCount, (day, answer))
        if row is None:
            self._session.add(CheckinCount(day=day, answer=answer, count=1))
        else:
            row.count += 1

    async def answers(self) -> dict[str, int]:
        found = await self._session.execute(
            select(CheckinCount.answer, func.sum(CheckinCount.count)).group_by(CheckinCount.answer)
        )
        return {str(answer): int(count) for answer, count in found.all()}
