"""Who commits, and why: the one page that says it.

- **Per update**: `DatabaseMiddleware` (bot/telegram/middlewares.py) gives every update one
  `Transaction`, begun only when a handler first touches the database, committed when the
  handler returns and rolled back when it raises. Handlers and repositories never commit.
- **Never across Telegram**: SQLite has one writer, and Telegram can make a call wait for
  seconds (the pacer, a 429, an outage). So before any Bot API call made while an update's
  transaction holds writes, that transaction is committed (`SettleFirst`,
  bot/telegram/settle.py): nobody waits for its write lock meanwhile, and nothing is said before
  what caused it is safe. The update is recorded in its first commit and marked handled to
  the end in its last (bot/storage/updates.py): one that Telegram hands back after a crash is
  skipped if it was handled to the end, and handled again if it was cut off between two
  commits (what it did before is done again rather than what it did not do lost). A
  person's step saved before a cut is taken again from where it started, or, if what it
  caused was committed, shown again (bot/telegram/middlewares.py). A handler may also call
  `transaction.checkpoint()` itself.
- **The conversation storage** (fsm.py) writes into the update's transaction when that has
  begun (one commit for the state, the outbox and the handled mark); otherwise it commits its
  own writes, grouped, before the reply goes out.
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

from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

FirstCommit = Callable[[AsyncSession], Awaitable[None]]

_UPDATE_TRANSACTION: ContextVar[Transaction | None] = ContextVar("update_transaction", default=None)


def update_transaction() -> Transaction | None:
    """The transaction of the update being handled in this task, if any."""
    return _UPDATE_TRANSACTION.get()


class Transaction:
    """The database transaction of one update, begun when first needed (most updates never do)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, first_commit: FirstCommit | None = None
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []
        self._first_commit = first_commit

    def bind(self) -> Callable[[], None]:
        """Make this the update's transaction for the current task; call the result to undo."""
        token = _UPDATE_TRANSACTION.set(self)
        return lambda: _UPDATE_TRANSACTION.reset(token)

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

    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Call this if what is written so far is rolled back (to forget a cached copy)."""
        self._on_rollback.append(callback)

    async def checkpoint(self) -> None:
        """Commit what is done so far; the update goes on in a new transaction."""
        if self._session is not None:
            await self._commit(self._session)

    async def _commit(self, session: AsyncSession, last: FirstCommit | None = None) -> None:
        first, self._first_commit = self._first_commit, None
        if first is not None:
            await first(session)
        if last is not None:
            await last(session)
        await session.commit()
        self._on_rollback.clear()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Whatever was not finished (an error, a task cancelled on stop) is rolled back, and
        the connection goes back to the pool."""
        await self.finish(commit=False)

    async def finish(self, *, commit: bool, last: FirstCommit | None = None) -> None:
        """`last`: written with the final commit (that the update was handled to the end)."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                await self._commit(session, last)
                return
            await session.rollback()
        except BaseException:
            self._rolled_back()
            raise
        finally:
            await session.close()
        self._rolled_back()

    def _rolled_back(self) -> None:
        self._after_commit.clear()
        undo, self._on_rollback = self._on_rollback, []
        for callback in undo:
            callback()
