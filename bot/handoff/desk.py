"""What both sides of the handoff share: the volunteers' groups and their words, the card and the
topic's name of a case, who is a volunteer, and how a case ends.

The person is known to volunteers only by the case number; messages are copied (never
forwarded), so no origin shows. What is stored: the case under the person's pseudonym, where
to write to them (sealed) while the case is open, and pairs of message ids; all of it is
forgotten at the end. What the group and the person must be sent goes through the outbox
(`post`), recorded with the change that causes it.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import ChatMemberRestricted
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.config import Settings
from bot.conversation.state import STATE_KEY, stored_locale
from bot.handoff import rules
from bot.handoff.groups import Groups
from bot.handoff.hours import Hours
from bot.handoff.post import Post
from bot.handoff.words import Words
from bot.privacy.logs import safe
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.models import Case, CaseStatus, utcnow
from bot.storage.repositories import Cases, Volunteers
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.send import Buttons
from bot.telegram.turn import Turn
from dialogs import Content
from dialogs.live import LiveContent

log = logging.getLogger(__name__)

CASE_KEY = "case"
"""Where the person's open case number lives in their FSM data."""
HELPED_KEY = "helped_asked"
"""The one-time token of the "did it help" question the person was asked (FSM data)."""
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
    """The volunteers' groups as both sides of the handoff see them."""

    def __init__(
        self,
        *,
        content: LiveContent,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        pseudonyms: Pseudonymizer,
        sealer: Sealer,
        storage: BaseStorage,
        post: Post,
        groups: Groups,
        hours: Hours | None = None,
    ) -> None:
        self.live = content
        self.settings = settings
        self.groups = groups
        self.words = Words(content)
        self.sessions = sessions
        self.pseudonyms = pseudonyms
        self.sealer = sealer
        self.post = post
        self.hours = hours
        self._storage = storage
        self._members: dict[tuple[int, int], tuple[bool, float]] = {}
        # Volunteers on duty, pseudonym -> Telegram id, to mention them. Only in memory: after
        # a restart, /duty on again makes a volunteer mentionable.
        self._reachable: dict[str, int] = {}

    @property
    def content(self) -> Content:
        """The content live now, read afresh by every use."""
        return self.live.current

    def cases(self, transaction: Transaction) -> Cases:
        return Cases(transaction, self.sessions)

    def chat_of(self, case: Case) -> int | None:
        """Where to write to the person of an open case (None once it is closed)."""
        return self.sealer.open_chat(case.chat) if case.chat else None

    def group_chat(self, case: Case) -> int:
        return self.groups.chat_of(case.group)

    def locale_of(self, data: dict[str, Any]) -> str:
        default = self.content.default_locale
        return stored_locale(data, default) or default

    async def choose_group(self, transaction: Transaction, locale: str) -> str:
        """A group that speaks the language, the one where fewest cases wait."""
        candidates = self.groups.for_language(locale)
        if len(candidates) == 1:
            return candidates[0]
        cases = self.cases(transaction)
        waiting = {
            key: await cases.waiting_in(key, first=key == self.groups.first) for key in candidates
        }
        return min(candidates, key=lambda key: waiting[key])

    # -- volunteers --------------------------------------------------------------------------

    def volunteer(self, user_id: int) -> str:
        return self.pseudonyms.of("volunteer", user_id)

    async def is_volunteer(self, bot: Bot, group_chat: int, user_id: int) -> bool:
        """A member of that volunteers' group; asked of Telegram, remembered for a minute."""
        known = self._members.get((group_chat, user_id))
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            member = await send.member(bot, group_chat, user_id)
        except TelegramAPIError:
            return False
        ok = member.status in VOLUNTEER_STATUSES or (
            isinstance(member, ChatMemberRestricted) and member.is_member
        )
        self._members[(group_chat, user_id)] = (ok, time.monotonic() + MEMBERSHIP_SECONDS)
        return ok

    def on_duty(self, volunteer: str, user_id: int | None) -> None:
        """Mentionable while on duty (user_id), or no longer (None)."""
        if user_id is None:
            self._reachable.pop(volunteer, None)
        else:
            self._reachable[volunteer] = user_id

    def gone(self, group_chat: int, user_id: int) -> str:
        """A volunteer left a group: forgotten here; their pseudonym."""
        self._members.pop((group_chat, user_id), None)
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

    def card(self, case: Case, on_duty: Markup | str = "") -> tuple[str, Buttons]:
        """The card of a case waiting to be taken: its words and its Take button."""
        waited = rules.minutes_between(case.created_at, utcnow())
        names = self.words.case_names(case)
        text = self.words.text(self.words.texts.card, **names, waited=waited, on_duty=on_duty)
        return text, self.words.take(case)

    def waiting_name(self, case: Case) -> str:
        return self.words.label(self.words.texts.topic_name, **self.words.case_names(case))

    async def show_case(self, transaction: Transaction, case: Case) -> None:
        """The topic's name and the card as the case stands now: waiting or taken, urgent."""
        names = self.words.case_names(case)
        if case.status == CaseStatus.TAKEN:
            names["alias"] = await self.alias_of(transaction, case.volunteer or "")
            topic = self.words.label(self.words.texts.topic_taken_name, **names)
            card: tuple[str, Buttons] = (self.words.text(self.words.texts.taken, **names), ())
        else:
            topic, card = self.waiting_name(case), self.card(case)
        await self.post.card(transaction, case, *card)
        await self.post.rename(transaction, case, topic)

    async def alert(self, transaction: Transaction, case: Case) -> None:
        """A case became urgent: a message in its topic that notifies the volunteers on duty."""
        text = self.words.text(
            self.words.texts.reminder,
            **self.words.case_names(case),
            waited=rules.minutes_between(case.created_at, utcnow()),
            on_duty=await self.on_duty_mentions(transaction),
        )
        await self.post.in_topic(transaction, case, text)
        case.reminded_at = utcnow()

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
        texts = self.words.texts
        chat = self.chat_of(case)
        token: str | None = None
        if chat is not None:
            locale = case.locale or self.words.group
            ended = texts.ended_by_you if by_person else texts.ended_by_volunteer
            await self.post.tell(transaction, case, chat, self.words.text(ended, locale))
            token = secrets.token_urlsafe(6) if case.status == CaseStatus.TAKEN else None
            if token is not None:  # a conversation took place: did it help?
                text = self.words.text(texts.did_it_help, locale)
                await self.post.tell(
                    transaction, case, chat, text, self.words.helped(locale, token)
                )
        if by_person:
            text = self.words.text(texts.person_ended)
        else:
            alias = await self.alias_of(transaction, volunteer or "")
            text = self.words.text(texts.volunteer_ended, alias=alias)
        await self.post.in_topic(transaction, case, text)
        await self.post.close(transaction, case)
        await self.cases(transaction).close(case)
        if self.settings.CASE_TOPIC_DELETE_HOURS == 0:
            await self.post.delete(transaction, case)
        await transaction.checkpoint()  # ended for good before the conversation storage is told
        if chat is not None:
            await self._forget_case_of(bot, chat, token)
        log.info(
            "handoff.ended case=%s by=%s", case.id, safe("person" if by_person else "volunteer")
        )

    async def _forget_case_of(self, bot: Bot, chat_id: int, helped: str | None) -> None:
        """The person's next words go to the bot again, which waits for them at the menu."""
        key = StorageKey(bot_id=bot.id, chat_id=chat_id, user_id=chat_id)
        fsm = FSMContext(storage=self._storage, key=key)
        locale = self.locale_of(await fsm.get_data())
        menu = dialogs.State(locale=locale, at=self.content.menu)
        await fsm.update_data({CASE_KEY: None, STATE_KEY: menu.to_json(), HELPED_KEY: helped})

    async def delete_topics(self, transaction: Transaction, now: datetime) -> int:
        """Delete the topics (with all their messages) of cases closed long enough ago."""
        due = 0
        for case in await self.cases(transaction).closed_with_topic():
            if rules.topic_deletable(
                closed_at=case.closed_at, now=now, keep_hours=self.settings.CASE_TOPIC_DELETE_HOURS
            ):
                await self.post.delete(transaction, case)
                due += 1
        return due
