"""The handoff's periodic jobs: reminding volunteers, telling people who wait honestly, and
deleting the topics of ended cases. The chores loop (bot/chores.py) runs them."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.handoff import rules
from bot.handoff.desk import Desk
from bot.privacy.logs import kind
from bot.storage.transaction import Transaction
from bot.telegram import send

log = logging.getLogger(__name__)


class HandoffChores:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.words = desk.words

    async def remind(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """A reminder in the topic of each case waiting too long; urgent ones sooner."""
        reminded = 0
        for case in await self.desk.cases(transaction).waiting():
            due = rules.reminder_due(
                urgent=case.urgent,
                last=case.reminded_at or case.created_at,
                now=now,
                remind_minutes=self.desk.settings.HANDOFF_REMIND_MINUTES,
            )
            if case.thread_id is None or not due:
                continue
            try:
                await self.desk.remind(bot, transaction, case, now)
            except TelegramAPIError as exc:
                log.warning("handoff.not_reminded case=%s error=%s", case.id, kind(exc))
                continue
            case.reminded_at = now
            reminded += 1
        return reminded

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
            if case.chat_id is None or not due:
                continue
            locale = case.locale or self.words.group
            texts = self.words.texts.urgent_timeout if case.urgent else self.words.texts.timeout
            waited = rules.minutes_between(case.created_at, now)
            text = self.words.text(texts, locale, waited=waited)
            try:
                await send.message(bot, case.chat_id, text, buttons=self.words.waiting(locale))
            except TelegramAPIError as exc:
                log.warning("handoff.wait_not_told case=%s error=%s", case.id, kind(exc))
                continue
            case.person_told_at = now
            told += 1
        return told

    async def delete_old_topics(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        return await self.desk.delete_topics(bot, transaction, now)
