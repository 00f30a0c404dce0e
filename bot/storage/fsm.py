"""An aiogram FSM storage on SQLAlchemy, keyed by a pseudonym of the chat's ids.

When the update's transaction has begun (it wrote a case, an outbox entry), a write joins it:
the state and what it caused commit together, before anything is sent (bot/telegram/settle.py),
and SQLite's one write lock is never wanted twice by the same update. Otherwise the storage owns
its writes, group-committed: a write waits until it is committed (a reply never goes out before
the state that led to it is safe), but writes of people answered at the same moment share one
transaction. SQLite has one writer, and a commit per update would cap the bot at a few hundred
updates a second. Reads of conversations not in memory are batched the same way; recent
conversations stay in memory (a bounded cache), so most updates read nothing. Updates of one
chat never overlap (ChatIsolation), so the cache cannot go stale; with several instances, a chat's
copy is dropped whenever its lock is taken (SharedChatIsolation).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Mapping
from functools import partial
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.batching import Batcher
from bot.storage.models import FsmRecord, utcnow
from bot.storage.transaction import update_transaction

CACHED_CONVERSATIONS = 10_000

_Row = tuple[str | None, dict[str, Any]]
_TABLE = cast(Table, FsmRecord.__table__)


class SqlStorage(BaseStorage):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        pseudonyms: Pseudonymizer,
        *,
        cache_size: int = CACHED_CONVERSATIONS,
    ) -> None:
        self._sessions = sessions
        self._pseudonyms = pseudonyms
        self._cache: OrderedDict[str, _Row] = OrderedDict()
        self._cache_size = cache_size
        self._writes: Batcher[str, _Row, None] = Batcher(self._upsert_batch)
        self._reads: Batcher[str, None, _Row] = Batcher(self._select_batch)
        self._lock = asyncio.Lock()

    def record_key(self, key: StorageKey) -> str:
        return self._pseudonyms.of(
            "fsm",
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id,
            key.business_connection_id,
            key.destiny,
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        record_key = self.record_key(key)
        _, data = await self._row(record_key)
        await self._write(record_key, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self.record_key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        record_key = self.record_key(key)
        state, _ = await self._row(record_key)
        # A copy through JSON: what is cached is exactly what a restart would read back.
        await self._write(record_key, (state, json.loads(json.dumps(dict(data)))))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._row(self.record_key(key)))[1])

    async def forget(self, key: StorageKey) -> None:
        record_key = self.record_key(key)
        self._cache.pop(record_key, None)
        self._writes.discard(record_key)
        statement = delete(FsmRecord).where(FsmRecord.key == record_key)
        transaction = update_transaction()
        if transaction is not None and transaction.begun:
            await (await transaction.session()).execute(statement)
            return
        async with self._lock, self._sessions.begin() as session:
            await session.execute(statement)

    def drop_cached(self, key: StorageKey) -> None:
        """Another instance may have moved this conversation on: read it afresh."""
        self._cache.pop(self.record_key(key), None)

    async def close(self) -> None:
        await self._writes.drain()
        self._cache.clear()

    async def _row(self, record_key: str) -> _Row:
        cached = self._cache.get(record_key)
        if cached is not None:
            self._cache.move_to_end(record_key)
            return cached
        row = await self._reads.submit(record_key, None)
        if record_key not in self._cache:  # a write may have landed while we read
            self._remember(record_key, row)
        return self._cache[record_key]

    async def _select_batch(self, batch: dict[str, None]) -> dict[str, _Row]:
        rows: dict[str, _Row] = dict.fromkeys(batch, (None, {}))
        keys = list(batch)
        async with self._sessions() as session:
            for start in range(0, len(keys), 500):
                found = await session.execute(
                    select(FsmRecord.key, FsmRecord.state, FsmRecord.data).where(
                        FsmRecord.key.in_(keys[start : start + 500])
                    )
                )
                for key, state, raw in found:
                    data = json.loads(raw)
                    rows[key] = (state, data if isinstance(data, dict) else {})
        return rows

    def _uncache(self, record_key: str) -> None:
        """A write rolled back: the next read goes to the database."""
        self._cache.pop(record_key, None)

    def _remember(self, record_key: str, row: _Row) -> None:
        self._cache[record_key] = row
        self._cache.move_to_end(record_key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _write(self, record_key: str, row: _Row) -> None:
        """Cache the row; write it in the update's transaction, or wait until the batch holding
        it is committed."""
        self._remember(record_key, row)
        transaction = update_transaction()
        if transaction is not None and transaction.begun:
            transaction.on_rollback(partial(self._uncache, record_key))
            await self._upsert(await transaction.session(), {record_key: row})
            return
        await self._writes.submit(record_key, row)

    async def _upsert_batch(self, batch: dict[str, _Row]) -> dict[str, None]:
        async with self._lock, self._sessions.begin() as session:
            await self._upsert(session, batch)
        return dict.fromkeys(batch)

    @staticmethod
    async def _upsert(session: AsyncSession, batch: dict[str, _Row]) -> None:
        now = utcnow()
        rows = [
            {
                "key": key,
                "state": state,
                "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                "updated_at": now,
            }
            for key, (state, data) in batch.items()
        ]
        dialect = session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(_TABLE)
            statement = insert.on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={
                    "state": insert.excluded.state,
                    "data": insert.excluded.data,
                    "updated_at": insert.excluded.updated_at,
                },
            )
            await session.execute(statement, rows)
            return
        for values in rows:
            await session.merge(FsmRecord(**values))
