"""The pacer keeps Telegram's limits before Telegram refuses, and spends them on who needs them
most: an urgent send goes before one queued earlier, a 429 pauses a chat once for everyone."""

from __future__ import annotations

import asyncio

from bot.telegram.pacing import Limits, Pacer, Priority, Window, counts_as_message

GROUP = -100123
PERSON = 5551234


def fast(group: Window | None = None) -> Limits:
    """Telegram's shape of limits, faster: tests wait tenths of a second, not minutes."""
    return Limits(
        overall=Window(30, 0.1), private_chat=Window(3, 0.3), group=group or Window(2, 0.2)
    )


async def test_sends_to_a_group_are_spread_to_its_window() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(Window(2, 0.2)), clock=loop.time)
    started = loop.time()
    granted: list[float] = []

    async def send() -> None:
        await pacer.acquire(GROUP, Priority.CARD)
        granted.append(loop.time() - started)

    await asyncio.gather(*(send() for _ in range(5)))
    assert granted[1] < 0.05, "two at once"
    assert 0.19 < granted[2] < 0.3, "the third when the first leaves the window"
    assert 0.39 < granted[4] < 0.55


async def test_an_urgent_send_goes_before_cards_queued_earlier() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(Window(1, 0.1)), clock=loop.time)
    order: list[str] = []

    async def send(name: str, level: Priority) -> None:
        await pacer.acquire(GROUP, level)
        order.append(name)

    first = asyncio.create_task(send("card 1", Priority.CARD))
    await asyncio.sleep(0)
    cards = [asyncio.create_task(send(f"card {i}", Priority.CARD)) for i in (2, 3, 4)]
    await asyncio.sleep(0.01)
    urgent = asyncio.create_task(send("urgent", Priority.URGENT))
    await asyncio.gather(first, urgent, *cards)
    assert order == ["card 1", "urgent", "card 2", "card 3", "card 4"]


async def test_a_group_held_for_an_urgent_send_does_not_hold_up_private_answers() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(Window(1, 0.5)), clock=loop.time)
    await pacer.acquire(GROUP, Priority.CARD)
    waiting = asyncio.create_task(pacer.acquire(GROUP, Priority.URGENT))
    await asyncio.sleep(0.01)
    started = loop.time()
    await pacer.acquire(PERSON, Priority.ANSWER)
    assert loop.time() - started < 0.05, "a person's answer does not wait for the group"
    assert not waiting.done()
    await waiting


async def test_a_429_pauses_the_chat_once_for_everyone_waiting_on_it() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(Window(20, 0.2)), clock=loop.time)
    pacer.pause(GROUP, 0.3)
    started = loop.time()
    await asyncio.gather(*(pacer.acquire(GROUP, Priority.TALK) for _ in range(3)))
    assert 0.29 < loop.time() - started < 0.45, "all three waited out the one pause"
    assert pacer.pauses == 1
    other = loop.time()
    await pacer.acquire(-100999, Priority.TALK)
    assert loop.time() - other < 0.05, "another group is not paused"


async def test_a_cancelled_wait_gives_its_place_to_the_next() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(Window(1, 0.2)), clock=loop.time)
    await pacer.acquire(GROUP, Priority.CARD)
    gone = asyncio.create_task(pacer.acquire(GROUP, Priority.URGENT))
    await asyncio.sleep(0.01)
    gone.cancel()
    started = loop.time()
    await pacer.acquire(GROUP, Priority.CHORE)
    assert loop.time() - started < 0.3
    assert pacer.waiting(GROUP) == 0


async def test_without_limits_nothing_waits_and_no_lane_is_kept() -> None:
    pacer = Pacer(None)
    await asyncio.gather(*(pacer.acquire(GROUP, Priority.CARD) for _ in range(100)))
    assert pacer.lanes_for(GROUP) == ()


async def test_idle_chats_are_forgotten() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(fast(), clock=loop.time)
    await asyncio.gather(*(pacer.acquire(person, Priority.ANSWER) for person in range(1, 50)))
    await asyncio.sleep(0.35)
    await pacer.acquire(1, Priority.ANSWER)
    await asyncio.sleep(0.05)
    assert len(pacer._lanes) <= 2, "only 'all' and the chat just written to"


def test_what_counts_as_a_message() -> None:
    counted = ["SendMessage", "CopyMessage", "EditMessageText", "CreateForumTopic"]
    not_counted = ["SendChatAction", "AnswerCallbackQuery", "GetChatMember", "DeleteMessages"]
    assert all(counts_as_message(name) for name in counted)
    assert not any(counts_as_message(name) for name in not_counted)
