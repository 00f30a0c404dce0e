"""Telegram's flood limits, when a test asks for them: about 30 messages a second overall,
about one a second in a private chat (a short burst passes), 20 a minute in a group. Creating,
editing and closing a topic count as messages, edits too. Over a limit Telegram answers 429
with retry_after, and the message is not sent."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import ApiError
from tests.telegram_double.wire import _int_param

COUNTED_PREFIXES = ("send", "copy", "forward", "edit")
COUNTED_TOPIC_METHODS = frozenset(
    {"createforumtopic", "editforumtopic", "closeforumtopic", "reopenforumtopic"}
)


@dataclass(frozen=True)
class FloodLimits:
    """Each limit: at most `count` messages in any `seconds`."""

    overall: tuple[int, float] = (30, 1.0)
    private_chat: tuple[int, float] = (3, 3.0)
    group: tuple[int, float] = (20, 60.0)


def counted(method: str) -> bool:
    if method == "sendchataction":
        return False
    return method.startswith(COUNTED_PREFIXES) or method in COUNTED_TOPIC_METHODS


class FloodMixin(DoubleState):
    """Refuses, with 429 and retry_after, what goes over Telegram's limits (once enforced)."""

    flood_limits: FloodLimits | None = None
    too_many: list[tuple[str, int]]
    """Every 429 given: the method and the chat."""
    _sent_at: dict[str, deque[float]]

    def enforce_limits(self, limits: FloodLimits | None = None) -> None:
        self.flood_limits = limits or FloodLimits()
        self.too_many = []
        self._sent_at = {}

    def _check_flood(self, method: str, params: dict[str, Any]) -> None:
        limits = self.flood_limits
        if limits is None or not counted(method):
            return
        chat = _int_param(params, "chat_id") or 0
        windows = [("all", limits.overall)]
        windows.append((f"chat:{chat}", limits.private_chat if chat > 0 else limits.group))
        now = time.monotonic()
        wait = 0.0
        for key, (count, seconds) in windows:
            sent = self._sent_at.setdefault(key, deque())
            while sent and sent[0] <= now - seconds:
                sent.popleft()
            if len(sent) >= count:
                wait = max(wait, sent[0] + seconds - now)
        if wait > 0:
            self.too_many.append((method, chat))
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for key, _ in windows:
            self._sent_at[key].append(now)
