"""The person's side of the handoff: asking, being relayed to the volunteer, urgency, the
answers to a long wait, sharing the way, "did it help", leaving."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

import dialogs
from bot.conversation.state import STATE_KEY
from bot.handoff import rules
from bot.handoff.desk import CASE_KEY, Desk
from bot.handoff.words import END, STOP
from bot.privacy.logs import kind
from bot.storage.models import Case, CaseStatus, utcnow
from bot.storage.repositories import Helped
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.turn import Turn

log = logging.getLogger(__name__)

HIDDEN_FLOWS = ("person", "menu")
"""Steps a volunteer is never shown of a person's way: asking for them, the menu."""


class PersonSide:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.words = desk.words

    async def ask(self, turn: Turn, effect: dialogs.Effect) -> None:
        """AskPerson: open a case with its topic and card, unless one is open already."""
        assert isinstance(effect, dialogs.AskPerson)
        locale = self.desk.locale_of(await turn.fsm.get_data())
        cases = self.desk.cases(turn.transaction)
        existing = await cases.open_for(turn.pseudonym)
        if existing is not None:
            if effect.urgent:  # an urgent step says already that volunteers know
                await self.make_urgent(turn.bot, turn.transaction, existing, effect.reason)
            else:
                text = self.words.text(self.words.texts.already_asked, locale)
                await send.tell(turn.bot, turn.chat_id, text)
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
        if not await self._show_to_volunteers(turn, case, locale):
            return
        await turn.fsm.update_data({CASE_KEY: case.id})
        if case.urgent:
            # The crisis steps say themselves where help is now and when volunteers come; no
            # question about sharing the way here in a moment like this.
            await self.desk.alert(turn.bot, turn.transaction, case)
        else:
            await self._offer_summary(turn, locale)
            hours = self.desk.hours
            if hours is not None and not hours.open_at(utcnow()):
                texts = self.words.texts.outside_hours
                text = self.words.text(texts, locale, opens=hours.opens)
                await send.tell(turn.bot, turn.chat_id, text)
        log.info("handoff.opened case=%s urgent=%s", case.id, case.urgent)

    async def _show_to_volunteers(self, turn: Turn, case: Case, locale: str) -> bool:
        """The case's topic and card; False (and the person told) when the group refused."""
        group = self.desk.group_id
        try:
            thread = await send.open_topic(turn.bot, group, self.desk.waiting_name(case))
            text, buttons = self.desk.card(case)
            card = await send.message(turn.bot, group, text, buttons=buttons, thread_id=thread)
        except TelegramAPIError as exc:
            log.error("handoff.unavailable case=%s error=%s", case.id, kind(exc))
            await self.desk.cases(turn.transaction).close(case)
            text = self.words.text(self.words.texts.volunteers_unavailable, locale)
            await send.tell(turn.bot, turn.chat_id, text)
            return False
        case.thread_id = thread
        case.card_message_id = card.message_id
        return True

    async def make_urgent(
        self, bot: Bot, transaction: Transaction, case: Case, reason: str | None
    ) -> bool:
        """The person's words or choice say it is urgent: the topic and card show it (with the
        reason, never the words) and the volunteers on duty are alerted at once.

        False when it was urgent already, for this reason or a more serious one (nobody is
        alerted twice).
        """
        order = list(self.desk.content.reasons)
        if case.urgent and not rules.more_serious(reason, case.reason, order):
            return False
        case.urgent = True
        case.reason = reason or case.reason
        case.reminded_at = None
        if case.thread_id is None:
            return True
        try:
            await self.desk.show_case(bot, transaction, case)
        except TelegramAPIError as exc:
            log.warning("handoff.not_made_urgent case=%s error=%s", case.id, kind(exc))
        await self.desk.alert(bot, transaction, case)
        return True

    async def open_case(self, turn: Turn) -> Case | None:
        """The person's open case as their conversation knows it; a stale mark is dropped."""
        case_id = (await turn.fsm.get_data()).get(CASE_KEY)
        if case_id is None:
            return None
        case = await self.desk.cases(turn.transaction).get(int(case_id))
        if case is None or case.status == CaseStatus.CLOSED or case.thread_id is None:
            await turn.fsm.update_data({CASE_KEY: None})
            return None
        return case

    async def relay(self, message: Message, turn: Turn, case: Case) -> None:
        """What the person sends while a case is open goes to the volunteers' topic."""
        await self._hear_crisis(message, turn, case)
        try:
            copied = await send.copy(
                turn.bot,
                to=self.desk.group_id,
                source=turn.chat_id,
                message_id=message.message_id,
                thread_id=case.thread_id,
            )
        except TelegramAPIError as exc:
            log.warning("handoff.not_relayed case=%s error=%s", case.id, kind(exc))
            text = self.words.text(self.words.texts.not_delivered, case.locale)
            await send.tell(turn.bot, turn.chat_id, text)
            return
        await self.desk.cases(turn.transaction).remember_relay(
            case, person_message_id=message.message_id, group_message_id=copied
        )

    async def _hear_crisis(self, message: Message, turn: Turn, case: Case) -> None:
        """Words of crisis while waiting or talking: still relayed as they are; the case becomes
        urgent for all to see, and the person is shown, once, where help is right now."""
        content = self.desk.content
        reason = content.alarm(message.text or message.caption or "")
        if reason is None:
            return
        if await self.make_urgent(turn.bot, turn.transaction, case, reason):
            log.info("handoff.crisis_heard case=%s", case.id)
        help_now = content.system.messages.get("help_now")
        if not case.help_shown and help_now:
            text = content.renderer.text(help_now, case.locale or content.default_locale)
            if await send.tell(turn.bot, turn.chat_id, text):
                case.help_shown = True

    async def relay_edit(self, message: Message, turn: Turn) -> None:
        """An edit of a text already relayed is relayed as an edit."""
        case = await self.open_case(turn) if message.text is not None else None
        if case is None or message.text is None:
            return
        relayed = await self.desk.cases(turn.transaction).group_message_for(
            case, message.message_id
        )
        if relayed is None:
            return
        try:
            await send.edit(turn.bot, self.desk.group_id, relayed, message.text, html=False)
        except TelegramAPIError as exc:
            log.warning("handoff.edit_not_relayed case=%s error=%s", case.id, kind(exc))

    async def end(self, turn: Turn, case: Case) -> None:
        """/end or the end button, from the person."""
        await self.desk.end(turn.bot, turn.transaction, case, by_person=True)

    async def left(self, turn: Turn) -> None:
        """The person blocked the bot, or erased everything: the case ends, volunteers are told."""
        await turn.transaction.checkpoint()  # storage is written next
        case = await self.desk.cases(turn.transaction).open_for(turn.pseudonym)
        if case is not None:
            case.chat_id = None  # nothing more can reach them
            await turn.fsm.update_data({CASE_KEY: None})
            await self.desk.end(turn.bot, turn.transaction, case, by_person=True)

    async def waiting_choice(self, callback: CallbackQuery, turn: Turn, choice: str) -> None:
        """The person's answer to a long wait: keep waiting, or stop the request."""
        await send.answer(callback)
        case = await self.desk.cases(turn.transaction).open_for(turn.pseudonym)
        if case is None:
            return
        if choice in (STOP, END):
            await self.desk.end(turn.bot, turn.transaction, case, by_person=True)
            return
        text = self.words.text(self.words.texts.kept_waiting, case.locale)
        await send.tell(turn.bot, turn.chat_id, text)

    async def _offer_summary(self, turn: Turn, locale: str) -> None:
        """Ask before sharing anything: the volunteer sees the path only after a yes."""
        text = self.words.text(self.words.texts.share_question, locale)
        await send.message(turn.bot, turn.chat_id, text, buttons=self.words.share(locale))

    async def share(self, callback: CallbackQuery, turn: Turn, yes: bool) -> None:
        """With the person's yes: the steps they went through (never what they typed)."""
        data = await turn.fsm.get_data()
        locale = self.desk.locale_of(data)
        case = await self.open_case(turn) if yes else None
        if case is None:
            await send.answer(callback)
            return
        state = dialogs.State.from_json(data.get(STATE_KEY), default_locale=locale)
        visited = [*state.history, *([state.at] if state.at else [])]
        path = rules.path_of([(at.flow, at.step) for at in visited], HIDDEN_FLOWS)
        text = self.words.text(self.words.texts.summary, path=path)
        await send.message(turn.bot, self.desk.group_id, text, thread_id=case.thread_id)
        await send.answer(callback, self.words.label(self.words.texts.shared, locale))

    async def helped(self, callback: CallbackQuery, turn: Turn, answer: str) -> None:
        """One tap, one count: the answer is kept as a number and nothing else."""
        await Helped(turn.transaction).count("yes" if answer == "yes" else "no")
        locale = self.desk.locale_of(await turn.fsm.get_data())
        await send.answer(callback, self.words.label(self.words.texts.helped_thanks, locale))
