"""The handoff's mail: every message it must send unprompted (a case's topic and card, relays
both ways, notices to the person, edits, the digest) is added to the outbox here, in the
transaction of the change that causes it. Nothing here talks to Telegram (bot/handoff/jobs.py
delivers); this decides order, priority and which budget each message spends.

Per case, three sequences keep order where it matters: the topic's messages (topic, card,
relays, notes, closing), its face (renames and card edits, which may wait), and the person's
messages (notices and relays).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from bot.delivery.outbox import PERSON_LANE, Outbox, group_lane
from bot.handoff.groups import Groups
from bot.storage.models import Case
from bot.storage.transaction import Transaction
from bot.telegram.pacing import Limits, Priority
from bot.telegram.send import Buttons

GROUP_MESSAGES_PER_CASE = 2
"""A new case costs its group two messages: the topic and the card."""


def sequence(case: Case, side: str) -> str:
    return f"case:{case.id}:{side}"


class Post:
    def __init__(
        self, outbox: Callable[[Transaction], Outbox], groups: Groups, limits: Limits | None
    ) -> None:
        self._outbox = outbox
        self._groups = groups
        self._limits = limits

    # -- the topic ------------------------------------------------------------------------------

    async def new_case(
        self, transaction: Transaction, case: Case, name: str, card: tuple[str, Buttons]
    ) -> None:
        level = Priority.URGENT if case.urgent else Priority.CARD
        await self._group(transaction, case, "topic", {"name": name}, level)
        text, buttons = card
        await self._group(transaction, case, "card", _message(text, buttons), level)

    async def new_card(
        self, transaction: Transaction, case: Case, card: tuple[str, Buttons]
    ) -> None:
        """A fresh card in the case's topic (its volunteer left: the old card named them)."""
        level = Priority.URGENT if case.urgent else Priority.CARD
        await self._group(transaction, case, "card", _message(*card), level)

    async def in_topic(
        self, transaction: Transaction, case: Case, text: str, *, reply_to: int | None = None
    ) -> None:
        """A message of the bot in the case's topic (a note, a summary, an alert)."""
        payload = {**_message(text, ()), "reply_to": reply_to}
        await self._group(transaction, case, "in_topic", payload, self._talk(case))

    async def relay_in(self, transaction: Transaction, case: Case, chat: int, message: int) -> None:
        """The person's message, copied into the topic."""
        payload = {"chat": chat, "message": message}
        await self._group(transaction, case, "relay_in", payload, self._talk(case))

    async def relay_edit(
        self, transaction: Transaction, case: Case, person_message: int, text: str
    ) -> None:
        payload = {"person_message": person_message, "text": text}
        await self._group(transaction, case, "relay_edit", payload, self._talk(case))

    async def close(self, transaction: Transaction, case: Case) -> None:
        await self._group(transaction, case, "close", {}, Priority.EDIT)

    async def delete(self, transaction: Transaction, case: Case) -> None:
        await self._group(
            transaction, case, "delete", {}, Priority.CHORE, replaces=f"delete:{case.id}"
        )

    # -- the topic's face -----------------------------------------------------------------------

    async def card(self, transaction: Transaction, case: Case, text: str, buttons: Buttons) -> None:
        """The card as the case stands now; an older edit not sent yet is dropped."""
        await self._outbox(transaction).add(
            "edit_card",
            {"case": case.id, **_message(text, buttons)},
            sequence=sequence(case, "face"),
            lane=self._lane(case),
            priority=Priority.URGENT if case.urgent else Priority.EDIT,
            replaces=f"card:{case.id}",
        )

    async def rename(self, transaction: Transaction, case: Case, name: str) -> None:
        await self._outbox(transaction).add(
            "rename",
            {"case": case.id, "name": name},
            sequence=sequence(case, "face"),
            lane=self._lane(case),
            priority=Priority.URGENT if case.urgent else Priority.EDIT,
            replaces=f"name:{case.id}",
        )

    # -- the person -----------------------------------------------------------------------------

    async def tell(
        self, transaction: Transaction, case: Case, chat: int, text: str, buttons: Buttons = ()
    ) -> None:
        """A notice to the person (a volunteer came, the case ended)."""
        payload = {"case": case.id, "chat": chat, **_message(text, buttons)}
        await self._person(transaction, case, "tell", payload)

    async def relay_out(
        self, transaction: Transaction, case: Case, chat: int, message: int
    ) -> None:
        """The volunteer's message, copied to the person (protected: no forwarding, no saving)."""
        payload = {"case": case.id, "chat": chat, "message": message}
        await self._person(transaction, case, "relay_out", payload)

    # -- the group ------------------------------------------------------------------------------

    async def digest(self, transaction: Transaction, group: str, text: str, *, fresh: bool) -> None:
        """The list of waiting cases in the group's General topic: edited in place, or posted
        anew (`fresh`) so that the mentions in it notify the volunteers on duty."""
        await self._outbox(transaction).add(
            "digest",
            {"group": group, "text": text, "fresh": fresh},
            sequence=f"digest:{group}",
            lane=group_lane(group),
            priority=Priority.CHORE,
            replaces=f"digest:{group}",
        )

    async def hurry(self, transaction: Transaction, case: Case) -> None:
        """The case became urgent: what waits for it goes first now."""
        sides = [sequence(case, side) for side in ("group", "face", "person")]
        await self._outbox(transaction).hurry(sides, Priority.URGENT)

    async def minutes_until_seen(self, transaction: Transaction, case: Case) -> int:
        """Roughly when volunteers see this new case: the cards ahead of it in its group's queue,
        at the group's pace (20 messages a minute)."""
        if self._limits is None:
            return 0
        level = Priority.URGENT if case.urgent else Priority.CARD
        ahead = await self._outbox(transaction).ahead(self._lane(case), level, "card")
        window = self._limits.group
        messages = ahead * GROUP_MESSAGES_PER_CASE
        return math.ceil(messages * window.seconds / window.count / 60)

    # -- how -------------------------------------------------------------------------------------

    def _talk(self, case: Case) -> Priority:
        return Priority.URGENT if case.urgent else Priority.TALK

    def _lane(self, case: Case) -> str:
        return group_lane(self._groups.key_or_first(case.group))

    async def _group(
        self,
        transaction: Transaction,
        case: Case,
        kind: str,
        payload: dict[str, Any],
        level: Priority,
        *,
        replaces: str | None = None,
    ) -> None:
        await self._outbox(transaction).add(
            kind,
            {"case": case.id, **payload},
            sequence=sequence(case, "group"),
            lane=self._lane(case),
            priority=level,
            replaces=replaces,
        )

    async def _person(
        self, transaction: Transaction, case: Case, kind: str, payload: dict[str, Any]
    ) -> None:
        await self._outbox(transaction).add(
            kind,
            payload,
            sequence=sequence(case, "person"),
            lane=PERSON_LANE,
            priority=self._talk(case),
        )


def _message(text: str, buttons: Buttons) -> dict[str, Any]:
    return {"text": text, "buttons": [list(button) for button in buttons]}
