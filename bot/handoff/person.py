"""The person's side of the handoff: asking, being relayed to the volunteer, urgency, the
answers to a long wait, sharing the way, "did it help", leaving.

What goes to the group is recorded in the outbox with the change that causes it; the person's
immediate answers (a short note, the help-now block) go out at once.
"""

from __future__ import annotations

import logging

from aiogram.types import CallbackQuery, Message

import dialogs
from bot.conversation.state import STATE_KEY
from bot.handoff import rules
from bot.handoff.desk import CASE_KEY, HELPED_KEY, Desk
from bot.handoff.words import END, STOP
from bot.storage.models import Case, CaseStatus, utcnow
from bot.storage.repositories import Helped
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.turn import Turn

log = logging.getLogger(__name__)

HIDDEN_FLOWS = ("person", "menu")
"""Steps a volunteer is never shown of a person's way: asking for them, the menu."""
PENDING_KEY = "to_confirm"
"""A phone number or place the person sent in a case, waiting for their yes (its number)."""
BUSY_MINUTES = 3
"""From this many minutes' wait for a card, the person is told that many write now."""


class PersonSide:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.words = desk.words

    async def ask(self, turn: Turn, effect: dialogs.Effect) -> None:
        """AskPerson: record a case, its topic and card in the outbox, unless one is open."""
        assert isinstance(effect, dialogs.AskPerson)
        locale = self.desk.locale_of(await turn.fsm.get_data())
        cases = self.desk.cases(turn.transaction)
        existing = await cases.open_for(turn.pseudonym)
        if existing is not None:
            if effect.urgent:  # an urgent step says already that volunteers know
                await self.make_urgent(turn.transaction, existing, effect.reason)
            else:
                text = self.words.text(self.words.texts.already_asked, locale)
                turn.then.append(lambda: send.tell(turn.bot, turn.chat_id, text))
            return
        case = await cases.open(
            person=turn.pseudonym,
            chat=self.desk.sealer.seal_chat(turn.chat_id),
            group=await self.desk.choose_group(turn.transaction, locale),
            subject=effect.topic or "other",
            urgent=effect.urgent,
            reason=effect.reason if effect.urgent else None,
            locale=locale,
        )
        await self.desk.post.new_case(
            turn.transaction, case, self.desk.waiting_name(case), self.desk.card(case)
        )
        if case.urgent:
            case.reminded_at = utcnow()  # its card notifies the volunteers on duty
        minutes = await self.desk.post.minutes_until_seen(turn.transaction, case)
        await turn.transaction.checkpoint()  # recorded: it will reach the volunteers
        await turn.fsm.update_data({CASE_KEY: case.id})
        if minutes >= BUSY_MINUTES:
            busy = self.words.text(
                self.words.texts.busy, locale, minutes=minutes, urgent=case.urgent
            )
            turn.then.append(lambda: send.tell(turn.bot, turn.chat_id, busy))
        if not case.urgent:
            # The crisis steps say themselves where help is now and when volunteers come; no
            # question about sharing the way in a moment like this.
            turn.then.append(lambda: self._offer_summary(turn, locale))
            hours = self.desk.hours
            if hours is not None and not hours.open_at(utcnow()):
                text = self.words.text(self.words.texts.outside_hours, locale, opens=hours.opens)
                turn.then.append(lambda: send.tell(turn.bot, turn.chat_id, text))
        log.info("handoff.opened case=%s urgent=%s", case.id, case.urgent)

    async def make_urgent(self, transaction: Transaction, case: Case, reason: str | None) -> bool:
        """The person's words or choice say it is urgent: the topic and card show it (with the
        reason, never the words), what waits for the case goes first, and the volunteers on
        duty are alerted at once.

        False when it was urgent already, for this reason or a more serious one (nobody is
        alerted twice).
        """
        order = list(self.desk.content.reasons)
        if case.urgent and not rules.more_serious(reason, case.reason, order):
            return False
        case.urgent = True
        case.reason = reason or case.reason
        await self.desk.post.hurry(transaction, case)
        await self.desk.show_case(transaction, case)
        await self.desk.alert(transaction, case)
        return True

    async def open_case(self, turn: Turn) -> Case | None:
        """The person's open case as their conversation knows it; a stale mark is dropped."""
        case_id = (await turn.fsm.get_data()).get(CASE_KEY)
        if case_id is None:
            return None
        case = await self.desk.cases(turn.transaction).get(int(case_id))
        if case is None or case.status == CaseStatus.CLOSED:
            await turn.fsm.update_data({CASE_KEY: None})
            return None
        return case

    async def relay(self, message: Message, turn: Turn, case: Case) -> None:
        """What the person sends while a case is open goes to the volunteers' topic; a phone
        number or a place only after they confirm that the volunteer will see it."""
        await self._hear_crisis(message, turn, case)
        if message.contact is not None or message.location is not None:
            await self._ask_to_confirm(message, turn, case)
            return
        await self.desk.post.relay_in(turn.transaction, case, turn.chat_id, message.message_id)

    async def _ask_to_confirm(self, message: Message, turn: Turn, case: Case) -> None:
        texts = self.words.texts
        question = texts.confirm_contact if message.contact is not None else texts.confirm_location
        locale = case.locale or self.words.group
        await turn.fsm.update_data({PENDING_KEY: message.message_id})
        await send.message(
            turn.bot,
            turn.chat_id,
            self.words.text(question, locale),
            buttons=self.words.confirm(locale),
        )

    async def confirm(self, callback: CallbackQuery, turn: Turn, yes: bool) -> None:
        """The person's answer: the number or place goes to the volunteer, or stays with them."""
        pending = (await turn.fsm.get_data()).get(PENDING_KEY)
        await turn.fsm.update_data({PENDING_KEY: None})
        case = await self.open_case(turn)
        if not yes or pending is None or case is None:
            locale = self.desk.locale_of(await turn.fsm.get_data())
            await send.answer(callback, self.words.label(self.words.texts.not_sent, locale))
            return
        await self.desk.post.relay_in(turn.transaction, case, turn.chat_id, int(pending))
        await send.answer(callback)

    async def _hear_crisis(self, message: Message, turn: Turn, case: Case) -> None:
        """Words of crisis while waiting or talking: still relayed as they are; the case becomes
        urgent for all to see, and the person is shown, once, where help is right now."""
        content = self.desk.content
        reason = content.alarm(message.text or message.caption or "")
        if reason is None:
            return
        if await self.make_urgent(turn.transaction, case, reason):
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
        await self.desk.post.relay_edit(turn.transaction, case, message.message_id, message.text)

    async def end(self, turn: Turn, case: Case) -> None:
        """/end or the end button, from the person."""
        await self.desk.end(turn.bot, turn.transaction, case, by_person=True)

    async def left(self, turn: Turn) -> None:
        """The person blocked the bot, or erased everything: the case ends, volunteers are told."""
        case = await self.desk.cases(turn.transaction).open_for(turn.pseudonym)
        if case is not None:
            case.chat = None  # nothing more can reach them
            await self.desk.end(turn.bot, turn.transaction, case, by_person=True)
            await turn.fsm.update_data({CASE_KEY: None})

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
        await send.tell(turn.bot, turn.chat_id, text, self.words.share(locale))

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
        await self.desk.post.in_topic(turn.transaction, case, text)
        await send.answer(callback, self.words.label(self.words.texts.shared, locale))

    async def helped(self, callback: CallbackQuery, turn: Turn, answer: str, token: str) -> None:
        """One tap, one count, from a person who was asked: the answer is kept as a number and
        nothing else; a button pressed again, or one not given by the bot, counts nothing."""
        data = await turn.fsm.get_data()
        locale = self.desk.locale_of(data)
        if token and data.get(HELPED_KEY) == token:
            await turn.fsm.update_data({HELPED_KEY: None})
            await Helped(turn.transaction).count("yes" if answer == "yes" else "no")
        await send.answer(callback, self.words.label(self.words.texts.helped_thanks, locale))
