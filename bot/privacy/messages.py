"""Which messages are in each person's chat: their numbers and times, never their words.

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
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Message, MessageId, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.logs import kind
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.models import utcnow
from bot.storage.repositories import ChatMessages
from bot.telegram.turn import TURN_KEY, Handler

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.telegram.turn import Turn

log = logging.getLogger(__name__)

DELETABLE_FOR = timedelta(hours=48)
"""How long Telegram lets a bot delete messages in a private chat."""
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
        async with self._sessions() as session:
            return await ChatMessages(session).of(person, since, until)

    async def drop(self, person: str, message_ids: Collection[int] | None = None) -> None:
        """Forget the person's messages: those deleted (`message_ids`), or all of them."""
        wanted = None if message_ids is None else set(message_ids)
        self._pending = [
            n
            for n in self._pending
            if n.person != person or (wanted is not None and n.message_id not in wanted)
        ]
        await self.flush()
        async with self._sessions.begin() as session:
            await ChatMessages(session).drop(person, wanted)

    async def purge(self, now: datetime) -> None:
        """Numbers older than 48 hours are of no use: Telegram would not delete them anyway."""
        async with self._sessions.begin() as session:
            await ChatMessages(session).drop_older_than(now - DELETABLE_FOR)

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self._sessions.begin() as session:
                    await ChatMessages(session).add(
                        [(n.person, n.message_id, n.sent_at) for n in batch]
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


class NoteReceived(BaseMiddleware):
    """Notes every message a person sends the bot in their private chat."""

    def __init__(self, messages: MessageLog) -> None:
        self._messages = messages

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        turn: Turn | None = data.get(TURN_KEY)
        if turn is not None and isinstance(event, Message):
            self._messages.note(turn.pseudonym, event.message_id, event.date)
        return await handler(event, data)
