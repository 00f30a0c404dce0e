"""Several instances on one PostgreSQL: who handles a chat now, who does the chores.

PostgreSQL's advisory locks, held by one connection of each instance (session-level): when an
instance dies its connection closes and the server lets go of everything it held, so another
instance takes over without anyone cleaning up. On SQLite there is one instance, and the
in-process lock is all there is.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.privacy.logs import kind

log = logging.getLogger(__name__)

CHATS = 0x566F6C01
"""The two-number advisory lock keys: (CHATS, a keyed hash of the chat) and (CHORES, 0)."""
CHORES = 0x566F6C02
FIRST_WAIT = 0.005
LONGEST_WAIT = 0.1
"""How often a lock held by another instance is tried again (an update there takes ms)."""


class SharedLocks:
    """Advisory locks on one connection of this instance; its queries take turns."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        self.generation = 0
        """Counts connections: a new one means every lock held before is gone."""

    async def _ask(self, query: str, space: int, key: int) -> bool:
        async with self._turn:
            try:
                if self._connection is None:
                    connection = await self._engine.connect()
                    self._connection = await connection.execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                    self.generation += 1
                found = await self._connection.execute(text(query), {"s": space, "k": key})
                return bool(found.scalar_one())
            except Exception:
                await self._drop()
                raise

    async def _drop(self) -> None:
        """Closed, or broken: either way the server lets go of this instance's locks."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        for finish in (connection.invalidate, connection.close):
            try:
                await finish()
            except Exception as exc:  # a broken connection may fail to say goodbye
                log.debug("locks.drop_failed error=%s", kind(exc))

    async def try_lock(self, space: int, key: int) -> bool:
        return await self._ask("select pg_try_advisory_lock(:s, :k)", space, key)

    async def holds(self, space: int, key: int) -> bool:
        """Whether this instance's connection holds the lock (it may have been lost)."""
        return await self._ask(
            "select exists(select 1 from pg_locks where locktype = 'advisory' and granted"
            " and pid = pg_backend_pid() and classid = :s and objid = :k and objsubid = 2)",
            space,
            key,
        )

    async def unlock(self, space: int, key: int) -> None:
        await self._ask("select pg_advisory_unlock(:s, :k)", space, key)

    async def wait_for(self, space: int, key: int) -> int:
        """Take the lock, waiting for another instance to let go of it; returns the generation
        it was taken in (an unlock after a reconnection has nothing to unlock)."""
        pause = FIRST_WAIT
        while not await self.try_lock(space, key):
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_WAIT)
        return self.generation

    async def close(self) -> None:
        """Let go of every lock: the connection is closed for real, not handed back to the
        pool (where it would keep them)."""
        async with self._turn:
            await self._drop()


class ChoresLeader:
    """The instance that does the chores: the one holding the chores' lock. Asked before each
    round; an instance that died let go of it, and the next to ask takes over."""

    def __init__(self, locks: SharedLocks) -> None:
        self._locks = locks
        self._held_in: int | None = None

    async def leading(self) -> bool:
        try:
            if self._held_in is not None and await self._locks.holds(CHORES, 0):
                return True
            self._held_in = None
            if await self._locks.try_lock(CHORES, 0):
                self._held_in = self._locks.generation
                log.info("chores.leading")
        except Exception as exc:  # the connection is gone, and the lock with it
            log.warning("chores.leader_unknown error=%s", kind(exc))
            self._held_in = None
        return self._held_in is not None
