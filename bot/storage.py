"""An aiogram FSM storage on SQLAlchemy, keyed by a pseudonym of the chat's ids.

aiogram calls the storage outside our per-update transaction, so each call here is its own
short transaction. Updates of one chat never overlap (ChatLockMiddleware), so there is no race.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import FsmRecord, utcnow
from bot.privacy import Pseudonymizer


class SqlStorage(BaseStorage):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], pseudonyms: Pseudonymizer
    ) -> None:
        self._sessions = sessions
        self._pseudonyms = pseudonyms

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
        async with self._sessions.begin() as session:
            record = await self._record(session, key)
            record.state = value
            record.updated_at = utcnow()

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            record = await session.get(FsmRecord, self.record_key(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions.begin() as session:
            record = await self._record(session, key)
            record.data = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"))
            record.updated_at = utcnow()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as session:
            record = await session.get(FsmRecord, self.record_key(key))
            if record is None:
                return {}
            data = json.loads(record.data)
            return data if isinstance(data, dict) else {}

    async def forget(self, key: StorageKey) -> None:
        async with self._sessions.begin() as session:
            await session.execute(delete(FsmRecord).where(FsmRecord.key == self.record_key(key)))

    async def close(self) -> None:
        return None

    async def _record(self, session: AsyncSession, key: StorageKey) -> FsmRecord:
        record_key = self.record_key(key)
        record = await session.get(FsmRecord, record_key)
        if record is None:
            record = FsmRecord(key=record_key, state=None, data="{}")
            session.add(record)
        return record
