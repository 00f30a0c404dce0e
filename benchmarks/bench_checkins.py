"""Check-ins against Telegram's limits: many people's check-ins due at the same minute, sent by
the real bot (tests/live_bot.py: polling, dispatcher, pacer, retries) to the Bot API double
with Telegram's limits switched on, in Telegram's own time (no compression).

    python -m benchmarks.bench_checkins [--people 1000] [--every 30] [--probes 5]

The check-ins are rows of the checkins table (sealed chats, as the presses leave them), all due
at one moment; bot/chores.py's own loop runs the rounds of chores (`every` seconds apart), and
the bot's wall clock reaches the due moment as the first round starts (in production a round
comes up to `every` seconds after it: add that to the delays). Meanwhile `probes` people write
to the bot, each waiting for the answer and a second more before writing again.

Reported, against two baselines of the same run: the ideal sender that spends the whole overall
budget (30 a second) from the due moment on, and a naive loop (8 at a time, no pacer, waiting
out each 429's retry_after) on a fresh double. Figures: check-ins lost and sent twice (target
0), 429 answers (target at most 1% of the check-ins), the most in any second, the time until
the last one arrived against the ideal's (target within 1.5x), the delay after the due moment
(median, 95th percentile), the longest round (how long the other chores waited), and the
answers' latency during the burst against the same people's before it (target: p95 under 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import CHECKINS, CLEARING
from bot.checkins import timing
from bot.checkins.service import CheckinService
from bot.chores import chores_forever, round_of_chores
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.models import Checkin, utcnow
from bot.telegram import send
from bot.telegram.pacing import Limits
from bot.telegram.send import PARSE_MODE
from dialogs import Content, load_content, render_checkin
from tests.live_bot import KEY, LiveBot
from tests.telegram_double import FakeUser, FloodLimits, TelegramDouble

ROOT = Path(__file__).resolve().parents[1]
FIRST_ID = 5_000_000
PROBE_ID = 4_000_000
LOCALES = ("be", "ru", "en")
ZONE = "Europe/Minsk"
DUE = timing.at_part(utcnow().date(), "afternoon", ZONE)
"""Today, 15:00 in Minsk: every check-in of the run is due at this moment (today's: the chores'
retention, on the real clock, purges rows due long ago)."""
PROBE_TEXTS = ("/menu", "/help")
PROBE_PAUSE = 2.0
"""Seconds a probing person waits after an answer: their chat stays under its own limit (3
messages in 3 seconds), so that only the check-ins could hold their answers up."""
PROBE_TURNS = 2
"""Messages of each probing person before the burst, the answers' latency when idle."""
NAIVE_IN_FLIGHT = 8


class MovingClock:
    """The bot's wall clock: set to a moment, it runs on from there in real time."""

    def __init__(self, at: datetime) -> None:
        self.move_to(at)

    def move_to(self, at: datetime) -> None:
        self._at, self._since = at, time.monotonic()

    def __call__(self) -> datetime:
        return self._at + timedelta(seconds=time.monotonic() - self._since)


