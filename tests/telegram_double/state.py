"""What the double knows, shared by the parts of TelegramDouble, and the helpers they all use."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from tests.telegram_double.limits import _OPT_IN_UPDATES
from tests.telegram_double.values import (
    Call,
    FakeUser,
    QueueKey,
    SentMessage,
    WebhookAttempt,
    _Backoff,
    _Failure,
    _Stored,
    _Webhook,
    bad_request,
)
from tests.telegram_double.wire import _int_param, _quoted


class DoubleState:
    """The state of the double: set up once here, read and changed by the mixins.

    Also the few helpers every part needs: Telegram's clock, new message and file ids, the
    update queue, a bot's and a chat's JSON, a member's status.
    """

    def __init__(
        self,
        *,
        token: str,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        webhook_timeout: float = 60.0,
        webhook_retry_unit: float = 1.0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.url = ""

        self.calls: list[Call] = []
        self.watchers: list[Callable[[SentMessage], None]] = []
        """Called with every message the bot sends, as it is stored (for what a test checks at
        that very moment)."""
        self.clock_offset = 0.0
        """Seconds added to Telegram's clock: a negative offset makes messages sent now look
        as if they were sent that long ago (for the 48-hour deletion rule)."""
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.scoped_commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.names: dict[str | None, str] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.allowed_updates: list[str] | None = None
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        # Forum topics: chat id -> message_thread_id -> {"name", "closed", "deleted"}.
        self.topics: dict[int, dict[int, dict[str, Any]]] = {}
        # Group members: chat id -> user id -> status; the bot itself is an administrator
        # unless it is listed here.
        self.members: dict[int, dict[int, str]] = {}

        # Everyone the double knows by id (for their User JSON); a private chat exists only
        # for people added with add_user or who wrote to the bot.
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, _Stored]] = {}
        self._last_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._arrivals: dict[int, asyncio.Event] = {}
        self._updates: list[dict[str, Any]] = []
        self._confirmed: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._open_queries: set[str] = set()
        self._next_query = 0
        self._next_file = 0
        self._failures: dict[str, deque[_Failure]] = {}
        self._holds: dict[tuple[str, int | None], asyncio.Event] = {}

        # Webhook mode (see webhook.py and delivery.py).
        self.webhook_timeout = webhook_timeout
        """Seconds a webhook may take to answer an update before the attempt counts as failed
        (Telegram: 60)."""
        self.webhook_retry_unit = webhook_retry_unit
        """Real seconds per second of Telegram's retry delays (0, 2, 4, ... up to 60-120 s);
        tests make it small."""
        self.webhook_targets: list[str] | None = None
        """Test only: base URLs (scheme://host:port) to deliver to round-robin instead of the
        webhook's own host, keeping its path: the instances behind a load balancer."""
        self.webhook_attempts: list[WebhookAttempt] = []
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy_queues: set[QueueKey] = set()
        self._backoff: dict[int, _Backoff] = {}
        self._last_success = float("-inf")
        self._next_target = 0
        self._last_webhook_error: tuple[int, str] | None = None

        self._new_update = asyncio.Event()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._runner: web.AppRunner | None = None
        # Bot API method (lower case) -> handler; TelegramDouble fills it in.
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {}

    def now(self) -> int:
        """Telegram's clock, as message dates show it."""
        return int(time.time() + self.clock_offset)

    def _enqueue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **body})
        self._notify()
        return update_id

    def _notify(self) -> None:
        """Wake a long poll and the webhook delivery loop (from any thread)."""
        if self._loop is not None and threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._wake_all)
        else:
            self._wake_all()

    def _wake_all(self) -> None:
        self._new_update.set()
        self._webhook_wake.set()

    def _allowed(self, update: Mapping[str, Any]) -> bool:
        """Whether allowed_updates lets Telegram deliver this update at all."""
        kind = next((key for key in update if key != "update_id"), "")
        allowed = self.allowed_updates
        return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _file_id(self, kind: str) -> str:
        self._next_file += 1
        return f"{kind}-file-{self._next_file}"

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _status(self, chat: Mapping[str, Any], user_id: int) -> str:
        """A user's status in a chat, as getChatMember reports it."""
        chat_id = int(chat["id"])
        listed = self.members.get(chat_id, {}).get(user_id)
        if listed is not None:
            return listed
        if chat["type"] == "private":
            return "member" if user_id in (chat_id, self.bot_id) else "left"
        return "administrator" if user_id == self.bot_id else "left"

    def _topic_root(self, chat_id: int, thread_id: int) -> dict[str, Any] | None:
        """The service message that created a topic, as reply_to_message of its messages."""
        stored = self._messages.get(chat_id, {}).get(thread_id)
        return None if stored is None else _quoted(stored.json)

    def _chat(self, params: Mapping[str, Any], key: str = "chat_id") -> dict[str, Any]:
        """The known chat a parameter names, or the error Telegram gives."""
        value = params.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        chat_id = _int_param(params, key)
        if chat_id is None and isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return chat
        if chat_id is None or chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]
