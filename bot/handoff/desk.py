"""Handing a person to a volunteer and back: one forum topic per case, messages copied both ways.

The person is known to volunteers only by the case number; messages are copied (never
forwarded), so no origin shows. What is stored: the case under the person's pseudonym, the raw
chat id while the case is open, and pairs of message ids; all of it is forgotten at the end.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import (
    CallbackQuery,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.conversation.conversations import STATE_KEY, stored_locale
from bot.handoff import stats
from bot.handoff.hours import Hours
from bot.privacy.logs import kind, safe
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.models import Case, CaseStatus, utcnow
from bot.storage.repositories import Cases, Helped, Transaction, Volunteers
from bot.telegram.events import command_event
from bot.telegram.middlewares import Turn
from bot.telegram.send import MENU_DATA, PARSE_MODE, tell
from dialogs import Content

log = logging.getLogger(__name__)

CASE_KEY = "case"
"""Where the person's open case number lives in their FSM data."""
TAKE_PREFIX = "take:"
KEEP_WAITING = "case:wait"
STOP_WAITING = "case:stop"
END_CASE = "case:end"
WAITING_CHOICES = frozenset({KEEP_WAITING, STOP_WAITING, END_CASE})
HELPED_YES = "helped:yes"
HELPED_NO = "helped:no"
HELPED_ANSWERS = frozenset({HELPED_YES, HELPED_NO})
SHARE_YES = "share:yes"
SHARE_NO = "share:no"
SHARE_ANSWERS = frozenset({SHARE_YES, SHARE_NO})
URGENT_REMIND_MINUTES = 2
MEMBERSHIP_SECONDS = 60.0
"""How long a getChatMember answer is trusted (in memory only)."""
VOLUNTEER_STATUSES = {
    ChatMemberStatus.CREATOR,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


def _first_word(text: str | None) -> str:
    if not text or not text.startswith("/"):
        return ""
    return text.split(maxsplit=1)[0].split("@", 1)[0].lower()


async def is_talking(turn: Turn) -> bool:
    """The person has a case open: what they send is for a volunteer."""
    return bool((await turn.fsm.get_data()).get(CASE_KEY))


async def no_volunteers(turn: Turn, effect: dialogs.Effect) -> None:
    """Without a volunteers' group nobody can be asked. The step the person sees says so
    itself, with where help is right now (its text knows `volunteers` is "none", and `check`
    holds every step after asking for a person to say it)."""
    log.warning("handoff.no_volunteer_group person=%s", turn.pseudonym)


class Handoff:
    def __init__(
        self,
        *,
        content: Content,
        group_id: int,
        sessions: async_sessionmaker[AsyncSession],
        pseudonyms: Pseudonymizer,
        storage: BaseStorage,
        remind_after: int = 10,
        timeout_after: int = 60,
        urgent_timeout_after: int = 10,
        delete_after_hours: int = 24,
        admins: frozenset[int] = frozenset(),
        hours: Hours | None = None,
    ) -> None:
        self.content = content
        self.group_id = group_id
        self._sessions = sessions
        self._pseudonyms = pseudonyms
        self._storage = storage
        self._members: dict[int, tuple[bool, float]] = {}
        # Volunteers on duty, pseudonym -> Telegram id, to mention them in reminders. Only in
        # memory: after a restart, /duty on again makes a volunteer mentionable.
        self._reachable: dict[str, int] = {}
        self.remind_after = remind_after
        self.timeout_after = timeout_after
        self.urgent_timeout_after = urgent_timeout_after
        self.delete_after_hours = delete_after_hours
        self.admins = admins
        self.hours = hours

    # -- words -------------------------------------------------------------------------------

    def _locale(self, data: dict[str, Any]) -> str:
        default = self.content.default_locale
        return stored_locale(data, default) or default

    def _text(self, name: str, locale: str, **extra: Any) -> str:
        return self.content.renderer.text(self.content.system.handoff[name], locale, extra=extra)

    def _label(self, name: str, locale: str, **extra: Any) -> str:
        return self.content.renderer.label(self.content.system.handoff[name], locale, extra=extra)

    def _case_names(self, case: Case) -> dict[str, Any]:
        group = self.content.default_locale
        topics = self.content.topics
        subject = case.subject
        label = (
            self.content.renderer.label(topics[subject], group) if subject in topics else subject
        )
        reason = self.content.reasons.get(case.reason or "")
        return {
            "number": case.id,
            "subject": label,
            "urgent": case.urgent,
            "reason": self.content.renderer.label(reason, group) if reason else "",
            "language": self.content.languages.get(case.locale or "", case.locale or ""),
        }

    # -- the person's side ---------------------------------------------------------------------

    async def ask(self, turn: Turn, effect: dialogs.Effect) -> None:
        """AskPerson: open a case with its topic and card, unless one is open already."""
        assert isinstance(effect, dialogs.AskPerson)
        data = await turn.fsm.get_data()
        locale = self._locale(data)
        cases = Cases(turn.transaction, self._sessions)
        existing = await cases.open_for(turn.pseudonym)
        if existing is not None:
            if effect.urgent:
                await self.make_urgent(turn.bot, turn.transaction, existing, effect.reason)
            if not effect.urgent:  # an urgent step says already that volunteers know
                await tell(turn.bot, turn.chat_id, self._text("already_asked", locale))
            return
        case = await cases.open(
            person=turn.pseudonym,
            chat_id=turn.chat_id,
            subject=effect.topic or "other",
            urgent=effect.urgent,
            reason=effect.reason if effect.urgent else None,
            locale=locale,
        )
        await turn.transaction.checkpoint()  # the case exists before volunteers can see it
        names = self._case_names(case)
        group = self.content.default_locale
        try:
            topic = await turn.bot.create_forum_topic(
                chat_id=self.group_id, name=self._label("topic_name", group, **names)
            )
            card = await turn.bot.send_message(
                chat_id=self.group_id, message_thread_id=topic.message_thread_id, **self._card(case)
            )
        except TelegramAPIError as exc:
            log.error("handoff.unavailable case=%s error=%s", case.id, kind(exc))
            await cases.close(case)
            await tell(turn.bot, turn.chat_id, self._text("volunteers_unavailable", locale))
            return
        case.thread_id = topic.message_thread_id
        case.card_message_id = card.message_id
        await turn.fsm.update_data({CASE_KEY: case.id})
        if case.urgent:
            # The crisis steps say themselves where help is now and when volunteers come; no
            # question about sharing the way here in a moment like this.
            await self._alert(turn.bot, turn.transaction, case)
        else:
            await self._offer_summary(turn, locale)
            if self.hours is not None and not self.hours.open_at(utcnow()):
                text = self._text("outside_hours", locale, opens=self.hours.opens)
                await tell(turn.bot, turn.chat_id, text)
        log.info("handoff.opened case=%s urgent=%s", case.id, case.urgent)

    async def make_urgent(
        self, bot: Bot, transaction: Transaction, case: Case, reason: str | None
    ) -> bool:
        """The person's words or choice say it is urgent: the topic and card show it (with the
        reason, never the words) and the volunteers on duty are alerted at once.

        False when it was urgent already, for this reason or a more serious one (nobody is
        alerted twice).
        """
        if case.urgent and not self._more_serious(reason, case.reason):
            return False
        case.urgent = True
        case.reason = reason or case.reason
        case.reminded_at = None
        if case.thread_id is None:
            return True
        try:
            await self._show_case(bot, transaction, case)
        except TelegramAPIError as exc:
            log.warning("handoff.not_made_urgent case=%s error=%s", case.id, kind(exc))
        await self._alert(bot, transaction, case)
        return True

    def _more_serious(self, reason: str | None, than: str | None) -> bool:
        """settings.yaml lists the reasons most serious first."""
        order = list(self.content.reasons)
        if reason not in order or reason == than:
            return False
        return than not in order or order.index(reason) < order.index(than)

    async def _alert(self, bot: Bot, transaction: Transaction, case: Case) -> None:
        """An urgent case: a message in its topic that notifies the volunteers on duty now."""
        if case.thread_id is None:
            return
        group = self.content.default_locale
        on_duty = await self._on_duty_mentions(transaction)
        try:
            await bot.send_message(
                chat_id=self.group_id,
                message_thread_id=case.thread_id,
                text=self._text(
                    "reminder",
                    group,
                    **self._case_names(case),
                    waited=_minutes_since(case),
                    on_duty=on_duty,
                ),
                parse_mode=PARSE_MODE,
            )
        except TelegramAPIError as exc:
            log.warning("handoff.not_alerted case=%s error=%s", case.id, kind(exc))
        case.reminded_at = utcnow()

    async def from_person(self, message: Message, turn: Turn) -> bool:
        """Relay what the person sends while a case is open; False lets the bot answer it."""
        case_id = (await turn.fsm.get_data()).get(CASE_KEY)
        if case_id is None or command_event(message.text) is not None:
            return False
        cases = Cases(turn.transaction, self._sessions)
        case = await cases.get(int(case_id))
        if case is None or case.status == CaseStatus.CLOSED or case.thread_id is None:
            await turn.fsm.update_data({CASE_KEY: None})
            return False
        if _first_word(message.text) == "/end":
            await self.end(turn.bot, turn.transaction, case, by_person=True)
            return True
        await self._hear_crisis(message, turn, case)
        try:
            copied = await turn.bot.copy_message(
                chat_id=self.group_id,
                from_chat_id=turn.chat_id,
                message_id=message.message_id,
                message_thread_id=case.thread_id,
            )
        except TelegramAPIError as exc:
            log.warning("handoff.not_relayed case=%s error=%s", case.id, kind(exc))
            await tell(turn.bot, turn.chat_id, self._text("not_delivered", case.locale or ""))
            return True
        await cases.remember_relay(
            case, person_message_id=message.message_id, group_message_id=copied.message_id
        )
        return True

    async def _hear_crisis(self, message: Message, turn: Turn, case: Case) -> None:
        """Words of crisis while waiting or talking: still relayed as they are; the case becomes
        urgent for all to see, and the person is shown, once, where help is right now."""
        reason = self.content.alarm(message.text or message.caption or "")
        if reason is None:
            return
        if await self.make_urgent(turn.bot, turn.transaction, case, reason):
            log.info("handoff.crisis_heard case=%s", case.id)
        if not case.help_shown and self.content.system.messages.get("help_now"):
            text = self.content.renderer.text(
                self.content.system.messages["help_now"], case.locale or self.content.default_locale
            )
            if await tell(turn.bot, turn.chat_id, text):
                case.help_shown = True

    async def edit_from_person(self, message: Message, turn: Turn) -> None:
        """An edit of a text already relayed is relayed as an edit."""
        case_id = (await turn.fsm.get_data()).get(CASE_KEY)
        if case_id is None or message.text is None:
            return
        cases = Cases(turn.transaction, self._sessions)
        case = await cases.get(int(case_id))
        if case is None or case.status == CaseStatus.CLOSED:
            return
        relayed = await cases.group_message_for(case, message.message_id)
        if relayed is None:
            return
        try:
            await turn.bot.edit_message_text(
                chat_id=self.group_id, message_id=relayed, text=message.text, parse_mode=None
            )
        except TelegramAPIError as exc:
            log.warning("handoff.edit_not_relayed case=%s error=%s", case.id, kind(exc))

    async def person_left(self, turn: Turn) -> None:
        """The person blocked the bot: the case ends and the volunteers are told."""
        await turn.transaction.checkpoint()  # their block is recorded; storage is written next
        case = await Cases(turn.transaction, self._sessions).open_for(turn.pseudonym)
        if case is not None:
            case.chat_id = None  # nothing more can reach them
            await turn.fsm.update_data({CASE_KEY: None})
            await self.end(turn.bot, turn.transaction, case, by_person=True)

    # -- the volunteers' side --------------------------------------------------------------------

    async def take(self, callback: CallbackQuery, bot: Bot, transaction: Transaction) -> None:
        group = self.content.default_locale
        case_id = int((callback.data or "").removeprefix(TAKE_PREFIX) or 0)
        if not await self.is_volunteer(bot, callback.from_user.id):
            await callback.answer(self._label("not_a_volunteer", group), show_alert=True)
            return
        volunteer = self._pseudonyms.of("volunteer", callback.from_user.id)
        cases = Cases(transaction, self._sessions)
        if not await cases.claim(case_id, volunteer):
            await callback.answer(self._label("already_taken", group), show_alert=True)
            return
        await callback.answer()
        case = await cases.get(case_id)
        assert case is not None
        try:  # the claim is made: the person must hear of it even if the group's edits fail
            await self._show_case(bot, transaction, case)
        except TelegramAPIError as exc:
            log.warning("handoff.card_not_updated case=%s error=%s", case.id, kind(exc))
        if case.chat_id is not None:
            locale = case.locale or group
            try:
                await bot.send_message(
                    chat_id=case.chat_id,
                    # Without an alias chosen, the text says "a volunteer" in the person's words.
                    text=self._text(
                        "connected",
                        locale,
                        alias=await Volunteers(transaction).alias(volunteer) or "",
                    ),
                    parse_mode=PARSE_MODE,
                    reply_markup=self._buttons(locale, ("end_button", END_CASE)),
                )
            except TelegramAPIError as exc:
                log.warning("handoff.not_told error=%s", kind(exc))
        log.info("handoff.taken case=%s", case.id)

    async def from_volunteer(self, message: Message, bot: Bot, transaction: Transaction) -> None:
        """In a case's topic: the taker's messages reach the person; others stay as notes."""
        if message.from_user is None or message.from_user.is_bot:
            return
        volunteer = self._pseudonyms.of("volunteer", message.from_user.id)
        command = _first_word(message.text)
        if command == "/duty":
            words = (message.text or "").split()
            on = len(words) < 2 or words[1].lower() != "off"
            await Volunteers(transaction).set_duty(volunteer, on=on)
            if on:
                self._reachable[volunteer] = message.from_user.id
            else:
                self._reachable.pop(volunteer, None)
            return
        if command == "/alias":
            alias = (message.text or "").split(maxsplit=1)[1:]
            if alias:
                await Volunteers(transaction).set_alias(volunteer, alias[0].strip()[:64])
            return
        if command == "/stats":
            if message.from_user.id in self.admins:
                await self.post_stats(bot, transaction, message)
            return
        if message.message_thread_id is None:
            return
        cases = Cases(transaction, self._sessions)
        case = await cases.by_thread(message.message_thread_id)
        if case is None or case.status == CaseStatus.CLOSED:
            return
        taker = case.status == CaseStatus.TAKEN and case.volunteer == volunteer
        if command == "/end" and taker:
            await self.end(bot, transaction, case, by_person=False, volunteer=volunteer)
            return
        if command in ("/release", "/transfer") and taker:
            await self.release(bot, cases, case)
            return
        if not taker or case.chat_id is None:
            await bot.send_message(
                chat_id=self.group_id,
                message_thread_id=case.thread_id,
                reply_to_message_id=message.message_id,
                text=self._text("note_not_sent", self.content.default_locale),
                parse_mode=PARSE_MODE,
            )
            return
        try:
            copied = await bot.copy_message(
                chat_id=case.chat_id,
                from_chat_id=self.group_id,
                message_id=message.message_id,
                protect_content=True,
            )
        except TelegramForbiddenError:
            log.info("handoff.person_blocked_bot case=%s", case.id)
            case.chat_id = None
            await self.end(bot, transaction, case, by_person=True)
            return
        await cases.remember_relay(
            case, person_message_id=copied.message_id, group_message_id=message.message_id
        )

    async def volunteer_left(self, bot: Bot, transaction: Transaction, user_id: int) -> int:
        """A volunteer left the group: their cases go back to the queue, each with a new card."""
        self._members.pop(user_id, None)
        volunteer = self._pseudonyms.of("volunteer", user_id)
        self._reachable.pop(volunteer, None)
        cases = Cases(transaction, self._sessions)
        returned = 0
        for case in await cases.taken_by(volunteer):
            await cases.release(case)
            try:
                card = await bot.send_message(
                    chat_id=self.group_id, message_thread_id=case.thread_id, **self._card(case)
                )
                await self._name_topic_waiting(bot, case)
            except TelegramAPIError as exc:
                log.warning("handoff.card_not_renewed case=%s error=%s", case.id, kind(exc))
                continue
            case.card_message_id = card.message_id
            returned += 1
            log.info("handoff.returned_to_queue case=%s", case.id)
        return returned

    async def release(self, bot: Bot, cases: Cases, case: Case) -> None:
        """Back to the queue: whoever takes it next gets it. The person is not disturbed."""
        await cases.release(case)
        if case.card_message_id is not None:
            await bot.edit_message_text(
                chat_id=self.group_id, message_id=case.card_message_id, **self._card(case)
            )
        await self._name_topic_waiting(bot, case)
        log.info("handoff.released case=%s", case.id)

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
        group = self.content.default_locale
        if case.chat_id is not None:
            name = "ended_by_you" if by_person else "ended_by_volunteer"
            locale = case.locale or group
            await tell(bot, case.chat_id, self._text(name, locale))
            if case.status == CaseStatus.TAKEN:  # a conversation took place
                await self._ask_if_it_helped(bot, case.chat_id, locale)
            await self._forget_case_of(bot, case.chat_id)
        if case.thread_id is not None:
            if by_person:
                text = self._text("person_ended", group)
            else:
                alias = await self.alias_of(transaction, volunteer or "")
                text = self._text("volunteer_ended", group, alias=alias)
            try:
                await bot.send_message(
                    chat_id=self.group_id,
                    message_thread_id=case.thread_id,
                    text=text,
                    parse_mode=PARSE_MODE,
                )
                await bot.close_forum_topic(chat_id=self.group_id, message_thread_id=case.thread_id)
            except TelegramAPIError as exc:
                log.warning("handoff.topic_not_closed case=%s error=%s", case.id, kind(exc))
        await Cases(transaction, self._sessions).close(case)
        if self.delete_after_hours == 0:
            await self.delete_old_topics(bot, transaction, utcnow())
        log.info(
            "handoff.ended case=%s by=%s", case.id, safe("person" if by_person else "volunteer")
        )

    # -- reminders -------------------------------------------------------------------------------

    async def remind(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """Post a reminder in the topic of each case waiting too long; urgent ones sooner."""
        group = self.content.default_locale
        reminded = 0
        on_duty = await self._on_duty_mentions(transaction)
        for case in await Cases(transaction, self._sessions).waiting():
            every = timedelta(minutes=URGENT_REMIND_MINUTES if case.urgent else self.remind_after)
            last = _aware(case.reminded_at or case.created_at)
            if case.thread_id is None or now - last < every:
                continue
            waited = int((now - _aware(case.created_at)).total_seconds() // 60)
            try:
                await bot.send_message(
                    chat_id=self.group_id,
                    message_thread_id=case.thread_id,
                    text=self._text(
                        "reminder", group, **self._case_names(case), waited=waited, on_duty=on_duty
                    ),
                    parse_mode=PARSE_MODE,
                )
            except TelegramAPIError as exc:
                log.warning("handoff.not_reminded case=%s error=%s", case.id, kind(exc))
                continue
            case.reminded_at = now
            reminded += 1
        return reminded

    async def post_stats(self, bot: Bot, transaction: Transaction, message: Message) -> None:
        times = await Cases(transaction, self._sessions).times()
        figures = stats.compute(stats.CaseTimes(s, c, t) for s, c, t in times)
        group = self.content.default_locale
        topics = self.content.topics
        subjects = [
            {
                "name": self.content.renderer.label(topics[s], group) if s in topics else s,
                "count": n,
            }
            for s, n in figures.by_subject.items()
        ]
        helped = await Helped(transaction).counts()
        text = self._text(
            "stats",
            group,
            helped_yes=helped.get("yes", 0),
            helped_no=helped.get("no", 0),
            total=figures.total,
            subjects=subjects,
            median=_minutes(figures.median_wait),
            p90=_minutes(figures.p90_wait),
            quick=round(100 * figures.taken_quickly) if figures.taken_quickly is not None else "-",
        )
        await bot.send_message(
            chat_id=self.group_id,
            message_thread_id=message.message_thread_id,
            text=text,
            parse_mode=PARSE_MODE,
        )

    async def tell_long_waits(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """Nobody came for HANDOFF_TIMEOUT_MINUTES (URGENT_TIMEOUT_MINUTES for an urgent case):
        say so honestly, show where help is now, and offer the choices."""
        told = 0
        for case in await Cases(transaction, self._sessions).waiting():
            every = timedelta(
                minutes=self.urgent_timeout_after if case.urgent else self.timeout_after
            )
            last = _aware(case.person_told_at or case.created_at)
            if case.chat_id is None or now - last < every:
                continue
            locale = case.locale or self.content.default_locale
            waited = int((now - _aware(case.created_at)).total_seconds() // 60)
            name = "urgent_timeout" if case.urgent else "timeout"
            try:
                await bot.send_message(
                    chat_id=case.chat_id,
                    text=self._text(name, locale, waited=waited),
                    parse_mode=PARSE_MODE,
                    reply_markup=self._waiting_keyboard(locale),
                )
            except TelegramAPIError as exc:
                log.warning("handoff.wait_not_told case=%s error=%s", case.id, kind(exc))
                continue
            case.person_told_at = now
            told += 1
        return told

    async def waiting_choice(self, callback: CallbackQuery, turn: Turn) -> None:
        """The person's answer to a long wait: keep waiting, or stop the request."""
        await callback.answer()
        case = await Cases(turn.transaction, self._sessions).open_for(turn.pseudonym)
        if case is None:
            return
        locale = case.locale or self.content.default_locale
        if callback.data in (STOP_WAITING, END_CASE):
            await self.end(turn.bot, turn.transaction, case, by_person=True)
            return
        await tell(turn.bot, turn.chat_id, self._text("kept_waiting", locale))

    async def _offer_summary(self, turn: Turn, locale: str) -> None:
        """Ask before sharing anything: the volunteer sees the path only after a yes."""
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=self._label("share_yes", locale), callback_data=SHARE_YES
                    )
                ],
                [
                    InlineKeyboardButton(
                        text=self._label("share_no", locale), callback_data=SHARE_NO
                    )
                ],
            ]
        )
        await turn.bot.send_message(
            chat_id=turn.chat_id,
            text=self._text("share_question", locale),
            parse_mode=PARSE_MODE,
            reply_markup=keyboard,
        )

    async def share_summary(self, callback: CallbackQuery, turn: Turn) -> None:
        """With the person's yes: the steps they went through (never what they typed)."""
        data = await turn.fsm.get_data()
        locale = self._locale(data)
        case_id = data.get(CASE_KEY)
        case = await Cases(turn.transaction, self._sessions).get(int(case_id)) if case_id else None
        if callback.data != SHARE_YES or case is None or case.thread_id is None:
            await callback.answer()
            return
        state = dialogs.State.from_json(data.get(STATE_KEY), default_locale=locale)
        visited = [*state.history, *([state.at] if state.at else [])]
        path = " › ".join(
            f"{at.flow}: {at.step}" for at in visited if at.flow not in ("person", "menu")
        )
        group = self.content.default_locale
        await turn.bot.send_message(
            chat_id=self.group_id,
            message_thread_id=case.thread_id,
            text=self._text("summary", group, path=path or "-"),
            parse_mode=PARSE_MODE,
        )
        await callback.answer(self._label("shared", locale))

    async def _ask_if_it_helped(self, bot: Bot, chat_id: int, locale: str) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=self._label("helped_yes", locale), callback_data=HELPED_YES
                    )
                ],
                [
                    InlineKeyboardButton(
                        text=self._label("helped_no", locale), callback_data=HELPED_NO
                    )
                ],
            ]
        )
        try:
            await bot.send_message(
                chat_id=chat_id,
                text=self._text("did_it_help", locale),
                parse_mode=PARSE_MODE,
                reply_markup=keyboard,
            )
        except TelegramAPIError as exc:
            log.warning("handoff.not_asked_if_helped error=%s", kind(exc))

    async def helped(self, callback: CallbackQuery, turn: Turn) -> None:
        """One tap, one count: the answer is kept as a number and nothing else."""
        answer = "yes" if callback.data == HELPED_YES else "no"
        await Helped(turn.transaction).count(answer)
        locale = self._locale(await turn.fsm.get_data())
        await callback.answer(self._label("helped_thanks", locale))

    def _buttons(self, locale: str, *buttons: tuple[str, str]) -> InlineKeyboardMarkup:
        """One button per row: (the handoff label's name, its callback data)."""
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=self._label(name, locale), callback_data=data)]
                for name, data in buttons
            ]
        )

    def _waiting_keyboard(self, locale: str) -> InlineKeyboardMarkup:
        menu = self.content.renderer.label(self.content.system.labels["menu"], locale)
        rows = [
            (self._label("keep_waiting_button", locale), KEEP_WAITING),
            (self._label("stop_waiting_button", locale), STOP_WAITING),
            (menu, MENU_DATA),
        ]
        return InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in rows]
        )

    async def delete_old_topics(self, bot: Bot, transaction: Transaction, now: datetime) -> int:
        """Delete the topics (with all their messages) of cases closed long enough ago."""
        deleted = 0
        keep = timedelta(hours=self.delete_after_hours)
        for case in await Cases(transaction, self._sessions).closed_with_topic():
            closed = case.closed_at
            if case.thread_id is None or closed is None or now - _aware(closed) < keep:
                continue
            try:
                await bot.delete_forum_topic(
                    chat_id=self.group_id, message_thread_id=case.thread_id
                )
            except TelegramAPIError as exc:
                log.warning("handoff.topic_not_deleted case=%s error=%s", case.id, kind(exc))
                if not isinstance(exc, TelegramBadRequest):
                    continue  # try again next round; a bad request means it is gone already
            case.thread_id = None
            case.card_message_id = None
            deleted += 1
        return deleted

    # -- helpers -------------------------------------------------------------------------------

    async def is_volunteer(self, bot: Bot, user_id: int) -> bool:
        """A member of the volunteers' group; asked of Telegram, remembered for a minute."""
        known = self._members.get(user_id)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        try:
            member = await bot.get_chat_member(chat_id=self.group_id, user_id=user_id)
        except TelegramAPIError:
            return False
        ok = member.status in VOLUNTEER_STATUSES or (
            isinstance(member, ChatMemberRestricted) and member.is_member
        )
        self._members[user_id] = (ok, time.monotonic() + MEMBERSHIP_SECONDS)
        return ok

    async def _on_duty_mentions(self, transaction: Transaction) -> Markup:
        """Links that notify the volunteers on duty (only those whose id we know now)."""
        mentions = []
        for volunteer in await Volunteers(transaction).on_duty():
            user_id = self._reachable.get(volunteer.pseudonym)
            if user_id is not None:
                alias = volunteer.alias or self._label("default_alias", self.content.default_locale)
                mentions.append(Markup('<a href="tg://user?id={}">{}</a>').format(user_id, alias))
        return Markup(", ").join(mentions)

    async def alias_of(self, transaction: Transaction, volunteer: str) -> str:
        alias = await Volunteers(transaction).alias(volunteer)
        return alias or self._label("default_alias", self.content.default_locale)

    def _card(self, case: Case) -> dict[str, Any]:
        """The card of a case waiting to be taken: its words and its Take button."""
        names = self._case_names(case)
        return {
            "text": self._text(
                "card", self.content.default_locale, **names, waited=_minutes_since(case)
            ),
            "parse_mode": PARSE_MODE,
            "reply_markup": self._take_keyboard(case),
        }

    async def _show_case(self, bot: Bot, transaction: Transaction, case: Case) -> None:
        """The topic's name and the card as the case stands now: waiting or taken, urgent."""
        group = self.content.default_locale
        names = self._case_names(case)
        if case.status == CaseStatus.TAKEN:
            names["alias"] = await self.alias_of(transaction, case.volunteer or "")
            topic = self._label("topic_taken_name", group, **names)
            card: dict[str, Any] = {
                "text": self._text("taken", group, **names),
                "parse_mode": PARSE_MODE,
            }
        else:
            topic = self._label("topic_name", group, **names)
            card = self._card(case)
        if case.card_message_id is not None:
            await bot.edit_message_text(
                chat_id=self.group_id, message_id=case.card_message_id, **card
            )
        if case.thread_id is not None:
            await bot.edit_forum_topic(
                chat_id=self.group_id, message_thread_id=case.thread_id, name=topic
            )

    async def _name_topic_waiting(self, bot: Bot, case: Case) -> None:
        """The topic's name without a volunteer: after a release, or once it became urgent."""
        if case.thread_id is not None:
            await bot.edit_forum_topic(
                chat_id=self.group_id,
                message_thread_id=case.thread_id,
                name=self._label(
                    "topic_name", self.content.default_locale, **self._case_names(case)
                ),
            )

    def _take_keyboard(self, case: Case) -> InlineKeyboardMarkup:
        label = self._label("take_button", self.content.default_locale)
        button = InlineKeyboardButton(text=label, callback_data=f"{TAKE_PREFIX}{case.id}")
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    async def _forget_case_of(self, bot: Bot, chat_id: int) -> None:
        """The person's next words go to the bot again, which waits for them at the menu."""
        key = StorageKey(bot_id=bot.id, chat_id=chat_id, user_id=chat_id)
        fsm = FSMContext(storage=self._storage, key=key)
        locale = self._locale(await fsm.get_data())
        menu = dialogs.State(locale=locale, at=self.content.menu)
        await fsm.update_data({CASE_KEY: None, STATE_KEY: menu.to_json()})


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; ours are all UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _minutes_since(case: Case) -> int:
    return max(0, int((utcnow() - _aware(case.created_at)).total_seconds() // 60))
