"""The sender: takes what the outbox holds, the most urgent first, and delivers it through the
one way out, paced by Telegram's limits; retries until Telegram accepts it or answers for good.

Entries of one sequence go one after another (a card after its topic, relays in order); others
go alongside, each waiting in the pacer for its chat's budget. Only a few non-urgent entries
per group wait there at once, so that priorities are decided as late as possible; urgent ones
never wait for a place. A delivery is recorded, and its entry deleted, in one transaction: a
crash before that commit sends it again (the window is the time of one commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from functools import partial

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.outbox import PERSON_LANE, Job, Outbox, Queued
from bot.privacy.logs import kind, safe
from bot.privacy.sealing import Sealer
from bot.storage.models import utcnow
from bot.storage.transaction import Transaction
from bot.telegram.pacing import Priority, priority

log = logging.getLogger(__name__)

JobHandler = Callable[[Bot, Transaction, Job], Awaitable[None]]
"""Delivers one kind of entry and records what it caused; raises what Telegram answered."""
RefusalHandler = Callable[[Bot, Transaction, Job, TelegramAPIError], Awaitable[None]]
"""What a final refusal means (the person blocked the bot, the topic is gone)."""


class NotYet(Exception):
    """What this entry needs is not there yet (a card edit before the card): try again soon."""


class Undeliverable(Exception):
    """Nothing is left to deliver (what it was for was erased meanwhile): the entry is done."""


WAITING_PER_GROUP = 3
"""Non-urgent entries of one group waiting in the pacer at once."""
MAX_IN_FLIGHT = 200
RECENT = 10_000
POLL_SECONDS = 1.0
"""How often the outbox is looked at without being woken (entries put off, other processes)."""
MAX_BACKOFF = timedelta(minutes=5)
NOT_YET = timedelta(seconds=1)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)


class Sender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], sealer: Sealer) -> None:
        self._sessions = sessions
        self._sealer = sealer
        self._handlers: dict[str, JobHandler] = {}
        self._refusals: dict[str, RefusalHandler] = {}
        self._wake = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task[None]] = {}  # sequence -> its delivery
        self._lanes: Counter[str] = Counter()
        self._delivered: deque[int] = deque(maxlen=RECENT)  # ids done lately: a stale read
        self._delivered_set: set[int] = set()  # of the outbox must not send one twice
        self.delivered = 0

    def register(
        self, handlers: Mapping[str, JobHandler], refusals: Mapping[str, RefusalHandler]
    ) -> None:
        """A feature's kinds of entries: how each is delivered, what a refusal means."""
        self._handlers.update(handlers)
        self._refusals.update(refusals)

    def outbox(self, transaction: Transaction) -> Outbox:
        return Outbox(transaction, self._sealer, self.wake)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, bot: Bot) -> None:
        """Forever: deliver what is due, then sleep until woken or the next entry is due."""
        while True:
            self._wake.clear()
            try:
                await self._start_due(bot)
            except Exception as exc:  # the database busy or gone a moment: look again soon
                log.error("delivery.round_failed error=%s", kind(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)

    async def drain(self, bot: Bot) -> None:
        """Deliver until nothing due is left (tests; a clean stop)."""
        while True:
            started = await self._start_due(bot)
            if not started and not self._in_flight:
                return
            if self._in_flight:
                await asyncio.wait(list(self._in_flight.values()))

    async def stop(self) -> None:
        """Let deliveries in flight finish their commit (or be cancelled and redone later)."""
        for task in list(self._in_flight.values()):
            task.cancel()
        for task in list(self._in_flight.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _start_due(self, bot: Bot) -> int:
        transaction = Transaction(self._sessions)
        try:
            heads = await self.outbox(transaction).heads(utcnow(), MAX_IN_FLIGHT * 2)
        finally:
            await transaction.finish(commit=False)
        started = 0
        for entry in heads:
            busy = entry.sequence in self._in_flight or entry.id in self._delivered_set
            if busy or len(self._in_flight) >= MAX_IN_FLIGHT:
                continue
            urgent = entry.priority <= Priority.URGENT
            crowded = self._lanes[entry.lane] >= WAITING_PER_GROUP
            if entry.lane != PERSON_LANE and not urgent and crowded:
                continue
            self._lanes[entry.lane] += 1
            task = asyncio.create_task(self._deliver(bot, entry))
            self._in_flight[entry.sequence] = task
            task.add_done_callback(partial(self._finished, entry))
            started += 1
        return started

    def _remember(self, entry_id: int) -> None:
        if len(self._delivered) == self._delivered.maxlen:
            self._delivered_set.discard(self._delivered[0])
        self._delivered.append(entry_id)
        self._delivered_set.add(entry_id)

    def _finished(self, entry: Queued, _: asyncio.Task[None]) -> None:
        self._in_flight.pop(entry.sequence, None)
        self._lanes[entry.lane] -= 1
        self._wake.set()  # the next entry of its sequence may go

    async def _deliver(self, bot: Bot, entry: Queued) -> None:
        job = self.outbox(Transaction(self._sessions)).opened(entry)
        async with Transaction(self._sessions) as transaction:
            if await self.outbox(transaction).claim(job.id):
                await self._attempt(bot, job, transaction)

    async def _attempt(self, bot: Bot, job: Job, transaction: Transaction) -> None:
        """One try; a cancel on stop leaves the entry to be sent after a restart."""
        try:
            with priority(job.priority):
                await self._handlers[job.kind](bot, transaction, job)
            await self.outbox(transaction).done(job.id)
            await transaction.finish(commit=True)
            self._remember(job.id)
            self.delivered += 1
        except NotYet:
            await transaction.finish(commit=False)
            await self._put_off(job, NOT_YET)
        except Undeliverable:
            await transaction.finish(commit=False)
            await self._done(job)
        except (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound) as exc:
            await transaction.finish(commit=False)
            await self._refused(bot, job, exc)
        except Exception as exc:  # 429 after many waits, an outage, the database: try later
            await transaction.finish(commit=False)
            log.warning(
                "delivery.put_off kind=%s attempt=%d error=%s",
                safe(job.kind),
                job.attempts + 1,
                kind(exc),
            )
            await self._put_off(job, backoff(job.attempts))

    async def _done(self, job: Job) -> None:
        async with Transaction(self._sessions) as transaction:
            try:
                await self.outbox(transaction).done(job.id)
                await transaction.finish(commit=True)
                self._remember(job.id)
            except Exception as exc:
                await transaction.finish(commit=False)
                log.error("delivery.not_done error=%s", kind(exc))

    async def _refused(self, bot: Bot, job: Job, exc: TelegramAPIError) -> None:
        """Telegram answered for good: what that means is the feature's to say; then it is done."""
        log.info("delivery.refused kind=%s error=%s", safe(job.kind), kind(exc))
        async with Transaction(self._sessions) as transaction:
            try:
                if not await self.outbox(transaction).claim(job.id):
                    return  # another instance took it meanwhile: what it decides stands
                refusal = self._refusals.get(job.kind)
                if refusal is not None:
                    with priority(job.priority):
                        await refusal(bot, transaction, job, exc)
                await self.outbox(transaction).done(job.id)
                await transaction.finish(commit=True)
                self._remember(job.id)
            except Exception as error:
                await transaction.finish(commit=False)
                log.error("delivery.refusal_failed kind=%s error=%s", safe(job.kind), kind(error))
                await self._put_off(job, backoff(job.attempts))

    async def _put_off(self, job: Job, delay: timedelta) -> None:
        async with Transaction(self._sessions) as transaction:
            try:
                await self.outbox(transaction).later(job.id, delay)
                await transaction.finish(commit=True)
            except Exception as exc:
                await transaction.finish(commit=False)
                log.error("delivery.not_put_off error=%s", kind(exc))
