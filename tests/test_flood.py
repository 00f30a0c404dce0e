"""Anti-flood (#6): many messages at once are slowed down gently; none for a volunteer is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.methods import CopyMessage
from aiogram.types import User

from bot.conversation.flood import BURST, TOLD_EVERY_SECONDS
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person

TOO_FAST = "You're writing faster than I can answer"


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP)
    harness.session.members.add(ALA.id)
    yield harness
    await harness.close()


async def in_a_case(bot: Harness, who: User) -> None:
    await bot.say(who, "/human")
    await bot.press(who, "About feelings")
    await bot.press(who, "No, thank you")  # the question about sharing the path
    await bot.press_in_group(ALA, bot.in_group()[-1])


def relayed(bot: Harness) -> list[CopyMessage]:
    return [c for c in bot.session.sent(CopyMessage) if c.chat_id == GROUP]


async def test_a_person_writing_many_messages_at_once_is_told_once_gently(bot: Harness) -> None:
    zoe = person()
    await bot.say(zoe, "/start")
    answered_before = len(bot.to(zoe))
    for i in range(BURST + 20):
        await bot.say(zoe, f"word {i}", pause=0)
    replies = [m.text for m in bot.to(zoe)[answered_before:]]
    told = [t for t in replies if t.startswith(TOO_FAST)]
    assert len(told) == 1, "said once, not once per message"
    answered = [t for t in replies if t.startswith("I'm a helper with prepared answers")]
    assert len(answered) == BURST - 1, "the rest of the allowance is answered, the others skipped"

    await bot.say(zoe, "/menu", pause=TOLD_EVERY_SECONDS)
    assert not bot.last_to(zoe).text.startswith(TOO_FAST), "a moment later all is as before"


async def test_messages_for_a_volunteer_are_slowed_down_never_lost(bot: Harness) -> None:
    zoe = person()
    await in_a_case(bot, zoe)
    started = bot.clock.now
    ids = [await bot.say(zoe, f"line {i}", pause=0) for i in range(BURST + 15)]
    assert [c.message_id for c in relayed(bot)] == ids, "every one, in order"
    assert bot.clock.now - started >= 14, "slowed to about one a second"
    assert not any(m.text.startswith(TOO_FAST) for m in bot.to(zoe))


async def test_one_person_flooding_does_not_hold_up_anyone_else(bot: Harness) -> None:
    zoe, ales = person(user_id=5550021), person(user_id=5550022)
    await in_a_case(bot, zoe)
    # Zoe's flood is slowed to about 2 s of real time: long enough, even on a busy machine,
    # for Ales's /start to be answered before it ends.
    bot.clock.real_seconds_per_second = 0.07
    flood = [asyncio.create_task(bot.say(zoe, f"line {i}", pause=0)) for i in range(BURST + 30)]
    await asyncio.sleep(0.05)
    await bot.say(ales, "/start")
    ales_answered_at = len(bot.session.requests)
    await asyncio.gather(*flood)
    assert len(relayed(bot)) == BURST + 30
    last_relay = max(i for i, r in enumerate(bot.session.requests) if isinstance(r, CopyMessage))
    assert ales_answered_at < last_relay, "Ales was answered while Zoe's messages still waited"
