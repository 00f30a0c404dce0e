"""A person's update handed back by Telegram after the process died while handling it: what it
caused is neither lost nor done twice, and the person is not left without an answer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from aiogram.methods import CreateForumTopic

from bot.conversation.state import STATE_KEY
from bot.telegram.turn import BEFORE_KEY, LAST_UPDATE_KEY
from dialogs import Content
from tests.bot_harness import ALA, GROUP, Harness, person

PRESS = 101
"""The update id of the press below (the harness numbers the query 100, the update 101)."""


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP)
    harness.session.members.add(ALA.id)
    yield harness
    await harness.close()


async def died_after_saving_the_step(bot: Harness, update_id: int) -> None:
    """The step of `update_id` was saved, then the process died before what it caused (and
    the record that the update was handled) was committed."""
    key = bot.storage_key(person())
    data = await bot.dispatcher.storage.get_data(key)
    moved_on = {**data, LAST_UPDATE_KEY: update_id, BEFORE_KEY: data[STATE_KEY]}
    await bot.dispatcher.storage.set_data(key, moved_on)
    bot._update_ids = itertools.count(update_id - 1)


async def test_a_request_for_a_person_cut_off_before_it_was_recorded_is_made_when_handed_back(
    bot: Harness,
) -> None:
    zoe = person()
    await bot.say(zoe, "/human")
    await died_after_saving_the_step(bot, PRESS)
    await bot.press(zoe, "About feelings")  # Telegram hands the press back
    assert len(bot.session.sent(CreateForumTopic)) == 1, "the volunteers were asked"
    assert any(m.text.startswith("Thank you. I've asked a volunteer") for m in bot.to(zoe))


async def test_a_request_handed_back_after_it_was_recorded_is_not_made_twice(
    bot: Harness,
) -> None:
    zoe = person()
    await bot.say(zoe, "/human")
    bot._update_ids = itertools.count(PRESS - 1)
    await bot.press(zoe, "About feelings", on=bot.last_to(zoe))
    answers = len(bot.to(zoe))
    bot._update_ids = itertools.count(PRESS - 1)
    await bot.press(zoe, "About feelings", on=bot.to(zoe)[0])  # the same update, again
    assert len(bot.session.sent(CreateForumTopic)) == 1, "asked once"
    assert len(bot.to(zoe)) == answers, "handled to the end before: nothing more to say"
