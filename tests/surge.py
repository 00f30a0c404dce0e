"""A surge, as a mass release brings it: many people ask for a volunteer within a minute, some
urgently; volunteers take the cases and talk. Played against the real bot (tests/live_bot.py)
on the Bot API double with Telegram's limits, and measured: what the test asserts and the
benchmark reports.

Time may be compressed (`scale`): every limit's window is `scale` times shorter on both sides,
so a surge Telegram would spread over half an hour plays in minutes; figures are given in
Telegram's time.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.privacy.pseudonyms import Pseudonymizer
from bot.telegram.pacing import Limits, Window
from tests.end_to_end import data_of
from tests.live_bot import KEY
from tests.telegram_double import FakeUser, FloodLimits, SentMessage, TelegramDouble

TAKE = "Узяць"
ASKED = ("Thank you. I've asked a volunteer", "I've marked your request as urgent")
NOBODY = "I'm sorry, I couldn't pass your request on"


def limits(scale: float) -> tuple[Limits, FloodLimits]:
    """Telegram's limits with windows `scale` times shorter, for the bot and for the double."""
    bot = Limits(
        overall=Window(30, 1.0 / scale),
        private_chat=Window(3, 3.0 / scale),
        group=Window(20, 60.0 / scale),
    )
    double = FloodLimits(
        overall=(30, 1.0 / scale), private_chat=(3, 3.0 / scale), group=(20, 60.0 / scale)
    )
    return bot, double


def ideal_last_card(requests: Iterable[float], group: Window) -> float:
    """When the last card is out at best: a sender that spends the group's whole budget on the
    two messages of each case (topic, card), each as soon as it is asked for."""
    sent: list[float] = []
    for at in sorted(requests):
        for _ in range(2):
            moment = at
            if len(sent) >= group.count:
                moment = max(moment, sent[-group.count] + group.seconds)
            sent.append(max(moment, sent[-1] if sent else moment))
    return sent[-1] if sent else 0.0


@dataclass
class Asker:
    user: FakeUser
    urgent: bool
    asked_at: float = 0.0


