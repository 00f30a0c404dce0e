"""Delivering the handoff's mail (what bot/handoff/post.py put in the outbox) through the one way
out, and recording what each delivery caused: a topic's thread, a card's message, a relayed
pair. What a final refusal means is said here too: the person blocked the bot (the case ends),
the group refused a case for good (the person is told the truth), a relay could not be made.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError

from bot.delivery.outbox import Job
from bot.delivery.sender import JobHandler, NotYet, RefusalHandler, Undeliverable
from bot.handoff.desk import Desk
from bot.privacy.logs import kind
from bot.storage.models import Case, CaseStatus, GroupNote, utcnow
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.send import Buttons

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"


def _buttons(job: Job) -> Buttons:
    return [(label, data) for label, data in job.payload.get("buttons", [])]


class HandoffJobs:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def handlers(self) -> dict[str, JobHandler]:
        return {
            "topic": self.topic,
            "card": self.card,
            "in_topic": self.in_topic,
            "relay_in": self.relay_in,
            "relay_edit": self.relay_edit,
            "close": self.close,
            "delete": self.delete,
            "edit_card": self.edit_card,
            "rename": self.rename,
            "tell": self.tell,
            "relay_out": self.relay_out,
            "digest": self.digest,
        }

    def refusals(self) -> dict[str, RefusalHandler]:
        return {
            "topic": self.group_refused,
            "card": self.group_refused,
            "relay_in": self.not_relayed,
            "tell": self.person_refused,
            "relay_out": self.person_refused,
            "delete": self.topic_gone,
        }

    async def _case(self, transaction: Transaction, job: Job) -> Case:
        case = await self.desk.cases(transaction).get(int(job.payload["case"]))
        if case is None:
            raise Undeliverable  # erased meanwhile: nothing left to deliver
        return case

    async def _thread(self, transaction: Transaction, job: Job) -> tuple[Case, int]:
        """The case and its topic; NotYet while the topic is still to be created."""
        case = await self._case(transaction, job)
        if case.thread_id is None:
            raise Undeliverable if case.status == CaseStatus.CLOSED else NotYet
        return case, case.thread_id

    # -- the topic ------------------------------------------------------------------------------

    async def topic(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        if case.thread_id is None:
            group = self.desk.group_chat(case)
            case.thread_id = await send.open_topic(bot, group, job.payload["name"])

    async def card(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case, thread = await self._thread(transaction, job)
        if case.card_message_id is None:
            text = job.payload["text"]
            if case.urgent and case.status == CaseStatus.WAITING:
                text, _ = self.desk.card(case, await self.desk.on_duty_mentions(transaction))
            sent = await send.message(
                bot, self.desk.group_chat(case), text, buttons=_buttons(job), thread_id=thread
            )
            case.card_message_id = sent.message_id

    async def in_topic(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case, thread = await self._thread(transaction, job)
        await send.message(
            bot,
            self.desk.group_chat(case),
            job.payload["text"],
            thread_id=thread,
            reply_to=job.payload.get("reply_to"),
        )

    async def relay_in(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case, thread = await self._thread(transaction, job)
        copied = await send.copy(
            bot,
            to=self.desk.group_chat(case),
            source=int(job.payload["chat"]),
            message_id=int(job.payload["message"]),
            thread_id=thread,
            protect=True,
        )
        await self.desk.cases(transaction).remember_relay(
            case, person_message_id=int(job.payload["message"]), group_message_id=copied
        )

    async def relay_edit(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        relayed = await self.desk.cases(transaction).group_message_for(
            case, int(job.payload["person_message"])
        )
        if relayed is not None:
            group = self.desk.group_chat(case)
            await send.edit(bot, group, relayed, job.payload["text"], html=False)

    async def close(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        if case.thread_id is not None:
            await send.close_topic(bot, self.desk.group_chat(case), case.thread_id)

    async def delete(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        if case.thread_id is not None:
            await send.delete_topic(bot, self.desk.group_chat(case), case.thread_id)
        case.thread_id = None
        case.card_message_id = None

    # -- the topic's face -----------------------------------------------------------------------

    async def edit_card(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        if case.card_message_id is None:
            if case.status == CaseStatus.CLOSED:
                return
            raise NotYet
        group = self.desk.group_chat(case)
        await _edit(bot, group, case.card_message_id, job.payload["text"], _buttons(job))

    async def rename(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        if case.thread_id is None:
            if case.status == CaseStatus.CLOSED:
                return
            raise NotYet
        await send.rename_topic(
            bot, self.desk.group_chat(case), case.thread_id, job.payload["name"]
        )

    # -- the person -----------------------------------------------------------------------------

    async def tell(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        await send.message(
            bot, int(job.payload["chat"]), job.payload["text"], buttons=_buttons(job)
        )

    async def relay_out(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        case = await self._case(transaction, job)
        copied = await send.copy(
            bot,
            to=int(job.payload["chat"]),
            source=self.desk.group_chat(case),
            message_id=int(job.payload["message"]),
            protect=True,
        )
        if case.status != CaseStatus.CLOSED:
            await self.desk.cases(transaction).remember_relay(
                case, person_message_id=copied, group_message_id=int(job.payload["message"])
            )

    # -- the group's General topic ------------------------------------------------------------

    async def digest(self, bot: Bot, transaction: Transaction, job: Job) -> None:
        """Edit the digest in place; post it anew when it should notify, or when it is gone."""
        group = str(job.payload["group"])
        session = await transaction.session()
        note = await session.get(GroupNote, group)
        if note is None:
            note = GroupNote(group=group)
            session.add(note)
        chat = self.desk.groups.chat_of(group)
        old = note.digest_message_id
        if old is not None and not job.payload.get("fresh"):
            try:
                await _edit(bot, chat, old, job.payload["text"], ())
            except TelegramBadRequest as exc:
                if NOT_MODIFIED in exc.message:
                    return
                log.info("handoff.digest_renewed error=%s", kind(exc))  # deleted by someone
            else:
                return
        sent = await send.message(bot, chat, job.payload["text"])
        note.digest_message_id = sent.message_id
        note.posted_at = utcnow()
        if old is not None and job.payload.get("fresh"):
            await send.delete_messages(bot, chat, [old])  # one list in the group, not many

    # -- refusals ---------------------------------------------------------------------------------

    async def group_refused(
        self, bot: Bot, transaction: Transaction, job: Job, exc: TelegramAPIError
    ) -> None:
        """The group will not take the case (the bot was removed, or the topic deleted): the
        person is told the truth and where help is now; the case ends."""
        log.error("handoff.group_refused case=%s error=%s", job.payload.get("case"), kind(exc))
        case = await self.desk.cases(transaction).get(int(job.payload["case"]))
        if case is None or case.status == CaseStatus.CLOSED:
            return
        chat = self.desk.chat_of(case)
        if chat is not None:
            words = self.desk.words
            text = words.text(words.texts.volunteers_unavailable, case.locale)
            await self.desk.post.tell(transaction, case, chat, text)
        await self.desk.end(bot, transaction, case, by_person=True)

    async def not_relayed(
        self, bot: Bot, transaction: Transaction, job: Job, exc: TelegramAPIError
    ) -> None:
        case = await self.desk.cases(transaction).get(int(job.payload["case"]))
        if case is None or case.status == CaseStatus.CLOSED:
            return
        log.warning("handoff.not_relayed case=%s error=%s", case.id, kind(exc))
        words = self.desk.words
        text = words.text(words.texts.not_delivered, case.locale)
        await self.desk.post.tell(transaction, case, int(job.payload["chat"]), text)

    async def person_refused(
        self, bot: Bot, transaction: Transaction, job: Job, exc: TelegramAPIError
    ) -> None:
        """The person blocked the bot: nothing more reaches them; an open case ends."""
        if not isinstance(exc, TelegramForbiddenError):
            return
        case = await self.desk.cases(transaction).get(int(job.payload["case"]))
        if case is None or case.status == CaseStatus.CLOSED:
            return
        log.info("handoff.person_blocked_bot case=%s", case.id)
        case.chat = None
        await self.desk.end(bot, transaction, case, by_person=True)

    async def topic_gone(
        self, bot: Bot, transaction: Transaction, job: Job, exc: TelegramAPIError
    ) -> None:
        case = await self.desk.cases(transaction).get(int(job.payload["case"]))
        if case is not None:
            case.thread_id = None
            case.card_message_id = None


async def _edit(bot: Bot, chat: int, message_id: int, text: str, buttons: Buttons) -> None:
    await send.edit(bot, chat, message_id, text, buttons=buttons)
