"""The check-ins benchmark at a small size, so that it keeps working: check-ins due at the same
moment, sent by the real bot through the Bot API double with Telegram's limits on, arrive once
each, paced, while people's own answers still come (`python -m benchmarks.bench_checkins`
plays 1,000)."""

from __future__ import annotations

from benchmarks.bench_checkins import measure
from dialogs import Content

PEOPLE = 40


async def test_check_ins_due_at_once_arrive_once_each_paced_and_none_lost(
    shipped: Content,
) -> None:
    figures = await measure(shipped, PEOPLE, every=1.0, probes=2)
    ours = figures.ours
    assert ours.lost == 0
    assert ours.twice == 0
    assert ours.left_due == 0, "every row sent and moved on (or done)"
    assert ours.most_in_a_second() <= 30
    assert ours.too_many <= 2, "the bot paces itself (a stray 429 of a stalled loop is waited out)"
    assert ours.last <= figures.ideal.last + 3.0
    assert ours.answers_burst, "people wrote during the burst"
    assert max(ours.answers_burst) < 5.0, "and were answered"
    assert figures.naive is not None
    assert figures.naive.lost == 0
    assert figures.naive.too_many > 0, "Telegram's limits are on: an unpaced loop gets 429s"