@dataclass
class Surge:
    double: TelegramDouble
    database: str
    group: int
    scale: float
    askers: list[Asker] = field(default_factory=list)
    told_too_early: int = 0
    told_unreachable: int = 0
    _pseudonyms: Pseudonymizer = field(default_factory=lambda: Pseudonymizer(KEY))
    _takers: dict[int, FakeUser] = field(default_factory=dict)
    told: dict[int, tuple[float, bool]] = field(default_factory=dict)
    """Case number -> when its person was told it is recorded, and whether it is urgent."""

    def watch(self) -> None:
        """Each "a volunteer was asked" is checked at the moment it is sent: is the request in
        the database already?"""
        self.double.watchers.append(self._told)

    def _told(self, message: SentMessage) -> None:
        text = message.text or ""
        if text.startswith(NOBODY):
            self.told_unreachable += 1
        if not text.startswith(ASKED):
            return
        person = self._pseudonyms.person(message.chat_id)
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            found = db.execute("select id, urgent from cases where person = ?", (person,))
            case = found.fetchone()
        if case is None:
            self.told_too_early += 1
        else:
            self.told[int(case[0])] = (message.sent_at, bool(case[1]))

    async def ask(self, asker: Asker) -> None:
        self.double.send_text(asker.user, "/human")
        ask = await self._reply(asker.user, "I'll ask a volunteer")
        asker.asked_at = time.monotonic()
        label = "It's urgent" if asker.urgent else "About feelings"
        self.double.press(asker.user, ask.message_id, data_of(ask, label))

    async def everyone_asks(self, count: int, urgent_every: int, spread: float) -> None:
        self.askers = [
            Asker(FakeUser(id=7_000_000 + i, first_name=f"P{i}"), urgent=i % urgent_every == 0)
            for i in range(1, count + 1)
        ]
        pause = spread / max(1, count)

        async def one(index: int, asker: Asker) -> None:
            await asyncio.sleep(index * pause)
            await self.ask(asker)

        await asyncio.gather(*(one(i, a) for i, a in enumerate(self.askers)))

    def cards(self) -> list[SentMessage]:
        return [
            m
            for m in self.double.messages(self.group)
            if m.reply_markup and TAKE in str(m.reply_markup)
        ]

    async def all_cards(self, within: float) -> list[SentMessage]:
        await self.double.wait_for(lambda: len(self.cards()) >= len(self.askers), timeout=within)
        return self.cards()

    async def _reply(self, user: FakeUser, start: str) -> SentMessage:
        def found() -> list[SentMessage]:
            return [m for m in self.double.messages(user.id) if (m.text or "").startswith(start)]

        return (await self.double.wait_for(found, timeout=120))[-1]

    # -- what happened, from the double's record and the database -------------------------------

    def topic_calls(self) -> list[tuple[float, bool]]:
        """Each topic created: when, and whether it was an urgent case's."""
        return [(at, urgent) for at, urgent, _ in self._topics()]

    def _topics(self) -> list[tuple[float, bool, int]]:
        """Each topic created: when, urgent, and its case number (the name starts #N)."""
        found = []
        for call in self.double.calls:
            if call.method.lower() == "createforumtopic":
                name = str(call.params.get("name"))
                number = int(name.split(" ", 1)[0].lstrip("#"))
                found.append((call.at, "тэрмінова" in name, number))
        return found

    def recorded(self) -> list[tuple[int, float, bool]]:
        """Each case: number, when it was surely recorded (its person was told so: that is
        said only after the commit), urgent."""
        return [(number, at, urgent) for number, (at, urgent) in sorted(self.told.items())]

    def inversions(self, group: Window, noticed_after: float = 0.05) -> int:
        """Non-urgent cases whose topic took a place in the group's budget an urgent case,
        recorded already, was waiting for: one recorded later that overtook it, or any that
        took the last place of the window. The sender sees a commit a moment after it (woken,
        it reads the queue): an urgent case counts as waiting `noticed_after` seconds after
        its person was told."""
        topics = self._topics()
        recorded = {number: at for number, at, _ in self.recorded()}
        opened = {number: at for at, _, number in topics}
        sends = sorted(self._group_send_times())
        count = 0
        for number, at, urgent in self.recorded():
            if not urgent or number not in opened:
                continue
            for topic_at, other_urgent, other in topics:
                if other_urgent or not at + noticed_after < topic_at < opened[number]:
                    continue
                overtook = recorded[other] > at
                in_window = sum(1 for t in sends if topic_at - group.seconds <= t < topic_at)
                count += int(overtook or in_window >= group.count - 1)
        return count

    def _group_send_times(self) -> list[float]:
        counted = ("send", "copy", "edit", "createforumtopic", "closeforumtopic")
        return [
            call.at
            for call in self.double.calls
            if call.method.lower().startswith(counted)
            and str(call.params.get("chat_id")) == str(self.group)
        ]

    def longest_urgent_wait(self) -> float:
        """From an urgent request recorded to its topic created, the longest, Telegram's time."""
        opened = {number: at for at, _, number in self._topics()}
        waits = [
            opened[number] - at
            for number, at, urgent in self.recorded()
            if urgent and number in opened
        ]
        return max(waits, default=0.0) * self.scale

    def group_messages(self) -> int:
        return len(self._group_send_times())

    def too_many_in_group(self) -> int:
        return sum(1 for _, chat in self.double.too_many if chat == self.group)

    # -- volunteers take the cases and talk ---------------------------------------------------

    async def take_and_talk(self, volunteers: list[FakeUser], within: float) -> Talk:
        """Each card taken; in each case two messages each way; what arrived, checked."""
        cards = self.cards()
        for index, card in enumerate(cards):
            volunteer = volunteers[index % len(volunteers)]
            assert card.thread_id is not None
            self._takers[card.thread_id] = volunteer
            self.double.press_in_group(self.group, volunteer, card.message_id, data_of(card, TAKE))
        people = [a.user for a in self.askers]
        await self.double.wait_for(
            lambda: all(self._got(p, "A volunteer is here now") for p in people), timeout=within
        )
        threads = {card.thread_id for card in cards if card.thread_id is not None}
        for thread in threads:
            taker = self._taker(thread)
            for line in (1, 2):
                self.double.post_in_topic(self.group, taker, thread, f"v-{thread}-{line}")
        await self.double.wait_for(
            lambda: all(self._person_of(t) is not None for t in threads), timeout=within
        )
        pairs = {thread: self._person_of(thread) for thread in threads}
        for person in pairs.values():
            assert person is not None
            for line in (1, 2):
                self.double.send_text(person, f"p-{person.id}-{line}")
        talk = Talk(pairs, self.double, self.group)
        await self.double.wait_for(lambda: talk.arrived() >= 4 * len(pairs), timeout=within)
        return talk

    def _got(self, user: FakeUser, start: str) -> bool:
        return any((m.text or "").startswith(start) for m in self.double.messages(user.id))

    def _taker(self, thread: int) -> FakeUser:
        return self._takers[thread]

    def _person_of(self, thread: int) -> FakeUser | None:
        for asker in self.askers:
            if self._got(asker.user, f"v-{thread}-1"):
                return asker.user
        return None


@dataclass
class Talk:
    """The relays of a surge's conversations, as they arrived."""

    pairs: dict[int, FakeUser | None]
    double: TelegramDouble
    group: int

    def _lines(self, chat: int, prefix: str, thread: int | None = None) -> list[str]:
        messages = (
            self.double.thread_messages(chat, thread) if thread else self.double.messages(chat)
        )
        return [m.text or "" for m in messages if (m.text or "").startswith(prefix)]

    def arrived(self) -> int:
        count = 0
        for thread, person in self.pairs.items():
            if person is not None:
                count += len(self._lines(person.id, "v-"))
                count += len(self._lines(self.group, f"p-{person.id}-", thread))
        return count

    def faults(self) -> tuple[int, int, int]:
        """Relays lost, duplicated, out of order (both ways)."""
        lost = duplicated = reordered = 0
        for thread, person in self.pairs.items():
            assert person is not None
            got = [
                (self._lines(person.id, f"v-{thread}-"), [f"v-{thread}-1", f"v-{thread}-2"]),
                (
                    self._lines(self.group, f"p-{person.id}-", thread),
                    [f"p-{person.id}-1", f"p-{person.id}-2"],
                ),
            ]
            for lines, expected in got:
                missing = len(set(expected) - set(lines))
                lost += missing
                duplicated += len(lines) - len(set(lines))
                in_order = list(dict.fromkeys(lines)) == expected
                reordered += int(not missing and not in_order)
        return lost, duplicated, reordered
