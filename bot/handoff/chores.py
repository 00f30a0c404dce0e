"""The handoff's periodic jobs: the digest of waiting cases in each group, telling people who
wait long honestly, deleting the topics of ended cases. The chores loop (bot/chores.py) runs
them; what they must send goes into the outbox like everything else."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiogram import Bot

from bot.handoff import rules
from bot.handoff.desk import Desk
from bot.storage.models import Case
from bot.storage.transaction import Transaction

log = logging.getLogger(__name__)


class HandoffChores:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.words = desk.words
        self._listed: dict[str, frozenset[int]] = {}  # what each group's digest shows now

    async def remind(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """One digest per group of the cases nobody took: posted anew (so that it notifies the
        volunteers on duty) when a case is due for its first reminder or an urgent one is due
        again; edited in place when only the list changed. Reminders in every topic would
        spend the group's 20 messages a minute that new cards need."""
        waiting: dict[str, list[Case]] = {key: [] for key in self.desk.groups.keys}
        for case in await self.desk.cases(transaction).waiting():
            waiting[self.desk.groups.key_or_first(case.group)].append(case)
        reminded = 0
        for group, cases in waiting.items():
            due = [case for case in cases if self._due(case, now)]
            listed = frozenset(case.id for case in cases)
            if not due and listed == self._listed.get(group, frozenset()):
                continue
            fresh = any(case.urgent or case.reminded_at is None for case in due)
            text = await self._digest(transaction, cases, now)
            await self.desk.post.digest(transaction, group, text, fresh=fresh)
            self._listed[group] = listed
            for case in due:
                case.reminded_at = now
            reminded += len(due)
        return reminded

    def _due(self, case: Case, now: datetime) -> bool:
        return rules.reminder_due(
            urgent=case.urgent,
            last=case.reminded_at or case.created_at,
            now=now,
            remind_minutes=self.desk.settings.HANDOFF_REMIND_MINUTES,
        )

    async def _digest(self, transaction: Transaction, cases: list[Case], now: datetime) -> str:
        listed: list[dict[str, Any]] = [
            {**self.words.case_names(case), "waited": rules.minutes_between(case.created_at, now)}
            for case in sorted(cases, key=lambda c: (not c.urgent, c.id))
        ]
        mentions = await self.desk.on_duty_mentions(transaction)
        return self.words.text(self.words.texts.digest, cases=listed, on_duty=mentions)

    async def tell_long_waits(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """Nobody came for HANDOFF_TIMEOUT_MINUTES (URGENT_TIMEOUT_MINUTES for an urgent case):
        say so honestly, show where help is now, and offer the choices."""
        told = 0
        settings = self.desk.settings
        for case in await self.desk.cases(transaction).waiting():
            due = rules.long_wait_due(
                urgent=case.urgent,
                last=case.person_told_at or case.created_at,
                now=now,
                timeout_minutes=settings.HANDOFF_TIMEOUT_MINUTES,
                urgent_minutes=settings.URGENT_TIMEOUT_MINUTES,
            )
            chat = self.desk.chat_of(case)
            if chat is None or not due:
                continue
            locale = case.locale or self.words.group
            texts = self.words.texts.urgent_timeout if case.urgent else self.words.texts.timeout
            waited = rules.minutes_between(case.created_at, now)
            text = self.words.text(texts, locale, waited=waited)
            await self.desk.post.tell(transaction, case, chat, text, self.words.waiting(locale))
            case.person_told_at = now
            told += 1
        return told

    async def delete_old_topics(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        return await self.desk.delete_topics(transaction, now)
