"""A surge against Telegram's limits: many people ask for a volunteer within a minute, some
urgently, volunteers take the cases and talk. The real bot in-process (tests/live_bot.py) on the
Bot API double with the limits switched on.

    python -m benchmarks.bench_surge [--askers 40 300] [--scale 10] [--urgent-every 4]

Time is compressed `scale` times on both sides (every window of the limits is that much
shorter), so figures are given in Telegram's time. Reported per surge: requests dropped (target
0); the time until the last card against the limit-bound minimum of an ideal sender that spends
the whole group budget on topics and cards (target: within 1.5x); the longest wait of an urgent
card; priority inversions (0); 429 answers per group message (under 5%); relays lost,
duplicated, reordered (0); people told "a volunteer was asked" before their request was
recorded (0); people told the volunteers could not be reached (0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from dialogs import load_content
from tests.live_bot import LiveBot
from tests.surge import Surge, ideal_last_card, limits
from tests.telegram_double import FakeUser, TelegramDouble

ROOT = Path(__file__).resolve().parents[1]
GROUP = -1001234567890


async def one_surge(
    askers: int, scale: float, urgent_every: int, spread: float
) -> dict[str, float]:
    content = load_content(ROOT / "content").content
    assert content is not None
    volunteers = [FakeUser(id=9100 + i, first_name=f"V{i}") for i in range(5)]
    double = TelegramDouble()
    await double.start()
    double.add_group(
        GROUP, "Volunteers", is_forum=True, members={v.id: "member" for v in volunteers}
    )
    bot_limits, telegram_limits = limits(scale)
    double.enforce_limits(telegram_limits)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bot.db"
        async with LiveBot(
            double, database, content, limits=bot_limits, VOLUNTEER_CHAT_ID=str(GROUP)
        ):
            surge = Surge(double, str(database), GROUP, scale)
            surge.watch()
            started = time.monotonic()
            await surge.everyone_asks(askers, urgent_every=urgent_every, spread=spread / scale)
            ideal_seconds = askers * 2 * 60 / 20 / scale + 120
            try:
                cards = await surge.all_cards(within=3 * ideal_seconds)
            except AssertionError:
                cards = surge.cards()
            asked = [a.asked_at for a in surge.askers]
            first = min(asked)
            ideal = (ideal_last_card(asked, bot_limits.group) - first) * scale
            last = (max((c.sent_at for c in cards), default=first) - first) * scale
            figures = {
                "askers": askers,
                "dropped": askers - len(cards),
                "last_card_s": last,
                "ideal_s": ideal,
                "ratio": last / ideal if ideal else 0.0,
                "urgent_wait_s": surge.longest_urgent_wait(),
                "inversions": surge.inversions(bot_limits.group),
                "too_many": surge.too_many_in_group(),
                "group_messages": surge.group_messages(),
                "told_too_early": surge.told_too_early,
                "told_unreachable": surge.told_unreachable,
            }
            talk = await surge.take_and_talk(volunteers, within=3 * ideal_seconds)
            figures["lost"], figures["duplicated"], figures["reordered"] = talk.faults()
            figures["wall_s"] = time.monotonic() - started
    await double.stop()
    return figures


def report(f: dict[str, float]) -> str:
    share = f["too_many"] / f["group_messages"] if f["group_messages"] else 0.0
    return (
        f"{int(f['askers'])} askers: dropped {int(f['dropped'])}; last card after "
        f"{f['last_card_s']:.0f} s, ideal {f['ideal_s']:.0f} s = {f['ratio']:.2f}x "
        "(target <= 1.5); "
        f"longest urgent wait {f['urgent_wait_s']:.0f} s; inversions {int(f['inversions'])}; "
        f"429s {int(f['too_many'])} per {int(f['group_messages'])} group messages = {share:.1%}; "
        f"relays lost {int(f['lost'])}, duplicated {int(f['duplicated'])}, reordered "
        f"{int(f['reordered'])}; told 'asked' before recorded {int(f['told_too_early'])}; told "
        f"'unreachable' {int(f['told_unreachable'])}; wall {f['wall_s']:.0f} s"
    )


async def main(askers: list[int], scale: float, urgent_every: int, spread: float) -> int:
    met = True
    for count in askers:
        figures = await one_surge(count, scale, urgent_every, spread)
        print(report(figures), flush=True)
        share = figures["too_many"] / max(1, figures["group_messages"])
        met &= (
            figures["dropped"] == 0
            and figures["ratio"] <= 1.5
            and figures["inversions"] == 0
            and share < 0.05
            and figures["lost"] + figures["duplicated"] + figures["reordered"] == 0
            and figures["told_too_early"] + figures["told_unreachable"] == 0
        )
    print("targets: " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--askers", type=int, nargs="+", default=[40, 300])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--urgent-every", type=int, default=4)
    parser.add_argument("--spread", type=float, default=60.0, help="Telegram seconds")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.askers, args.scale, args.urgent_every, args.spread)))
