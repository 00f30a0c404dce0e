"""Clearing a person's chat: at once when they ask, or on their timer (see messages.py for how
the bot knows which messages are there)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.messages import DELETABLE_FOR, MessageLog
from bot.privacy.sealing import Sealer
from bot.storage.db import wipe_journal
from bot.storage.models import utcnow
from bot.storage.repositories import AutoClearings
from bot.telegram import send

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


class Clearing:
    """Deletes a person's chat: at once when they ask, or on their timer."""

    def __init__(
        self,
        messages: MessageLog,
        sessions: async_sessionmaker[AsyncSession],
        sealer: Sealer,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.messages = messages
        self._sessions = sessions
        self._sealer = sealer
        self._clock = clock

    async def clear_chat(self, bot: Bot, chat_id: int, person: str) -> int:
        """Delete both sides' messages of the last 48 hours; the number asked to be deleted."""
        now = self._clock()
        ids = await self.messages.in_chat(person, since=now - DELETABLE_FOR)
        await self._delete(bot, chat_id, ids)
        await self.messages.drop(person, ids)
        log.info("clearing.cleared person=%s messages=%s", person, len(ids))
        return len(ids)

    async def set_auto(self, person: str, chat_id: int, minutes: int | None) -> None:
        async with self._sessions.begin() as session:
            await AutoClearings(session).set(person, self._sealer.seal_chat(chat_id), minutes)
        log.info("clearing.auto person=%s minutes=%s", person, minutes)

    async def auto_clear(self, bot: Bot) -> int:
        """One round of automatic clearing; the number of messages asked to be deleted."""
        now = self._clock()
        async with self._sessions() as session:
            rows = await AutoClearings(session).all()
        deleted = 0
        for row in rows:
            due = now - timedelta(minutes=row.after_minutes)
            ids = await self.messages.in_chat(row.person, since=now - DELETABLE_FOR, until=due)
            if not ids:
                continue
            await self._delete(bot, self._sealer.open_chat(row.chat), ids)
            await self.messages.drop(row.person, ids)
            async with self._sessions.begin() as session:
                await AutoClearings(session).cleared(row.person, now)
            deleted += len(ids)
        await self.messages.purge(now)
        return deleted

    async def forget(self, person: str) -> None:
        await self.messages.drop(person)
        async with self._sessions.begin() as session:
            await AutoClearings(session).forget(person)

    async def wipe_journal(self) -> None:
        """Erased rows must not live on in the database's journal (see bot.db.wipe_journal)."""
        await self.messages.flush()
        if not await wipe_journal(self._sessions):
            log.warning("clearing.journal_busy")  # the next erase or purge catches up

    async def _delete(self, bot: Bot, chat_id: int, ids: list[int]) -> None:
        await send.delete_messages(bot, chat_id, ids)
