"""Telegram's limits, kept before Telegram has to refuse: one pacer for every send of the bot.

About 30 messages a second overall, about one a second per private chat (short bursts pass),
20 a minute per group; creating, editing and closing a topic count as messages. Every counted
call waits here for a free place in each budget it spends (its lanes), and the most urgent
waiter is served first: a lane a more urgent waiter is held up on is not given to a less
urgent one. A 429 pauses the lane for retry_after, once, for everyone waiting on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum

Clock = Callable[[], float]


class Priority(IntEnum):
    """Who gets the budget first (lower first)."""

    URGENT = 0
    """Urgent cases: their topic, card and alerts, and relays both ways."""
    ANSWER = 1
    """The immediate answer to a person's own action."""
    TALK = 2
    """Relays and notices in a case that is not urgent."""
    CARD = 3
    """A new case's topic and card."""
    EDIT = 4
    """Renaming topics, editing cards, closing topics."""
    CHORE = 5
    """Reminders, the digest, deleting old topics."""


PRIORITY: ContextVar[Priority] = ContextVar("priority", default=Priority.ANSWER)
"""The priority of the calls made in this task; the immediate answer unless said otherwise."""


@contextlib.contextmanager
def priority(level: Priority) -> Iterator[None]:
    token = PRIORITY.set(level)
    try:
        yield
    finally:
        PRIORITY.reset(token)


@dataclass(frozen=True)
class Window:
    """At most `count` sends in any `seconds`."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Limits:
    overall: Window = Window(30, 1.0)
    private_chat: Window = Window(3, 3.0)
    group: Window = Window(20, 60.0)


SAFETY = 0.05
"""Seconds of room past each window: a request granted now reaches Telegram a little later
than the one before it may have (the network), and must not land inside the window."""
SWEEP_AT_LANES = 5000
"""Past this many chats' lanes, idle ones are forgotten even while sends go on."""
COUNTED_PREFIXES = ("Send", "Copy", "Forward", "Edit")
COUNTED_TOPIC_METHODS = frozenset(
    {"CreateForumTopic", "EditForumTopic", "CloseForumTopic", "ReopenForumTopic"}
)


def counts_as_message(method_name: str) -> bool:
    """Whether a call spends a chat's budget (aiogram's method class name: SendMessage)."""
    if method_name == "SendChatAction":
        return False
    return method_name.startswith(COUNTED_PREFIXES) or method_name in COUNTED_TOPIC_METHODS


@dataclass
class _Lane:
    window: Window
    sent: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0

    def free_at(self, now: float) -> float:
        """When this lane can take one more send (now, or later)."""
        while self.sent and self.sent[0] <= now - self.window.seconds:
            self.sent.popleft()
        at = self.paused_until
        if len(self.sent) >= self.window.count:
            oldest = self.sent[len(self.sent) - self.window.count]
            at = max(at, oldest + self.window.seconds + SAFETY)
        return max(at, now)

    def idle(self, now: float) -> bool:
        return self.paused_until <= now and not self.sent


@dataclass(order=True)
class _Waiter:
    priority: int
    order: int
    lanes: tuple[str, ...] = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False)


class Pacer:
    def __init__(self, limits: Limits | None = Limits(), clock: Clock = time.monotonic) -> None:
        """`limits` None: no pacing at all (a test server that has no limits)."""
        self.limits = limits
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._waiters: list[_Waiter] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.pauses = 0

    def lanes_for(self, chat_id: int | str | None) -> tuple[str, ...]:
        if self.limits is None:
            return ()
        lanes = ["all"]
        self._lane("all", self.limits.overall)
        if chat_id is not None:
            key = f"chat:{chat_id}"
            group = isinstance(chat_id, str) or chat_id < 0
            self._lane(key, self.limits.group if group else self.limits.private_chat)
            lanes.append(key)
        return tuple(lanes)

    async def acquire(self, chat_id: int | str | None, level: Priority) -> None:
        """Wait for a place in the budgets of this chat and overall, the most urgent first."""
        lanes = self.lanes_for(chat_id)
        if not lanes:
            return
        waiter = _Waiter(
            level, next(self._order), lanes, asyncio.get_running_loop().create_future()
        )
        heapq.heappush(self._waiters, waiter)
        self._kick()
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                raise  # granted already: the place is spent
            self._waiters.remove(waiter)
            heapq.heapify(self._waiters)
            raise

    def pause(self, chat_id: int | str | None, seconds: float) -> None:
        """Telegram said 429: nobody sends to this chat (or at all) until retry_after passed."""
        lanes = self.lanes_for(chat_id)
        if not lanes:
            return
        until = self._clock() + seconds
        lane = self._lanes[lanes[-1]]
        lane.paused_until = max(lane.paused_until, until)
        self.pauses += 1
        self._kick()

    def waiting(self, chat_id: int | str | None) -> int:
        """How many sends wait for this chat's lane now."""
        lanes = self.lanes_for(chat_id)
        return sum(1 for w in self._waiters if lanes and lanes[-1] in w.lanes)

    def _lane(self, key: str, window: Window) -> _Lane:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(window)
        return lane

    def _kick(self) -> None:
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self._waiters:
            self._wake.clear()
            delay = self._grant()
            if not self._waiters:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
        self._forget_idle_lanes()

    def _grant(self) -> float:
        """Serve waiters in priority order; seconds until one of the others may be served."""
        now = self._clock()
        held: set[str] = set()
        next_free = float("inf")
        remaining: list[_Waiter] = []
        for waiter in sorted(self._waiters):
            if waiter.granted.done():
                continue
            free = {key: self._lanes[key].free_at(now) for key in waiter.lanes}
            if all(at <= now for at in free.values()) and held.isdisjoint(waiter.lanes):
                for key in waiter.lanes:
                    self._lanes[key].sent.append(now)
                waiter.granted.set_result(None)
                continue
            for key, at in free.items():
                if at > now:
                    held.add(key)  # kept for this waiter: nobody less urgent takes it
                    next_free = min(next_free, at)
            remaining.append(waiter)
        heapq.heapify(remaining)
        self._waiters = remaining
        if len(self._lanes) > SWEEP_AT_LANES:
            self._forget_idle_lanes()
        return max(0.0, next_free - now) if next_free != float("inf") else 1.0

    def _forget_idle_lanes(self) -> None:
        """Lanes of chats nobody sends to any more: memory does not grow with every person."""
        now = self._clock()
        used = {key for waiter in self._waiters for key in waiter.lanes}
        for key, lane in list(self._lanes.items()):
            lane.free_at(now)
            if key != "all" and key not in used and lane.idle(now):
                del self._lanes[key]
