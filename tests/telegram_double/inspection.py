"""What tests see: the messages in each chat, the calls the bot made, and waiting for them."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import Call, SentMessage

T = TypeVar("T")


class InspectionMixin(DoubleState):
    """Reading the chats and the recorded calls, and waiting for the bot to act."""

    # ---------------------------------------------------------------- observing

    def all_messages(self, chat_id: int) -> list[SentMessage]:
        """Every message of a chat, the person's and the bot's, in order (deleted ones flagged)."""
        return [s.sent for s in self._messages.get(chat_id, {}).values()]

    def calls_to(self, method: str) -> list[Call]:
        """Every call of one method (method names are case-insensitive, as in the Bot API)."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """What the bot sent into a chat, in order, deleted messages included (and flagged).

        The service message a createForumTopic leaves is not among them.
        """
        return [
            s.sent
            for s in self._messages.get(chat_id, {}).values()
            if s.sent.from_bot and s.sent.method != "createForumTopic"
        ]

    def thread_messages(self, chat_id: int, thread_id: int) -> list[SentMessage]:
        """What the bot sent into one forum topic, in order (deleted ones flagged)."""
        return [m for m in self.messages(chat_id) if m.thread_id == thread_id]

    def last_message(self, chat_id: int) -> SentMessage:
        """The last message the bot sent into a chat."""
        sent = self.messages(chat_id)
        assert sent, f"the bot sent nothing to chat {chat_id}; calls: {self._recent_calls()}"
        return sent[-1]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """Any message of a chat by id, the user's own ones included."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in chat {chat_id}"
        return stored.sent

    def message_json(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The Message object Telegram would return for a message now."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in chat {chat_id}"
        return copy.deepcopy(stored.json)

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (with a getUpdates offset past them)."""
        return len(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the agreed interface takes timeout=
    ) -> T:
        """Poll predicate every 10 ms until it is truthy; the bot works concurrently.

        An AssertionError or LookupError inside the predicate (say, last_message before the bot
        sent anything) counts as "not yet"; the last one is reported on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            last: object
            try:
                value = predicate()
            except (AssertionError, LookupError) as error:
                last = error
            else:
                if value:
                    return value
                last = value
            if time.monotonic() >= deadline:
                code = getattr(predicate, "__code__", None)
                where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
                name = getattr(predicate, "__qualname__", repr(predicate))
                msg = (
                    f"timed out after {timeout} s waiting for {name}{where}; last value {last!r}"
                    f"; pending updates: {self.pending_updates}; recent calls: "
                    f"{self._recent_calls()}"
                )
                raise AssertionError(msg)
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the agreed interface takes timeout=
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; return them all."""

        # Woken by each message the bot sends into this chat, not by polling: a benchmark
        # waits for hundreds of chats at once, and polling would eat the CPU it measures.
        deadline = time.monotonic() + timeout
        arrived = self._arrivals.setdefault(chat_id, asyncio.Event())
        while True:
            arrived.clear()
            sent = self.messages(chat_id)
            if len(sent) >= count:
                return sent
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                shown = [(m.method, m.text) for m in sent]
                msg = (
                    f"the bot sent {len(sent)} of {count} expected messages to chat {chat_id} "
                    f"within {timeout} s: {shown}; pending updates: {self.pending_updates}; "
                    f"recent calls: {self._recent_calls()}"
                )
                raise AssertionError(msg)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), remaining)

    # ---------------------------------------------------------------- diagnostics

    def _recent_calls(self, count: int = 8) -> str:
        shown = []
        for call in self.calls[-count:]:
            args = ", ".join(f"{k}={_short(v)}" for k, v in call.params.items())
            shown.append(f"{call.method}({args})")
        return "; ".join(shown) or "none"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
