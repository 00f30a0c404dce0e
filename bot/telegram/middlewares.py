"""Per-update plumbing: one chat at a time, one database transaction, one Turn for handlers."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import EVENT_CHAT_KEY, EVENT_FROM_USER_KEY
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.logs import kind
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.locks import CHATS, SharedLocks
from bot.storage.repositories import People
from bot.storage.transaction import Transaction
from bot.storage.updates import Progress, mark_handled, mark_handled_first
from bot.telegram.turn import FSM_KEY, LAST_UPDATE_KEY, TRANSACTION_KEY, TURN_KEY, Handler, Turn

log = logging.getLogger(__name__)


class ChatIsolation(BaseEventIsolation):
    """Updates of one chat run one after another (no lost state); other chats run alongside.

    Unlike aiogram's SimpleEventIsolation, a lock nobody waits for is dropped, so memory does
    not grow with every person who ever wrote.
    """

    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            entry = self._locks.get(key)  # gone if the dispatcher closed while this ran
            if entry is not None:
                lock, users = entry
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    @property
    def active(self) -> int:
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()


def chat_lock_key(pseudonyms: Pseudonymizer, key: StorageKey) -> int:
    """A 32-bit number for a chat, keyed: what PostgreSQL shows of a lock says nothing of who."""
    name = pseudonyms.of("lock", key.bot_id, key.chat_id, key.user_id, key.thread_id)
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


class SharedChatIsolation(ChatIsolation):
    """One chat's updates one at a time across every instance: this instance's own lock first
    (its other updates of the chat queue in memory), then the chat's advisory lock."""

    def __init__(
        self,
        locks: SharedLocks,
        pseudonyms: Pseudonymizer,
        *,
        taken: Callable[[StorageKey], None] = lambda key: None,
    ) -> None:
        """`taken`: called once the chat is ours (to drop a copy another instance outdated)."""
        super().__init__()
        self._shared = locks
        self._pseudonyms = pseudonyms
        self._taken = taken

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with super().lock(key):
            number = chat_lock_key(self._pseudonyms, key)
            generation = await self._shared.wait_for(CHATS, number)
            self._taken(key)
            try:
                yield
            finally:
                if generation == self._shared.generation:
                    try:
                        await self._shared.unlock(CHATS, number)
                    except Exception as exc:  # the connection is gone, and the lock with it
                        log.warning("locks.unlock_failed error=%s", kind(exc))


class DatabaseMiddleware(BaseMiddleware):
    """Owns the transaction of an update: commit when the handler succeeds, else roll back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        first_commit = last_commit = None
        if isinstance(event, Update):
            # What this update wrote (a relay in the outbox, a case, its conversation state) and
            # the record that it was handled commit together, and the last commit says it was
            # handled to the end (inside the chat's lock): a redelivered update cannot do it
            # twice, and one cut off between two commits is done again.
            first_commit = partial(_mark_handled, update_id=event.update_id)
            last_commit = partial(_mark_answered, update_id=event.update_id)
        transaction = Transaction(self._sessions, first_commit=first_commit)
        data[TRANSACTION_KEY] = transaction
        unbind = transaction.bind()
        try:
            result = await handler(event, data)
        except BaseException:
            await transaction.finish(commit=False)
            raise
        finally:
            unbind()
        await transaction.finish(commit=True, last=last_commit)
        return result


async def _mark_handled(session: AsyncSession, *, update_id: int) -> None:
    await mark_handled_first(session, update_id)


async def _mark_answered(session: AsyncSession, *, update_id: int) -> None:
    await mark_handled(session, update_id)


@dataclass(frozen=True)
class Redelivered:
    """What to do with a person's update handed back after its step was saved."""

    progress: Callable[[int], Awaitable[Progress]]
    """How far its earlier handling got."""
    show_again: Callable[[Turn], Awaitable[None]]
    rewind: Callable[[Turn], Awaitable[None]]
    """Back to the conversation before its step, to take it again."""


class TurnMiddleware(BaseMiddleware):
    """Builds the Turn for private chats; the pseudonym is all that leaves this update."""

    def __init__(self, pseudonyms: Pseudonymizer, redelivered: Redelivered) -> None:
        self._pseudonyms = pseudonyms
        self._redelivered = redelivered

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get(EVENT_FROM_USER_KEY)
        chat: Chat | None = data.get(EVENT_CHAT_KEY)
        fsm: FSMContext | None = data.get(FSM_KEY)
        if user is not None and chat is not None and chat.type == "private" and fsm is not None:
            update_id = event.update_id if isinstance(event, Update) else 0
            last = (await fsm.get_data()).get(LAST_UPDATE_KEY, 0)
            turn = Turn(
                bot=data["bot"],
                update_id=update_id,
                chat_id=chat.id,
                pseudonym=self._pseudonyms.person(user.id),
                first_name=user.first_name,
                language_code=user.language_code,
                fsm=fsm,
                people=People(data[TRANSACTION_KEY]),
                transaction=data[TRANSACTION_KEY],
            )
            if last == update_id > 0:
                # Its step was saved, but Telegram was never told it was handled (the instance
                # stopped). If what it caused was committed, only its answer may be missing:
                # better shown twice than not at all. If not, the step is taken again.
                progress = await self._redelivered.progress(update_id)
                if progress is Progress.ANSWERED:
                    log.info("update.redelivered_skipped")
                    return None
                if progress is Progress.COMMITTED:
                    log.info("update.redelivered_shown_again")
                    await self._redelivered.show_again(turn)
                    return None
                log.info("update.redelivered_stepped_again")
                await self._redelivered.rewind(turn)
            elif last > update_id > 0:
                log.info("update.redelivered_skipped")  # later ones moved the step on
                return None
            data[TURN_KEY] = turn
        return await handler(event, data)
