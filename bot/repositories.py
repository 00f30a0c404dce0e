"""Data access for handlers and services. Repositories never commit: the middleware does."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import Person, utcnow


class Transaction:
    """The database transaction of one update, begun when first needed (most updates never do)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessions()
            await self._session.begin()
        return self._session

    async def finish(self, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()


class People:
    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def mark_blocked(self, pseudonym: str) -> None:
        """The person blocked the bot (Telegram answered 403): remember not to write again."""
        session = await self._transaction.session()
        person = await session.get(Person, pseudonym)
        if person is None:
            person = Person(pseudonym=pseudonym)
            session.add(person)
        person.blocked_at = utcnow()
        person.updated_at = utcnow()

    async def mark_active(self, pseudonym: str) -> None:
        """The person wrote to us: a block they had is over."""
        person = await (await self._transaction.session()).get(Person, pseudonym)
        if person is not None and person.blocked_at is not None:
            person.blocked_at = None
            person.updated_at = utcnow()

    async def forget(self, pseudonym: str) -> None:
        session = await self._transaction.session()
        await session.execute(delete(Person).where(Person.pseudonym == pseudonym))
