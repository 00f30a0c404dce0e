"""A Bot API session that answers in-process, like aiogram's own MockedSession in its tests.

Only the HTTP session is replaced: the Bot, the Dispatcher, the routers and middlewares are the
real ones. Every request is recorded; errors can be queued per method; other calls get a
plausible Telegram result.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict, deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    CopyMessage,
    CreateForumTopic,
    GetChatMember,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ForumTopic,
    InlineKeyboardMarkup,
    Message,
    MessageId,
    User,
)

if TYPE_CHECKING:
    from aiogram import Bot

BOT_USER = User(id=42, is_bot=True, first_name="Helper", username="helper_bot")


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.results: list[tuple[TelegramMethod[Any], Any]] = []
        self.errors: defaultdict[type, deque[Exception]] = defaultdict(deque)
        self._ids = itertools.count(1000)
        self._threads = itertools.count(500)
        self.members: set[int] = set()
        """Users getChatMember reports as members of any group."""
        self.lock_probe: Callable[[], Awaitable[bool]] | None = None
        """Asked at every call: is the database's write lock held (by the caller, waiting)?"""
        self.calls_under_lock: list[str] = []
        self.on_call: Callable[[TelegramMethod[Any]], Awaitable[None]] | None = None
        """Awaited before each call is answered: a test looks at the world as Telegram
        receives the call (what the database holds when the person is told something)."""
        self.hold_next: asyncio.Event | None = None
        """Set: the next call waits for it (Telegram slow to answer); `held` says it waits."""
        self.held = asyncio.Event()

    def fail(self, method: type[TelegramMethod[Any]], *errors: Exception) -> None:
        """The next calls of `method` raise these errors, in order."""
        self.errors[method].extend(errors)

    def sent(self, method: type[TelegramMethod[Any]] = SendMessage) -> list[Any]:
        return [r for r in self.requests if isinstance(r, method)]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> Any:
        if self.lock_probe is not None and await self.lock_probe():
            self.calls_under_lock.append(type(method).__name__)
        if self.on_call is not None:
            await self.on_call(method)
        if self.hold_next is not None:
            hold, self.hold_next = self.hold_next, None
            self.held.set()
            await hold.wait()
        result = await self._answer(method)
        self.results.append((method, result))
        return result

    def message_ids_to(self, chat_id: int) -> list[int]:
        """The ids of the messages the bot put into a chat (sent or copied), in order."""
        return [
            result.message_id
            for method, result in self.results
            if isinstance(result, Message | MessageId)
            and getattr(method, "chat_id", None) == chat_id
        ]

    async def _answer(self, method: TelegramMethod[Any]) -> Any:
        self.requests.append(method)
        queued = self.errors.get(type(method))
        if queued:
            raise queued.popleft()
        if isinstance(method, CreateForumTopic):
            return ForumTopic(message_thread_id=next(self._threads), name=method.name, icon_color=0)
        if isinstance(method, CopyMessage):
            return MessageId(message_id=next(self._ids))
        if isinstance(method, GetChatMember):
            user = User(id=method.user_id, is_bot=False, first_name="V")
            if method.user_id in self.members:
                return ChatMemberMember(user=user)
            return ChatMemberLeft(user=user)
        if isinstance(method, SendMessage):
            chat_type = "private" if int(method.chat_id) > 0 else "supergroup"
            return Message(
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type=chat_type),
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None,
            )
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        return None
