"""SQLite's writers, one at a time and in turn.

SQLite lets one connection write at a time. A connection that finds the lock taken polls for it,
sleeping up to a tenth of a second between looks, so under a surge an unlucky writer can keep
missing its turn while others come and go, and give up after the busy timeout (measured at 300
people asking at once: a few writes in a thousand waited 15 s while no write held the lock for
half a second). So the writers of this process queue here, first come first served, and only
the first in the queue asks SQLite. Other processes (a backup, `volnyja-bot erase`) are still
waited for by SQLite's own busy timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterQueue:
    def __init__(self, patience: float) -> None:
        self._patience = patience
        self._lock = asyncio.Lock()  # fair: waiters are served in the order they came
        self._holder: tuple[int, int] | None = None
        """The writing connection: its SQLAlchemy Connection and its driver connection (ids)."""

    def attach(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before_execute)
        event.listen(sync, "commit", self._ended)
        event.listen(sync, "rollback", self._ended)
        for name in ("reset", "checkin", "close", "invalidate"):
            event.listen(sync.pool, name, self._returned)

    def _before_execute(self, connection: Any, *args: Any) -> None:
        statement: str = args[1]
        if not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        if self._holder is not None and self._holder[0] == id(connection):
            return
        holder = (id(connection), id(connection.connection.dbapi_connection))
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), self._patience))
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        self._holder = holder

    def _ended(self, connection: Any) -> None:
        # Only the Connection's id: one invalidated by a cancel cannot be asked for its driver.
        if self._holder is not None and self._holder[0] == id(connection):
            self._release()

    def _returned(self, dbapi_connection: Any, *args: Any) -> None:
        if self._holder is not None and self._holder[1] == id(dbapi_connection):
            self._release()

    def _release(self) -> None:
        self._holder = None
        self._lock.release()
