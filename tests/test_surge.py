"""Under a surge, with Telegram's limits switched on in the double, every promise holds: nobody is
dropped, urgent cards go first, the bot paces itself instead of collecting 429s, and every
relayed message arrives once, in order. (Time runs 10x faster on both sides; the benchmark
bench_surge plays bigger surges.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs import Content
from tests.live_bot import LiveBot
from tests.surge import Surge, ideal_last_card, limits
from tests.telegram_double import FakeUser, TelegramDouble

GROUP = -1001234567890
SCALE = 10.0
VOLUNTEERS = [FakeUser(id=9100 + i, first_name=f"V{i}") for i in range(3)]


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    telegram = TelegramDouble()
    await telegram.start()
    telegram.add_group(
        GROUP, "Volunteers", is_forum=True, members={v.id: "member" for v in VOLUNTEERS}
    )
    yield telegram
    await telegram.stop()


async def test_a_surge_of_requests_is_delivered_urgent_first_within_telegrams_limits(
    double: TelegramDouble, shipped: Content, tmp_path: Path
) -> None:
    bot_limits, telegram_limits = limits(SCALE)
    double.enforce_limits(telegram_limits)
    database = tmp_path / "bot.db"
    async with LiveBot(double, database, shipped, limits=bot_limits, VOLUNTEER_CHAT_ID=str(GROUP)):
        surge = Surge(double, str(database), GROUP, SCALE)
        surge.watch()
        await surge.everyone_asks(16, urgent_every=4, spread=1.0)
        cards = await surge.all_cards(within=90)
        assert len(cards) == 16, "nobody dropped"
        assert surge.told_too_early == 0, "'a volunteer was asked' only once it is recorded"
        assert surge.told_unreachable == 0, "nobody told 'could not reach the volunteers'"
        assert surge.inversions(bot_limits.group) == 0, "no card went before a waiting urgent one"
        messages = surge.group_messages()
        assert surge.too_many_in_group() <= 0.05 * messages, "the bot paces, not Telegram"

        asked = [a.asked_at for a in surge.askers]
        ideal = ideal_last_card(asked, bot_limits.group) - min(asked)
        last = max(card.sent_at for card in cards) - min(asked)
        assert last <= 1.5 * ideal + 1.0, "near the ceiling Telegram's limits allow"

        talk = await surge.take_and_talk(VOLUNTEERS, within=120)
        assert talk.faults() == (0, 0, 0), "relays: none lost, none twice, none out of order"
