"""Who commits, and why: the one page that says it.

- **Per update**: `DatabaseMiddleware` (bot/telegram/middlewares.py) gives every update one
  `Transaction`, begun only when a handler first touches the database, committed when the
  handler returns and rolled back when it raises. Handlers and repositories never commit.
- **Checkpoints**: SQLite has one writer. A handler that wrote and is about to wait on the
  network, or on the conversation storage (which commits on its own, below), calls
  `transaction.checkpoint()` first, so that nobody waits for its write lock meanwhile.
- **The conversation storage** (fsm.py) commits its own writes, grouped: aiogram calls it
  outside our transaction, and a reply must never go out before the state that led to it is safe.
- **Claims**: taking a case commits at once in its own short transaction (`Cases.claim`): of two
  volunteers pressing Take together exactly one must know at once that they won.
- **Chores** (bot/chores.py) run each job in a transaction of its own, committed job by job.
- **Privacy controls** (clearing, erasing) and the message log write in short transactions of
  their own: they must be done when the person is told they are.
- **The outbox** (bot/delivery/) is written in the transaction of the change that causes a
  message; the sender is woken after that commit, and records each delivery (and deletes its
  entry) in a short transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Transaction:
    """The database transaction of one update, begun when first needed (most updates never do)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], None]] = []

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessions()
            await self._session.begin()
        return self._session

    @property
    def begun(self) -> bool:
        """Whether this update has touched the database at all."""
        return self._session is not None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call this once what is written so far is committed (to wake the outbox's sender)."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    async def checkpoint(self) -> None:
        """Commit what is done so far; the update goes on in a new transaction."""
        if self._session is not None:
            await self._session.commit()
            self._committed()

    def _committed(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Whatever was not finished (an error, a task cancelled on stop) is rolled back, and
        the connection goes back to the pool."""
        await self.finish(commit=False)

    async def finish(self, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                await session.commit()
                self._committed()
            else:
                self._after_commit.clear()
                await session.rollback()
        finally:
            await session.close()
