"""What both sides of the handoff share: the volunteers' group and its words, the card and the
topic's name of a case, who is a volunteer, and how a case ends.

The person is known to volunteers only by the case number; messages are copied (never
forwarded), so no origin shows. What is stored: the case under the person's pseudonym, the raw
chat id while the case is open, and pairs of message ids; all of it is forgotten at the end.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import ChatMemberRestricted
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.config import Settings
from bot.conversation.state import STATE_KEY, stored_locale
from bot.handoff import rules
from bot.handoff.hours import Hours
from bot.handoff.words import Words
from bot.privacy.logs import kind, safe
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.models import Case, CaseStatus, utcnow
from bot.storage.repositories import Cases, Volunteers
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.send import Buttons
from bot.telegram.turn import Turn
from dialogs import Content

log = logging.getLogger(__name__)

CASE_KEY = "case"
"""Where the person's open case number lives in their FSM data."""
MEMBERSHIP_SECONDS = 60.0
"""How long a getChatMember answer is trusted (in memory only)."""
VOLUNTEER_STATUSES = {
    ChatMemberStatus.CREATOR,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


async def is_talking(turn: Turn) -> bool:
    """The person has a case open: what they send is for a volunteer."""
    return bool((await turn.fsm.get_data()).get(CASE_KEY))


async def no_volunteers(turn: Turn, effect: dialogs.Effect) -> None:
    """Without a volunteers' group nobody can be asked. The step the person sees says so
    itself, with where help is right now (its text knows `volunteers` is "none")."""
    log.warning("handoff.no_volunteer_group person=%s", turn.pseudonym)


class Desk:
    """The volunteers' group as both sides of the handoff see it."""

    def __init__(
        self,
        *,
        content: Content,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        pseudonyms: Pseudonymizer,
        storage: BaseStorage,
        hours: Hours | None = None,
    ) -> None:
        assert settings.VOLUNTEER_CHAT_ID is not None, "handoff runs only with a group"
        self.content = content
        self.settings = settings
        self.group_id: int = settings.VOLUNTEER_CHAT_ID
        self.words = Words(content)
        self.sessions = sessions
        self.pseudonyms = pseudonyms
        self.hours = hours
        self._storage = storage
        self._members: dict[int, tuple[bool, float]] = {}
        # Volunteers on duty, pseudonym -> Telegram id, to mention them in reminders. Only in
        # memory: after a restart, /duty on again makes a volunteer mentionable.
        self._reachable: dict[str, int] = {}

    def cases(self, transaction: Transaction) -> Cases:
        return Cases(transaction, self.sessions)

    def locale_of(self, data: dict[str, Any]) -> str:
        default = self.content.default_locale
        return stored_locale(data, default) or default

    # -- volunteers --------------------------------------------------------------------------

    def volunteer(self, user_id: int) -> str:
        return self.pseudonyms.of("volunteer", user_id)

    async def is_volunteer(self, bot: Bot, user_id: int) -> bool:
        """A member of the volunteers' group; asked of Telegram, remembered for a minute."""
        known = self._members.get(user_id)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            member = await send.member(bot, self.group_id, user_id)
        except TelegramAPIError:
            return False
        ok = member.status in VOLUNTEER_STATUSES or (
            isinstance(member, ChatMemberRestricted) and member.is_member
        )
        self._members[user_id] = (ok, time.monotonic() + MEMBERSHIP_SECONDS)
        return ok

    def on_duty(self, volunteer: str, user_id: int | None) -> None:
        """Mentionable while on duty (user_id), or no longer (None)."""
        if user_id is None:
            self._reachable.pop(volunteer, None)
        else:
            self._reachable[volunteer] = user_id

    def gone(self, user_id: int) -> str:
        """A volunteer left the group: forgotten here; their pseudonym."""
        self._members.pop(user_id, None)
        volunteer = self.volunteer(user_id)
        self._reachable.pop(volunteer, None)
        return volunteer

    async def on_duty_mentions(self, transaction: Transaction) -> Markup:
        """Links that notify the volunteers on duty (only those whose id we know now)."""
        mentions = []
        for volunteer in await Volunteers(transaction).on_duty():
            user_id = self._reachable.get(volunteer.pseudonym)
            if user_id is not None:
                alias = volunteer.alias or self.words.label(self.words.texts.default_alias)
                mentions.append(Markup('<a href="tg://user?id={}">{}</a>').format(user_id, alias))
        return Markup(", ").join(mentions)

    async def alias_of(self, transaction: Transaction, volunteer: str) -> str:
        alias = await Volunteers(transaction).alias(volunteer)
        return alias or self.words.label(self.words.texts.default_alias)

    # -- what the group sees of a case -------------------------------------------------------

    def card(self, case: Case) -> tuple[str, Buttons]:
        """The card of a case waiting to be taken: its words and its Take button."""
        waited = rules.minutes_between(case.created_at, utcnow())
        text = self.words.text(self.words.texts.card, **self.words.case_names(case), waited=waited)
        return text, self.words.take(case)

    def waiting_name(self, case: Case) -> str:
        return self.words.label(self.words.texts.topic_name, **self.words.case_names(case))

    async def show_case(self, bot: Bot, transaction: Transaction, case: Case) -> None:
        """The topic's name and the card as the case stands now: waiting or taken, urgent."""
        names = self.words.case_names(case)
        if case.status == CaseStatus.TAKEN:
            names["alias"] = await self.alias_of(transaction, case.volunteer or "")
            topic = self.words.label(self.words.texts.topic_taken_name, **names)
            card: tuple[str, Buttons] = (self.words.text(self.words.texts.taken, **names), ())
        else:
            topic, card = self.waiting_name(case), self.card(case)
        if case.card_message_id is not None:
            await send.edit(bot, self.group_id, case.card_message_id, card[0], buttons=card[1])
        if case.thread_id is not None:
            await send.rename_topic(bot, self.group_id, case.thread_id, topic)

    async def alert(self, bot: Bot, transaction: Transaction, case: Case) -> None:
        """An urgent case: a message in its topic that notifies the volunteers on duty now."""
        if case.thread_id is None:
            return
        try:
            await self.remind(bot, transaction, case, utcnow())
        except TelegramAPIError as exc:
            log.warning("handoff.not_alerted case=%s error=%s", case.id, kind(exc))
        case.reminded_at = utcnow()

    async def remind(self, bot: Bot, transaction: Transaction, case: Case, now: datetime) -> None:
        """The reminder in a case's topic, mentioning the volunteers on duty."""
        assert case.thread_id is not None
        text = self.words.text(
            self.words.texts.reminder,
            **self.words.case_names(case),
            waited=rules.minutes_between(case.created_at, now),
            on_duty=await self.on_duty_mentions(transaction),
        )
        await send.message(bot, self.group_id, text, thread_id=case.thread_id)

    # -- the end ----------------------------------------------------------------------------

    async def end(
        self,
        bot: Bot,
        transaction: Transaction,
        case: Case,
        *,
        by_person: bool,
        volunteer: str | None = None,
    ) -> None:
        """Both sides told, the topic closed, and who and where forgotten."""
        await transaction.checkpoint()  # the person's conversation storage is written below
        texts = self.words.texts
        if case.chat_id is not None:
            locale = case.locale or self.words.group
            ended = texts.ended_by_you if by_person else texts.ended_by_volunteer
            await send.tell(bot, case.chat_id, self.words.text(ended, locale))
            if case.status == CaseStatus.TAKEN:  # a conversation took place
                await self._ask_if_it_helped(bot, case.chat_id, locale)
            await self._forget_case_of(bot, case.chat_id)
        if case.thread_id is not None:
            if by_person:
                text = self.words.text(texts.person_ended)
            else:
                alias = await self.alias_of(transaction, volunteer or "")
                text = self.words.text(texts.volunteer_ended, alias=alias)
            try:
                await send.message(bot, self.group_id, text, thread_id=case.thread_id)
                await send.close_topic(bot, self.group_id, case.thread_id)
            except TelegramAPIError as exc:
                log.warning("handoff.topic_not_closed case=%s error=%s", case.id, kind(exc))
        await self.cases(transaction).close(case)
        if self.settings.CASE_TOPIC_DELETE_HOURS == 0:
            await self.delete_topics(bot, transaction, utcnow())
        log.info(
            "handoff.ended case=%s by=%s", case.id, safe("person" if by_person else "volunteer")
        )

    async def _ask_if_it_helped(self, bot: Bot, chat_id: int, locale: str) -> None:
        try:
            await send.message(
                bot,
                chat_id,
                self.words.text(self.words.texts.did_it_help, locale),
                buttons=self.words.helped(locale),
            )
        except TelegramAPIError as exc:
            log.warning("handoff.not_asked_if_helped error=%s", kind(exc))

    async def _forget_case_of(self, bot: Bot, chat_id: int) -> None:
        """The person's next words go to the bot again, which waits for them at the menu."""
        key = StorageKey(bot_id=bot.id, chat_id=chat_id, user_id=chat_id)
        fsm = FSMContext(storage=self._storage, key=key)
        locale = self.locale_of(await fsm.get_data())
        menu = dialogs.State(locale=locale, at=self.content.menu)
        await fsm.update_data({CASE_KEY: None, STATE_KEY: menu.to_json()})

    async def delete_topics(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """Delete the topics (with all their messages) of cases closed long enough ago."""
        deleted = 0
        for case in await self.cases(transaction).closed_with_topic():
            if case.thread_id is None or not rules.topic_deletable(
                closed_at=case.closed_at, now=now, keep_hours=self.settings.CASE_TOPIC_DELETE_HOURS
            ):
                continue
            try:
                await send.delete_topic(bot, self.group_id, case.thread_id)
            except TelegramAPIError as exc:
                log.warning("handoff.topic_not_deleted case=%s error=%s", case.id, kind(exc))
                if not isinstance(exc, TelegramBadRequest):
                    continue  # try again next round; a bad request means it is gone already
            case.thread_id = None
            case.card_message_id = None
            deleted += 1
        return deleted
