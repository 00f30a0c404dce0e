"""Clearing a person's chat: which messages exist there, deleting them on request or on a timer.

Telegram lets a bot delete its own and the person's messages in a private chat for 48 hours,
and tells a bot nothing about a chat's history. So every message in a private chat, the
person's and the bot's, is noted as it passes (its number and time, under the pseudonym, never
its words or the chat's id) and forgotten after 48 hours.

Notes are written in the background, grouped: counting messages must not slow the replies. A
crash can lose the notes of the last moment (those messages then need deleting by hand).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Message, MessageId, TelegramObject
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.logs import kind
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.db import wipe_journal
from bot.storage.models import AutoClearing, ChatMessage, utcnow

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.telegram.middlewares import Turn

log = logging.getLogger(__name__)

DELETABLE_FOR = timedelta(hours=48)
"""How long Telegram lets a bot delete messages in a private chat."""
DELETE_AT_ONCE = 100
"""deleteMessages takes at most 100 ids."""
MAX_PENDING = 100_000
"""Notes held in memory while the database cannot take them."""
CREATING_METHODS = ("Send", "Copy", "Forward")
"""Bot API methods (by class name) that put a new message into a chat."""


@dataclass(frozen=True)
class Noted:
    person: str
    message_id: int
    sent_at: datetime


class MessageLog:
    """Which messages are in each person's chat, for the last 48 hours."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._pending: list[Noted] = []
        self._worker: asyncio.Task[None] | None = None

    def note(self, person: str, message_id: int, sent_at: datetime) -> None:
        self._pending.append(Noted(person, message_id, sent_at))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._write())

    async def flush(self) -> None:
        """Wait until every note so far is in the database."""
        while self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)

    async def close(self) -> None:
        await self.flush()

    async def in_chat(
        self, person: str, since: datetime, until: datetime | None = None
    ) -> list[int]:
        """The numbers of the person's chat messages sent since `since` (and before `until`)."""
        await self.flush()
        query = select(ChatMessage.message_id).where(
            ChatMessage.person == person, ChatMessage.sent_at >= since
        )
        if until is not None:
            query = query.where(ChatMessage.sent_at <= until)
        async with self._sessions() as session:
            found = await session.execute(query.order_by(ChatMessage.message_id))
            return sorted(set(found.scalars()))

    async def drop(self, person: str, message_ids: Collection[int] | None = None) -> None:
        """Forget the person's messages: those deleted (`message_ids`), or all of them."""
        wanted = None if message_ids is None else set(message_ids)
        self._pending = [
            n
            for n in self._pending
            if n.person != person or (wanted is not None and n.message_id not in wanted)
        ]
        await self.flush()
        statement = delete(ChatMessage).where(ChatMessage.person == person)
        if wanted is not None:
            statement = statement.where(ChatMessage.message_id.in_(wanted))
        async with self._sessions.begin() as session:
            await session.execute(statement)

    async def purge(self, now: datetime) -> None:
        """Numbers older than 48 hours are of no use: Telegram would not delete them anyway."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(ChatMessage).where(ChatMessage.sent_at < now - DELETABLE_FOR)
            )

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self._sessions.begin() as session:
                    await session.execute(
                        insert(ChatMessage),
                        [
                            {"person": n.person, "message_id": n.message_id, "sent_at": n.sent_at}
                            for n in batch
                        ],
                    )
            except Exception as exc:  # the database is busy or gone: try again shortly
                log.error("clearing.not_noted count=%s error=%s", len(batch), kind(exc))
                # Kept in memory meanwhile, but not without bound: the oldest go first (they
                # are the first to pass Telegram's 48 hours anyway).
                self._pending[:0] = batch
                del self._pending[: max(0, len(self._pending) - MAX_PENDING)]
                await asyncio.sleep(1.0)


class NoteSent(BaseRequestMiddleware):
    """Notes every message the bot puts into a private chat, whatever part of the bot sent it."""

    def __init__(self, messages: MessageLog, pseudonyms: Pseudonymizer) -> None:
        self._messages = messages
        self._pseudonyms = pseudonyms

    async def __call__(
        self,
        make_request: Callable[[Bot, TelegramMethod[Any]], Awaitable[Response[Any]]],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        # aiogram's sessions hand back the method's result here, despite the annotation.
        result: Any = await make_request(bot, method)
        if not type(method).__name__.startswith(CREATING_METHODS):
            return cast(Response[Any], result)
        chat_id = getattr(method, "chat_id", None)
        # A private chat's id is the person's user id (positive); groups are negative.
        if isinstance(chat_id, int) and chat_id > 0:
            person = self._pseudonyms.person(chat_id)
            for message_id, sent_at in _created(result):
                self._messages.note(person, message_id, sent_at)
        return cast(Response[Any], result)


def _created(result: Any) -> Iterable[tuple[int, datetime]]:
    items = result if isinstance(result, list) else [result]
    for item in items:
        if isinstance(item, Message):
            yield item.message_id, item.date
        elif isinstance(item, MessageId):
            yield item.message_id, utcnow()


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class NoteReceived(BaseMiddleware):
    """Notes every message a person sends the bot in their private chat."""

    def __init__(self, messages: MessageLog) -> None:
        self._messages = messages

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        turn: Turn | None = data.get("turn")
        if turn is not None and isinstance(event, Message):
            self._messages.note(turn.pseudonym, event.message_id, event.date)
        return await handler(event, data)


class Clearing:
    """Deletes a person's chat: at once when they ask, or on their timer."""

    def __init__(
        self,
        messages: MessageLog,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.messages = messages
        self._sessions = sessions
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
            row = await session.get(AutoClearing, person)
            if minutes is None:
                if row is not None:
                    await session.delete(row)
            elif row is None:
                session.add(
                    AutoClearing(
                        person=person, chat_id=chat_id, after_minutes=minutes, updated_at=utcnow()
                    )
                )
            else:
                row.chat_id, row.after_minutes, row.updated_at = chat_id, minutes, utcnow()
        log.info("clearing.auto person=%s minutes=%s", person, minutes)

    async def auto_clear(self, bot: Bot) -> int:
        """One round of automatic clearing; the number of messages asked to be deleted."""
        now = self._clock()
        async with self._sessions() as session:
            rows = list((await session.execute(select(AutoClearing))).scalars())
        deleted = 0
        for row in rows:
            due = now - timedelta(minutes=row.after_minutes)
            ids = await self.messages.in_chat(row.person, since=now - DELETABLE_FOR, until=due)
            if not ids:
                continue
            await self._delete(bot, row.chat_id, ids)
            await self.messages.drop(row.person, ids)
            async with self._sessions.begin() as session:
                current = await session.get(AutoClearing, row.person)
                if current is not None:
                    current.updated_at = now
            deleted += len(ids)
        await self.messages.purge(now)
        return deleted

    async def forget(self, person: str) -> None:
        await self.messages.drop(person)
        async with self._sessions.begin() as session:
            await session.execute(delete(AutoClearing).where(AutoClearing.person == person))

    async def wipe_journal(self) -> None:
        """Erased rows must not live on in the database's journal (see bot.db.wipe_journal)."""
        await self.messages.flush()
        if not await wipe_journal(self._sessions):
            log.warning("clearing.journal_busy")  # the next erase or a clean stop empties it

    async def _delete(self, bot: Bot, chat_id: int, ids: list[int]) -> None:
        for start in range(0, len(ids), DELETE_AT_ONCE):
            try:
                await bot.delete_messages(
                    chat_id=chat_id, message_ids=ids[start : start + DELETE_AT_ONCE]
                )
            except TelegramAPIError as exc:  # blocked, or the chat is gone: nothing to clear
                log.warning("clearing.not_deleted error=%s", kind(exc))
                return
