"""The volunteers' side of the handoff: taking a case, talking in its topic, their commands,
and leaving a group. What reaches the person, and what changes in the group, goes through the
outbox; a volunteer's own command is answered at once."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import CallbackQuery, Message

from bot.handoff import rules, stats
from bot.handoff.desk import Desk
from bot.storage.checkins import Checkins
from bot.storage.models import Case, CaseStatus
from bot.storage.repositories import Helped, Volunteers
from bot.storage.transaction import Transaction
from bot.telegram import send

log = logging.getLogger(__name__)


class VolunteerSide:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.words = desk.words

    async def take(
        self, callback: CallbackQuery, bot: Bot, transaction: Transaction, case_id: int
    ) -> None:
        texts = self.words.texts
        group = callback.message.chat.id if callback.message is not None else 0
        if not await self.desk.is_volunteer(bot, group, callback.from_user.id):
            await send.answer(callback, self.words.label(texts.not_a_volunteer), alert=True)
            return
        volunteer = self.desk.volunteer(callback.from_user.id)
        cases = self.desk.cases(transaction)
        if not await cases.claim(case_id, volunteer):
            await send.answer(callback, self.words.label(texts.already_taken), alert=True)
            return
        await send.answer(callback)
        case = await cases.get(case_id)
        assert case is not None
        await self.desk.show_case(transaction, case)
        chat = self.desk.chat_of(case)
        if chat is not None:
            locale = case.locale or self.words.group
            # Without an alias chosen, the text says "a volunteer" in the person's words.
            alias = await Volunteers(transaction).alias(volunteer) or ""
            text = self.words.text(texts.connected, locale, alias=alias)
            await self.desk.post.tell(transaction, case, chat, text, self.words.end(locale))
        log.info("handoff.taken case=%s", case.id)

    # -- commands ----------------------------------------------------------------------------

    async def duty(self, message: Message, transaction: Transaction, argument: str | None) -> None:
        """/duty on|off: reminders of cases nobody took mention the volunteers on duty."""
        assert message.from_user is not None
        volunteer = self.desk.volunteer(message.from_user.id)
        on = rules.duty(argument).on
        await Volunteers(transaction).set_duty(volunteer, on=on)
        self.desk.on_duty(volunteer, message.from_user.id if on else None)

    async def alias(self, message: Message, transaction: Transaction, argument: str | None) -> None:
        """/alias Name: the name the person sees (never the Telegram name)."""
        assert message.from_user is not None
        chosen = rules.alias(argument)
        if chosen is not None:
            await Volunteers(transaction).set_alias(
                self.desk.volunteer(message.from_user.id), chosen
            )

    async def stats(self, message: Message, bot: Bot, transaction: Transaction) -> None:
        """/stats for admins: counts only, over every volunteers' group."""
        if message.from_user is None or message.from_user.id not in self.desk.settings.ADMIN_IDS:
            return
        times = await self.desk.cases(transaction).times()
        figures = stats.compute(stats.CaseTimes(s, c, t) for s, c, t in times)
        topics = self.desk.content.topics
        subjects = [
            {"name": self.words.label(topics[s]) if s in topics else s, "count": n}
            for s, n in figures.by_subject.items()
        ]
        helped = await Helped(transaction).counts()
        checkins = Checkins(await transaction.session())
        answers = await checkins.answers()
        text = self.words.text(
            self.words.texts.stats,
            checkins_on=await checkins.count_on(),
            checkin_answers=[{"answer": a, "count": n} for a, n in sorted(answers.items())],
            helped_yes=helped.get("yes", 0),
            helped_no=helped.get("no", 0),
            total=figures.total,
            subjects=subjects,
            median=rules.minutes_figure(figures.median_wait),
            p90=rules.minutes_figure(figures.p90_wait),
            quick=rules.share_figure(figures.taken_quickly),
        )
        await send.message(bot, message.chat.id, text, thread_id=message.message_thread_id)

    async def end(self, message: Message, bot: Bot, transaction: Transaction) -> None:
        """/end in a case's topic, by the volunteer who took it."""
        found = await self._case_of(message, transaction, taker_only=True)
        if found is None:  # not theirs to end: an ordinary message in the topic
            await self.relay(message, bot, transaction)
            return
        case, volunteer = found
        await self.desk.end(bot, transaction, case, by_person=False, volunteer=volunteer)

    async def release(self, message: Message, bot: Bot, transaction: Transaction) -> None:
        """/release or /transfer: back to the queue; the person is not disturbed."""
        found = await self._case_of(message, transaction, taker_only=True)
        if found is None:  # not theirs to release: an ordinary message in the topic
            await self.relay(message, bot, transaction)
            return
        case, _ = found
        await self.desk.cases(transaction).release(case)
        await self.desk.show_case(transaction, case)
        log.info("handoff.released case=%s", case.id)

    # -- talking in a topic ------------------------------------------------------------------

    async def relay(self, message: Message, bot: Bot, transaction: Transaction) -> None:
        """In a case's topic: the taker's messages reach the person; others stay as notes."""
        if message.from_user is None or message.from_user.is_bot:
            return
        found = await self._case_of(message, transaction, taker_only=False)
        if found is None:
            return
        case, volunteer = found
        taker = rules.is_taker(
            taken=case.status == CaseStatus.TAKEN, taken_by=case.volunteer, volunteer=volunteer
        )
        chat = self.desk.chat_of(case)
        if not taker or chat is None:
            note = self.words.text(self.words.texts.note_not_sent)
            await self.desk.post.in_topic(transaction, case, note, reply_to=message.message_id)
            return
        await self.desk.post.relay_out(transaction, case, chat, message.message_id)

    async def left(self, bot: Bot, transaction: Transaction, group: int, user_id: int) -> int:
        """A volunteer left a group: their cases there go back to the queue, each with a new
        card (the old one said who had it)."""
        volunteer = self.desk.gone(group, user_id)
        cases = self.desk.cases(transaction)
        returned = 0
        for case in await cases.taken_by(volunteer):
            if self.desk.group_chat(case) != group:
                continue
            await cases.release(case)
            case.card_message_id = None
            await self.desk.post.new_card(transaction, case, self.desk.card(case))
            await self.desk.post.rename(transaction, case, self.desk.waiting_name(case))
            returned += 1
            log.info("handoff.returned_to_queue case=%s", case.id)
        return returned

    async def _case_of(
        self, message: Message, transaction: Transaction, *, taker_only: bool
    ) -> tuple[Case, str] | None:
        """The open case of the topic a message is in, and who wrote it (as a pseudonym)."""
        if message.message_thread_id is None or message.from_user is None:
            return None
        group = self.desk.groups.key_of(message.chat.id)
        if group is None:
            return None
        case = await self.desk.cases(transaction).by_thread(
            group, message.message_thread_id, first=group == self.desk.groups.first
        )
        if case is None or case.status == CaseStatus.CLOSED:
            return None
        volunteer = self.desk.volunteer(message.from_user.id)
        taken = case.status == CaseStatus.TAKEN
        if taker_only and not rules.is_taker(
            taken=taken, taken_by=case.volunteer, volunteer=volunteer
        ):
            return None
        return case, volunteer