@dataclass
class Delivery:
    """What arrived at the double, from the due moment on (monotonic `start`)."""

    name: str
    people: int
    arrivals: list[float]
    """Seconds after the due moment, one per check-in that arrived (sorted)."""
    lost: int
    twice: int
    too_many: int
    """429 answers the double gave."""
    rounds: list[float] = field(default_factory=list)
    """Seconds each chores round took (ours only)."""
    answers_idle: list[float] = field(default_factory=list)
    answers_burst: list[float] = field(default_factory=list)
    """Reply latencies of the probing people, before and during the burst (ours only)."""
    left_due: int = 0
    """Rows still due in the database at the end (ours only)."""
    answers_too_many: int = 0
    """429 answers the double gave to the probing people's answers (ours only)."""

    @property
    def last(self) -> float:
        return self.arrivals[-1] if self.arrivals else math.inf

    def percentile(self, q: float) -> float:
        return percentile(self.arrivals, q)

    def most_in_a_second(self) -> int:
        """The most arrivals in any window of one second (Telegram's overall limit: 30)."""
        most, first = 0, 0
        for index, at in enumerate(self.arrivals):
            while self.arrivals[first] <= at - 1.0:
                first += 1
            most = max(most, index - first + 1)
        return most

    def rate(self) -> float:
        """Check-ins a second from the first to the last."""
        span = self.last - self.arrivals[0] if len(self.arrivals) > 1 else 0.0
        return (len(self.arrivals) - 1) / span if span > 0 else math.nan


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ideal(people: int, limits: Limits) -> Delivery:
    """The best any sender can do: the whole overall budget from the due moment on, a window's
    worth at once and again as soon as the window has passed."""
    window = limits.overall
    arrivals = [(index // window.count) * window.seconds for index in range(people)]
    return Delivery("ideal", people, arrivals, lost=0, twice=0, too_many=0)


def chats(people: int) -> list[int]:
    return [FIRST_ID + i for i in range(people)]


def arrived(double: TelegramDouble, name: str, people: int, start: float) -> Delivery:
    counts = [len(double.messages(chat)) for chat in chats(people)]
    arrivals = sorted(
        m.sent_at - start for chat in chats(people) for m in double.messages(chat)[:1]
    )
    return Delivery(
        name,
        people,
        arrivals,
        lost=sum(1 for c in counts if c == 0),
        twice=sum(c - 1 for c in counts if c > 1),
        too_many=len(double.too_many),
    )


async def seed(
    sessions: async_sessionmaker[AsyncSession], sealer: Sealer, people: int, zone: str
) -> None:
    """The rows the people's presses would have left: half weekly (on the due's weekday), half
    once, all due at DUE; languages in turn."""
    pseudonyms = Pseudonymizer(KEY)
    weekday = timing.local(DUE, zone).weekday()
    async with sessions.begin() as session:
        for index, chat in enumerate(chats(people)):
            session.add(
                Checkin(
                    person=pseudonyms.person(chat),
                    chat=sealer.seal_chat(chat),
                    locale=LOCALES[index % len(LOCALES)],
                    weekday=weekday if index % 2 == 0 else None,
                    part="afternoon",
                    zone=zone,
                    due_at=DUE,
                    last_sent_day=None,
                )
            )


async def due_now(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    async with sessions() as session:
        query = select(func.count(Checkin.person)).where(Checkin.due_at <= now)
        return int((await session.execute(query)).scalar_one())


async def ask(double: TelegramDouble, user: FakeUser, text: str) -> float:
    """The person writes; the seconds until the bot's answer arrived (inf: none in 30 s)."""
    before = len(double.messages(user.id))
    sent_at = time.monotonic()
    double.send_text(user, text)
    try:
        replies = await double.wait_for_messages(user.id, before + 1, timeout=30)
    except AssertionError:
        return math.inf
    return replies[before].sent_at - sent_at


async def probe(
    double: TelegramDouble, users: list[FakeUser], going: Callable[[int], bool]
) -> list[float]:
    """Each person writes, waits for the answer and PROBE_PAUSE more, again, while
    `going(turn)`: the answers' latencies. They start one after another, not all at once."""
    latencies: list[float] = []

    async def person(index: int, user: FakeUser) -> None:
        await asyncio.sleep(index * PROBE_PAUSE / len(users))
        turn = 0
        while going(turn):
            latencies.append(await ask(double, user, PROBE_TEXTS[turn % len(PROBE_TEXTS)]))
            turn += 1
            await asyncio.sleep(PROBE_PAUSE)

    await asyncio.gather(*(person(i, u) for i, u in enumerate(users)))
    return latencies


async def ours(
    content: Content,
    people: int,
    *,
    every: float,
    probes: int,
) -> Delivery:
    """The real bot sends them, as the chores do."""
    double = TelegramDouble()
    await double.start()
    for chat in chats(people):
        double.add_user(FakeUser(id=chat, first_name=f"P{chat}"))
    probers = [
        FakeUser(id=PROBE_ID + i, first_name=f"Q{i}", language_code="en") for i in range(probes)
    ]
    double.enforce_limits(FloodLimits())
    clock = MovingClock(DUE - timedelta(hours=1))
    try:
        with tempfile.TemporaryDirectory() as folder:
            live = LiveBot(
                double,
                Path(folder) / "bot.db",
                content,
                limits=Limits(),
                wall_clock=clock,
                CHORES_SECONDS=3600,  # this benchmark runs the rounds itself, below
            )
            async with live:
                assert live.sessions is not None
                assert live.bot is not None
                assert live.dispatcher is not None
                sessions, bot, dispatcher = live.sessions, live.bot, live.dispatcher
                await seed(sessions, live.sealer, people, ZONE)
                idle = await probe(double, probers, lambda turn: turn < PROBE_TURNS)
                checkins: CheckinService = dispatcher[CHECKINS]
                rounds: list[float] = []
                start = 0.0
                none_due = asyncio.Event()
                probing: list[asyncio.Task[list[float]]] = []

                def going(turn: int) -> bool:
                    return not none_due.is_set()

                async def one_round() -> bool:
                    """bot/chores.py's round; the first is when the check-ins fall due."""
                    nonlocal start
                    if not rounds:
                        clock.move_to(DUE)
                        start = time.monotonic()
                        probing.append(asyncio.create_task(probe(double, probers, going)))
                    began = time.monotonic()
                    again = await round_of_chores(
                        bot,
                        sessions,
                        clearing=dispatcher[CLEARING],
                        handoff=None,
                        retention_days=live.settings.RETENTION_DAYS,
                        checkins=checkins,
                    )
                    rounds.append(time.monotonic() - began)
                    if not await due_now(sessions, clock()):
                        none_due.set()
                    return again

                chores = asyncio.create_task(chores_forever(one_round, every=every))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(none_due.wait(), timeout=every + 600)
                none_due.set()
                chores.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await chores
                result = arrived(double, "ours", people, start)
                burst = await probing[0] if probing else []
                result.rounds, result.answers_idle, result.answers_burst = rounds, idle, burst
                probed = {user.id for user in probers}
                result.answers_too_many = sum(1 for _, chat in double.too_many if chat in probed)
                result.left_due = await due_now(sessions, clock())
    finally:
        await double.stop()
    return result


async def naive(content: Content, people: int) -> Delivery:
    """A plain loop, 8 at a time, no pacer: each 429's retry_after waited out, then again."""
    double = TelegramDouble()
    await double.start()
    for chat in chats(people):
        double.add_user(FakeUser(id=chat, first_name=f"P{chat}"))
    double.enforce_limits(FloodLimits())
    session = AiohttpSession(api=TelegramAPIServer.from_base(double.url))
    bot = Bot(double.token, session=session, default=DefaultBotProperties(parse_mode=PARSE_MODE))
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for index, chat in enumerate(chats(people)):
        queue.put_nowait((chat, LOCALES[index % len(LOCALES)]))

    async def worker() -> None:
        while not queue.empty():
            chat, locale = queue.get_nowait()
            shown = render_checkin(content, locale)
            assert shown is not None
            while True:
                try:
                    await send.reply(bot, chat, shown)
                    break
                except TelegramRetryAfter as exc:
                    await asyncio.sleep(exc.retry_after)

    start = time.monotonic()
    try:
        await asyncio.gather(*(worker() for _ in range(NAIVE_IN_FLIGHT)))
        result = arrived(double, "naive loop", people, start)
    finally:
        await session.close()
        await double.stop()
    return result


@dataclass
class Figures:
    ours: Delivery
    naive: Delivery | None
    ideal: Delivery

    def table(self) -> str:
        best = self.ideal.last

        def times(d: Delivery) -> str:
            return f"{d.last / best:.2f}" if best else "-"

        rows: list[tuple[str, Callable[[Delivery], str]]] = [
            ("check-ins", lambda d: str(d.people)),
            ("lost", lambda d: str(d.lost)),
            ("sent twice", lambda d: str(d.twice)),
            ("429 answers", lambda d: str(d.too_many)),
            ("most in any second", lambda d: str(d.most_in_a_second())),
            ("a second, first to last", lambda d: f"{d.rate():.1f}"),
            ("last arrived after due, s", lambda d: f"{d.last:.1f}"),
            ("  x ideal", times),
            ("delay p50, s", lambda d: f"{d.percentile(0.5):.1f}"),
            ("delay p95, s", lambda d: f"{d.percentile(0.95):.1f}"),
        ]
        columns = [self.ours, *([self.naive] if self.naive else []), self.ideal]
        lines = [["", *(d.name for d in columns)]]
        lines += [[label, *(show(d) for d in columns)] for label, show in rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        text = [
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
            for line in lines
        ]
        o = self.ours
        text.append(
            f"ours: {len(o.rounds)} round(s) of {', '.join(f'{r:.1f}' for r in o.rounds)} s "
            f"(the other chores wait that long); still due at the end: {o.left_due}"
        )
        for when, latencies in (("during the burst", o.answers_burst), ("before", o.answers_idle)):
            text.append(
                f"answers to people writing {when}: {len(latencies)}, p50 "
                f"{percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
                f"max {max(latencies, default=math.nan):.2f} s"
            )
        text[-2] += f" ({o.answers_too_many} of the 429s were theirs)"
        return "\n".join(text)

    def met(self) -> bool:
        o = self.ours
        return (
            o.lost == 0
            and o.twice == 0
            and o.left_due == 0
            and o.too_many <= 0.01 * o.people
            and o.most_in_a_second() <= 30
            and o.last <= 1.5 * self.ideal.last + 1.0
            and percentile(o.answers_burst, 0.95) < 2.0
        )


async def measure(
    content: Content,
    people: int,
    *,
    every: float,
    probes: int,
    baseline: bool = True,
) -> Figures:
    ours_ = await ours(content, people, every=every, probes=probes)
    naive_ = await naive(content, people) if baseline else None
    return Figures(ours_, naive_, ideal(people, Limits()))


async def main(people: int, every: float, probes: int) -> int:
    logging.getLogger("bot").setLevel(logging.ERROR)  # a 429 waited out is counted, not told
    content = load_content(ROOT / "content").content
    assert content is not None
    figures = await measure(content, people, every=every, probes=probes)
    print(figures.table())
    targets = (
        "targets (none lost or twice, 429s <= 1%, <= 30 in any second, last <= 1.5x ideal, "
        "answers p95 < 2 s): "
    )
    print(targets + ("met" if figures.met() else "MISSED"))
    return 0 if figures.met() else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between rounds")
    parser.add_argument("--probes", type=int, default=5, help="people writing meanwhile")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.people, args.every, args.probes)))
