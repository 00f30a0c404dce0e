"""Long polling that confirms an update to Telegram only after its handling is committed.

aiogram's own polling confirms each update when it fetches it: a crash then loses whatever was
being handled. Here the offset given to getUpdates is the oldest update still in hand, so
Telegram hands back whatever a crash interrupted; updates handled already (in this process, or
recorded before a restart) are recognised by update_id and not handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.privacy.logs import kind
from bot.storage.updates import AlreadyHandled
from bot.telegram import send

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
"""getUpdates returns the 100 oldest unconfirmed updates, those in hand among them: at most
100 are handled at once, and a slow one holds the window (replies are paced for seconds, not
minutes, so it moves on)."""
RECHECK_SECONDS = 0.2
"""While updates are in hand, how often to look for new ones (a long poll would return at once)."""
MAX_BACKOFF = 30.0
FINISH_SECONDS = 5.0
"""On stop, how long updates in hand may take to finish (systemd and Docker wait 10 s)."""

Seen = Callable[[Collection[int]], Awaitable[set[int]]]
"""Which of these update ids were handled before (and recorded)."""
Record = Callable[[int], Awaitable[None]]
"""Record that an update was handled (group-committed)."""


class Poller:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        seen: Seen,
        record: Record,
        allowed_updates: list[str] | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._seen = seen
        self._record = record
        self._allowed = allowed_updates
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._done: set[int] = set()
        self._next = 0  # one above the highest update id fetched

    @property
    def offset(self) -> int | None:
        """What getUpdates is told: everything below it is handled and may be forgotten."""
        if self._in_hand:
            return min(self._in_hand)
        return self._next or None

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                updates = await self._fetch_unless(stop)
            except Exception as exc:  # Telegram unreachable: wait and look again
                failures += 1
                delay = min(MAX_BACKOFF, 0.5 * 2**failures)
                log.warning("polling.failed error=%s delay=%.1f", kind(exc), delay)
                await self._wait(stop, delay)
                continue
            failures = 0
            if updates is None:
                break  # stopping: the long poll is given up, nothing was taken
            await self._start(updates)
            if self._in_hand:
                await self._wait_for_progress()
        await self.finish()

    async def finish(self) -> None:
        """Let updates in hand finish (for a while), then confirm all that is handled. One that
        does not finish in time is cancelled and stays unconfirmed: Telegram hands it back."""
        if self._in_hand:
            tasks = list(self._in_hand.values())
            _, late = await asyncio.wait(tasks, timeout=FINISH_SECONDS)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
                log.warning("polling.stopped_unfinished updates=%d", len(late))
        offset = self.offset
        if offset is not None:
            with contextlib.suppress(Exception):
                await send.updates(self._bot, offset=offset, wait=0)

    async def _fetch_unless(self, stop: asyncio.Event) -> list[Update] | None:
        """A long poll, given up at once (None) when the bot is asked to stop."""
        fetch = asyncio.create_task(self._fetch())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetch
            return None
        return fetch.result()

    async def _fetch(self) -> list[Update]:
        wait = 0 if self._in_hand else LONG_POLL_SECONDS
        return await send.updates(self._bot, offset=self.offset, wait=wait, allowed=self._allowed)

    async def _start(self, updates: list[Update]) -> None:
        fresh = [u for u in updates if u.update_id not in self._in_hand.keys() | self._done]
        before = await self._seen([u.update_id for u in fresh]) if fresh else set()
        for update in fresh:
            self._next = max(self._next, update.update_id + 1)
            if update.update_id in before:
                self._done.add(update.update_id)
                log.info("polling.redelivered_skipped")
                continue
            task = asyncio.create_task(self._handle(update))
            self._in_hand[update.update_id] = task
        self._forget_confirmed()

    async def _handle(self, update: Update) -> None:
        """Handle, record, and only then let the offset move past it. Cancelled (a stop that
        could not wait): it stays in hand, so it is not confirmed and comes back."""
        try:
            await self._dispatcher.feed_update(self._bot, update)
        except AlreadyHandled:
            log.info("polling.redelivered_skipped")
        except Exception as exc:  # handled, badly: the errors router apologised already
            log.error("polling.update_failed error=%s", kind(exc))
        try:
            await self._record(update.update_id)
        except Exception as exc:
            log.error("polling.not_recorded error=%s", kind(exc))
        self._in_hand.pop(update.update_id, None)
        self._done.add(update.update_id)

    def _forget_confirmed(self) -> None:
        offset = self.offset
        if offset is not None:
            self._done = {u for u in self._done if u >= offset}

    async def _wait_for_progress(self) -> None:
        """Telegram hands back what is in hand at once: look again when one is done, or soon."""
        waiting = [task for task in self._in_hand.values() if not task.done()]
        if waiting:
            await asyncio.wait(
                waiting, timeout=RECHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
