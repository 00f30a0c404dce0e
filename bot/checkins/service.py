"""Check-ins a person asks for: changed by their presses, sent by the chores when due.

Kept only while on (the chat sealed, the language, the schedule, the zone); stopping, erasing
and blocking delete the row. Each is sent at most once a day: it is claimed (its day noted,
the next one planned) and committed before it is sent, so a crash in between loses that one
rather than sending it twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramNetworkError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.checkins import timing
from bot.conversation.effects import EffectHandler
from bot.privacy.logs import kind
from bot.privacy.sealing import Sealer
from bot.storage.checkins import Checkins
from bot.storage.models import Checkin, utcnow
from bot.telegram import send
from bot.telegram.pacing import Limits, Priority, priority
from bot.telegram.turn import Turn
from dialogs.live import LiveContent

log = logging.getLogger(__name__)

BATCH = 50
"""Claimed per transaction; the pacer spreads them within Telegram's limits."""
IN_FLIGHT = 8
SHARE = 5 / 6
"""The part of Telegram's overall budget check-ins may spend, evenly (25 of the 30 messages a
second, one every 40 ms): the rest stays free for people's answers, and a send held up on its
way (a busy moment, a new connection) cannot make the next ones land over Telegram's count."""
ROUND_SECONDS = 20.0
"""How long one chores round keeps sending: the rest go in the next round, which the chores
start at once (the other chores wait no longer than this, the check-ins no pause)."""


@dataclass(frozen=True)
class Sent:
    """What a round sent, and whether its time ran out with check-ins still due."""

    count: int
    more: bool


@dataclass(frozen=True)
class Claimed:
    """One check-in to send now, and how to undo the claim if Telegram refuses it."""

    person: str
    chat: str
    locale: str
    was_due: datetime
    was_sent_day: date | None
    due_now: datetime
    """Its due moment after the claim: a later change by the person leaves the row alone."""
    once: bool


