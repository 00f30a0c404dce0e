"""The chores' loop and the check-ins' rounds in it: a round that ran out of time with
check-ins still due is followed by the next at once, not after the usual pause, and check-ins
go out evenly within their share of Telegram's budget (1,000 due at the same minute are
measured by `python -m benchmarks.bench_checkins`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from sqlalchemy import func, select

from bot.app import CHECKINS
from bot.checkins import timing
from bot.checkins.service import BATCH, SHARE, CheckinService, Sent
from bot.chores import chores_forever
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.db import create_sessionmaker
from bot.storage.models import Checkin
from bot.telegram.pacing import Limits
from dialogs import Content
from tests.bot_harness import PSEUDONYM_KEY, Harness

ZONE = "Europe/Minsk"
FIRST_CHAT = 7_100_000


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url)
    harness.wall.now = timing.at_part(harness.wall.now.date(), "afternoon", ZONE)
    yield harness
    await harness.close()


async def due(bot: Harness, people: int) -> None:
    """Check-ins of `people` people, all due now."""
    pseudonyms = Pseudonymizer(PSEUDONYM_KEY)
    async with create_sessionmaker(bot.engine).begin() as session:
        for chat in range(FIRST_CHAT, FIRST_CHAT + people):
            session.add(
                Checkin(
                    person=pseudonyms.person(chat),
                    chat=bot.sealer.seal_chat(chat),
                    locale="en",
                    weekday=None,
                    part="afternoon",
                    zone=ZONE,
                    due_at=bot.wall.now,
                    last_sent_day=None,
                )
            )


async def left(bot: Harness) -> int:
    async with create_sessionmaker(bot.engine)() as session:
        return int((await session.execute(select(func.count(Checkin.person)))).scalar_one())


async def test_a_round_out_of_time_says_more_are_due_and_the_next_sends_them(
    bot: Harness,
) -> None:
    await due(bot, BATCH + 5)
    checkins: CheckinService = bot.dispatcher[CHECKINS]
    assert await checkins.send_due(bot.bot, seconds=0) == Sent(BATCH, more=True)
    assert await checkins.send_due(bot.bot, seconds=0) == Sent(5, more=False)
    assert len(bot.session.sent(SendMessage)) == BATCH + 5
    assert await left(bot) == 0, "single check-ins are done once sent"


async def test_a_round_whose_check_ins_are_refused_does_not_come_back_at_once(
    bot: Harness,
) -> None:
    await due(bot, BATCH + 5)
    refused = TelegramBadRequest(method=SendMessage(chat_id=1, text="x"), message="refused")
    bot.session.fail(SendMessage, *([refused] * BATCH))
    checkins: CheckinService = bot.dispatcher[CHECKINS]
    assert await checkins.send_due(bot.bot, seconds=0) == Sent(0, more=False)
    assert await left(bot) == BATCH + 5, "refused ones are due again, for a later round"


async def test_check_ins_go_out_evenly_within_their_share_of_telegrams_budget(
    shipped: Content, database: Path
) -> None:
    paced = Harness(shipped, f"sqlite+aiosqlite:///{database}", limits=Limits())
    paced.wall.now = timing.at_part(paced.wall.now.date(), "afternoon", ZONE)
    try:
        await due(paced, 26)
        checkins: CheckinService = paced.dispatcher[CHECKINS]
        started = time.monotonic()
        assert await checkins.send_due(paced.bot) == Sent(26, more=False)
        took = time.monotonic() - started
    finally:
        await paced.close()
    every = Limits().overall.seconds / (Limits().overall.count * SHARE)
    assert took >= 25 * every, "one every 40 ms: 25 a second, 5 left for people's answers"


async def test_the_chores_come_back_at_once_after_a_round_that_asks_for_it() -> None:
    starts: list[float] = []
    answers = iter([True, False, False])
    third = asyncio.Event()

    async def one_round() -> bool:
        starts.append(time.monotonic())
        if len(starts) == 3:
            third.set()
        return next(answers)

    loop = asyncio.create_task(chores_forever(one_round, every=0.3))
    await asyncio.wait_for(third.wait(), timeout=5)
    loop.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loop
    assert starts[1] - starts[0] < 0.1, "at once after a round with more to do"
    assert starts[2] - starts[1] >= 0.3, "the usual pause after one without"
