"""Data access for handlers and services. Repositories never commit: the middleware does."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Person, utcnow


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark_blocked(self, pseudonym: str) -> None:
        """The person blocked the bot (Telegram answered 403): remember not to write again."""
        person = await self._session.get(Person, pseudonym)
        if person is None:
            person = Person(pseudonym=pseudonym)
            self._session.add(person)
        person.blocked_at = utcnow()
        person.updated_at = utcnow()

    async def mark_active(self, pseudonym: str) -> None:
        """The person wrote to us: a block they had is over."""
        person = await self._session.get(Person, pseudonym)
        if person is not None and person.blocked_at is not None:
            person.blocked_at = None
            person.updated_at = utcnow()

    async def is_blocked(self, pseudonym: str) -> bool:
        person = await self._session.get(Person, pseudonym)
        return person is not None and person.blocked_at is not None

    async def forget(self, pseudonym: str) -> None:
        await self._session.execute(delete(Person).where(Person.pseudonym == pseudonym))
