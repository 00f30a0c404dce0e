"""Check-ins end to end (#16): the real `volnyja-bot run` on a wall clock the test moves
(libfaketime, tests/process_clock.py). A person asks for a check-in; days later, at their time
of day, it comes with its neutral first line; "it's hard" opens the feelings flow; "stop" stops
them; and afterwards neither the database files nor the log hold the person's chat id."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialogs import Content, Position, Reply, render_checkin, render_step, to_plain
from dialogs.engine import CHECKIN_PREFIX
from dialogs.loading import discretion
from tests.conftest import id_forms, rows_mentioning
from tests.end_to_end import BotProcess, press, reply_after
from tests.process_clock import ProcessClock
from tests.telegram_double import FakeUser, SentMessage, TelegramDouble

ZOE = FakeUser(id=7395160913, first_name="Qwyxzvbnmk", username="zz_checkin_handle_q")
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FRIDAY_EVENING_IN_MINSK = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
"""19:00 in Minsk (UTC+3 all year), three days after Tuesday."""
SATURDAY_EVENING_IN_MINSK = FRIDAY_EVENING_IN_MINSK + timedelta(days=1)
ROUND = "chores.round"
"""What the bot logs (at DEBUG) as each round of its chores begins."""


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    yield telegram
    await telegram.stop()


@pytest.fixture
def clock(double: TelegramDouble, tmp_path: Path) -> ProcessClock:
    return ProcessClock(double, tmp_path, start=TUESDAY_NOON)


@pytest.fixture
async def bot(
    double: TelegramDouble, clock: ProcessClock, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """Chores every second; no pacing (a press is an edit and a message: paced like Telegram,
    a dozen of them take half a minute, and the double sets no limits)."""
    async with BotProcess(
        double,
        tmp_path,
        environment=clock.environment(),
        CHORES_SECONDS="1",
        TELEGRAM_PACING="false",
    ) as process:
        yield process


def step(content: Content, at: str, locale: str = "en") -> Reply:
    """A step as the bot shows it: `flow.step`, or a flow's start."""
    flow, _, name = at.partition(".")
    found = content.find(Position(flow, name or content.flows[flow].start))
    assert found is not None, at
    return render_step(content, found, locale)


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


class Person:
    """A person at their phone: what they do, and the bot's next message to them."""

    def __init__(self, double: TelegramDouble, user: FakeUser) -> None:
        self.double = double
        self.user = user

    def seen(self) -> int:
        return len(self.double.messages(self.user.id))

    async def says(self, text: str) -> SentMessage:
        before = self.seen()
        self.double.send_text(self.user, text)
        return await reply_after(self.double, self.user, before)

    async def presses(self, on: SentMessage, label: str) -> SentMessage:
        before = self.seen()
        press(self.double, self.user, on, label)
        return await reply_after(self.double, self.user, before)

    async def goes_through(self, on: SentMessage, *choices: str) -> SentMessage:
        for label in choices:
            on = await self.presses(on, label)
        return on


def checkins_kept(bot: BotProcess) -> int:
    """How many check-ins the database holds (read beside the running bot, WAL and all)."""
    with contextlib.closing(sqlite3.connect(bot.database)) as db:
        (count,) = db.execute("select count(*) from checkins").fetchone()
    return int(count)


async def chores_round_after(bot: BotProcess, double: TelegramDouble) -> None:
    """Until a whole round of the bot's chores has run since now (the next one has begun)."""
    begun = bot.log_text().count(ROUND)
    await double.wait_for(lambda: bot.log_text().count(ROUND) >= begun + 2, timeout=15)


async def test_a_person_asks_for_a_check_in_and_it_comes_days_later_at_their_time(
    double: TelegramDouble, clock: ProcessClock, bot: BotProcess, shipped: Content
) -> None:
    zoe = Person(double, ZOE)

    # Tuesday noon: she asks for one in three days, in the evening, by Minsk time.
    welcome = await zoe.says("/start")
    menu = await zoe.presses(welcome, "Menu")
    offer = await zoe.presses(menu, "Check in on me now and then")
    assert offer.text == step(shipped, "checkin.offer").text
    done = await zoe.goes_through(offer, "In 3 days", "Evening", "Minsk time")
    assert done.text == step(shipped, "checkin.done").text

    # Friday, ten minutes before 19:00 in Minsk: not yet.
    waiting = zoe.seen()
    clock.set(FRIDAY_EVENING_IN_MINSK - timedelta(minutes=10))
    await chores_round_after(bot, double)
    assert zoe.seen() == waiting, "nothing before her time"

    # 19:01: it comes, and its first line, all a lock screen shows, says nothing about us.
    clock.set(FRIDAY_EVENING_IN_MINSK + timedelta(minutes=1))
    checkin = await reply_after(double, ZOE, waiting)
    expected = render_checkin(shipped, "en")
    assert expected is not None
    assert checkin.text == expected.text
    revealing, _ = discretion.words()
    first_line = to_plain(checkin.text or "").splitlines()[0]
    assert first_line, "a check-in opens with a line of its own"
    assert revealing.search(first_line) is None, first_line
    assert buttons(checkin) == [(b.label, b.data) for b in expected.buttons]
    assert [data for _, data in buttons(checkin)] == [f"{CHECKIN_PREFIX}{i}" for i in range(6)]

    # "It's hard" opens the feelings flow.
    feelings = await zoe.presses(checkin, "It's hard")
    assert feelings.text == step(shipped, "feelings").text

    # Now every Saturday evening; while they are on, her chat id is kept only sealed.
    menu = await zoe.says("/menu")
    offer = await zoe.presses(menu, "Check in on me now and then")
    done = await zoe.goes_through(offer, "Once a week", "Saturday", "Evening", "Minsk time")
    assert done.text == step(shipped, "checkin.done").text
    assert checkins_kept(bot) == 1
    running = bot.stored_bytes()
    for form in id_forms(ZOE.id):
        assert form not in running, f"a check-in keeps her id readable, as {form!r}"

    # Saturday 19:01 it comes; she stops them from the check-in itself.
    waiting = zoe.seen()
    clock.set(SATURDAY_EVENING_IN_MINSK + timedelta(minutes=1))
    weekly = await reply_after(double, ZOE, waiting)
    assert weekly.text == expected.text
    stopped = await zoe.presses(weekly, "Stop these messages")
    assert stopped.text == step(shipped, "checkin.stopped").text

    # A week later, at the same time: nothing.
    waiting = zoe.seen()
    clock.set(SATURDAY_EVENING_IN_MINSK + timedelta(days=7, minutes=1))
    await chores_round_after(bot, double)
    assert zoe.seen() == waiting, "stopped means stopped"

    assert await bot.stop() == 0
    log = bot.log_text()
    assert "checkins.sent count=1" in log
    errors = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    assert errors == [], "the bot ran on the moved clock without an error"
    stored = bot.stored_bytes()
    for form in id_forms(ZOE.id):
        assert form not in stored, f"her id is in the database files as {form!r}"
    for secret in (str(ZOE.id), ZOE.first_name, str(ZOE.username)):
        assert secret not in log, f"{secret} is in the log"
    assert checkins_kept(bot) == 0
    assert rows_mentioning(bot.database, ZOE.id) == []