class CheckinService:
    def __init__(
        self,
        content: LiveContent,
        sessions: async_sessionmaker[AsyncSession],
        sealer: Sealer,
        clock: Callable[[], datetime] = utcnow,
        limits: Limits | None = None,
    ) -> None:
        """`limits`: Telegram's, as the bot's pacer keeps them (None: none, nor a share)."""
        self._content = content
        self._sessions = sessions
        self._sealer = sealer
        self._clock = clock
        overall = limits.overall if limits is not None else None
        self._spacing = overall.seconds / (overall.count * SHARE) if overall else 0.0
        self._next_turn = 0.0

    def handlers(self) -> dict[type[dialogs.Effect], EffectHandler]:
        return {dialogs.Checkin: self.change, dialogs.CheckinAnswer: self.answered}

    # -- a person's presses, in their update's transaction ------------------------------

    async def change(self, turn: Turn, effect: dialogs.Effect) -> None:
        assert isinstance(effect, dialogs.Checkin)
        store = Checkins(await turn.transaction.session())
        change, now = effect.change, self._clock()
        if change.stop:
            if await store.stop(turn.pseudonym):
                log.info("checkins.stopped person=%s", turn.pseudonym)
            return
        row = await store.of(turn.pseudonym)
        if change.days is not None or change.weekday is not None:
            await self._schedule(turn, store, row, effect, now)
        elif row is not None:
            plan = timing.Plan(
                part=change.part or row.part, zone=change.zone or row.zone, weekday=row.weekday
            )
            row.due_at = timing.moved(now, row.due_at, row.zone, plan)
            row.part, row.zone = plan.part, plan.zone
        log.info("checkins.changed person=%s", turn.pseudonym)

    async def _schedule(
        self,
        turn: Turn,
        store: Checkins,
        row: Checkin | None,
        effect: dialogs.Checkin,
        now: datetime,
    ) -> None:
        checkins = self._content.current.checkins
        zone = row.zone if row else (checkins.zone_for(effect.locale) if checkins else "UTC")
        part = row.part if row else timing.DEFAULT_PART
        plan = timing.Plan(part=part, zone=zone, weekday=effect.change.weekday)
        days = effect.change.days
        due = timing.once(now, days, plan) if days is not None else timing.weekly(now, plan)
        chat = self._sealer.seal_chat(turn.chat_id)
        if row is None:
            row = Checkin(person=turn.pseudonym, part=part, zone=zone, last_sent_day=None)
            await store.put(row)
        row.chat, row.locale, row.weekday, row.due_at = chat, effect.locale, plan.weekday, due

    async def answered(self, turn: Turn, effect: dialogs.Effect) -> None:
        assert isinstance(effect, dialogs.CheckinAnswer)
        store = Checkins(await turn.transaction.session())
        await store.count_answer(self._clock().date(), effect.answer)

    # -- the chores: send what is due ------------------------------------------------

    async def send_due(self, bot: Bot, *, seconds: float = ROUND_SECONDS) -> Sent:
        """Send the check-ins due now, for at most about `seconds`: how many were sent, and
        whether more are due (the time ran out, not the check-ins)."""
        content = self._content.current
        if content.checkins is None:
            return Sent(0, more=False)
        deadline, sent, more = time.monotonic() + seconds, 0, False
        while True:
            claimed, looked, moved = await self._claim(self._clock())
            if claimed:
                sent += await self._send_all(bot, content, claimed)
            if looked < BATCH or not moved:
                break  # all done, or only ones waiting for their morning are left
            if time.monotonic() >= deadline:
                # Only when some went out: ones Telegram keeps refusing wait for a later round.
                more = sent > 0
                break
        if sent:
            log.info("checkins.sent count=%s more=%s", sent, more)
        return Sent(sent, more)

    async def _claim(self, now: datetime) -> tuple[list[Claimed], int, int]:
        """Decide the next batch: skipped ones move on, the ones to send are claimed.
        Returns the claimed, how many were looked at, and how many were claimed or moved."""
        claimed: list[Claimed] = []
        moved = 0
        async with self._sessions.begin() as session:
            store = Checkins(session)
            rows = await store.due(now, BATCH)
            for row in rows:
                decision = timing.decide(now, row.due_at, row.zone, row.last_sent_day)
                if decision is timing.Decision.WAIT:
                    continue
                moved += 1
                plan = timing.Plan(part=row.part, zone=row.zone, weekday=row.weekday)
                following = timing.following(now, plan)
                if decision is timing.Decision.SKIP:
                    if following is None:
                        await store.stop(row.person)
                    else:
                        row.due_at = following
                    continue
                was_due, was_sent_day = row.due_at, row.last_sent_day
                row.last_sent_day = timing.local(now, row.zone).date()
                row.due_at = following or row.due_at
                claimed.append(
                    Claimed(
                        row.person,
                        row.chat,
                        row.locale,
                        was_due,
                        was_sent_day,
                        row.due_at,
                        once=following is None,
                    )
                )
        return claimed, len(rows), moved

    async def _send_all(self, bot: Bot, content: dialogs.Content, claimed: list[Claimed]) -> int:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(item: Claimed) -> bool:
            async with gate:
                return await self._send_one(bot, content, item)

        with priority(Priority.CHORE):
            results = await asyncio.gather(*(one(item) for item in claimed))
        return sum(results)

    async def _send_one(self, bot: Bot, content: dialogs.Content, item: Claimed) -> bool:
        shown = dialogs.render_checkin(content, item.locale)
        if shown is None:
            return False
        await self._turn()
        try:
            await send.reply(bot, self._sealer.open_chat(item.chat), shown)
        except TelegramForbiddenError:
            await self._after(item, stop=True)  # blocked: never written to again unasked
            log.info("checkins.blocked person=%s", item.person)
            return False
        except TelegramNetworkError as exc:
            # It may have arrived: at most once wins over at least once for a check-in.
            log.warning("checkins.maybe_sent error=%s", kind(exc))
            return False
        except TelegramAPIError as exc:
            await self._restore(item)  # refused for sure: try again later the same day
            log.warning("checkins.not_sent error=%s", kind(exc))
            return False
        if item.once:
            await self._after(item, stop=False)
        return True

    async def _turn(self) -> None:
        """Wait for this check-in's place in the share: one every `_spacing` seconds."""
        now = time.monotonic()
        at = max(now, self._next_turn)
        self._next_turn = at + self._spacing
        if at > now:
            await asyncio.sleep(at - now)

    async def _after(self, item: Claimed, *, stop: bool) -> None:
        """A single one went out, or the person blocked the bot: the row goes."""
        async with self._sessions.begin() as session:
            store = Checkins(session)
            row = await store.of(item.person)
            if row is not None and (stop or row.due_at == item.due_now):
                await store.stop(item.person)

    async def _restore(self, item: Claimed) -> None:
        async with self._sessions.begin() as session:
            row = await Checkins(session).of(item.person)
            if row is not None and row.due_at == item.due_now:
                row.due_at, row.last_sent_day = item.was_due, item.was_sent_day

    async def numbers(self) -> tuple[int, dict[str, int]]:
        """For /stats: how many have check-ins on, and the answers counted."""
        async with self._sessions() as session:
            store = Checkins(session)
            return await store.count_on(), await store.answers()
