"""Data access for handlers and services. Repositories never commit (see transaction.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import (
    AutoClearing,
    Case,
    CaseStatus,
    ChatMessage,
    Checkin,
    HelpedCount,
    Person,
    RelayedMessage,
    Volunteer,
    utcnow,
)
from bot.storage.transaction import Transaction


class People:
    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def mark_blocked(self, pseudonym: str) -> None:
        """The person blocked the bot (Telegram answered 403): remember not to write again, and
        stop their check-ins (an unblock does not start them again: they may ask anew)."""
        session = await self._transaction.session()
        await session.execute(delete(Checkin).where(Checkin.person == pseudonym))
        person = await session.get(Person, pseudonym)
        if person is None:
            person = Person(pseudonym=pseudonym)
            session.add(person)
        person.blocked_at = utcnow()
        person.updated_at = utcnow()

    async def mark_active(self, pseudonym: str) -> None:
        """The person wrote to us: a block they had is over."""
        person = await (await self._transaction.session()).get(Person, pseudonym)
        if person is not None and person.blocked_at is not None:
            person.blocked_at = None
            person.updated_at = utcnow()

    async def forget(self, pseudonym: str) -> None:
        """The person and their check-ins (where to write to them)."""
        session = await self._transaction.session()
        await session.execute(delete(Person).where(Person.pseudonym == pseudonym))
        await session.execute(delete(Checkin).where(Checkin.person == pseudonym))


OPEN = (CaseStatus.WAITING, CaseStatus.TAKEN)


class Cases:
    """Requests for a volunteer. Groundwork for the handoff (issue 5): storage only, no I/O.

    With SQLite, the update's transaction holds the write lock from its first write until the
    handler returns, network calls included; so callers should write after talking to
    Telegram, and the claim, which must be atomic and answered at once, commits on its own.
    """

    def __init__(
        self, transaction: Transaction, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self._transaction = transaction
        self._sessions = sessions

    async def open(
        self,
        *,
        person: str,
        chat: str,
        group: str,
        subject: str,
        urgent: bool,
        locale: str,
        reason: str | None = None,
    ) -> Case:
        """`chat`: where to write to the person, sealed; `group`: the group's pseudonym."""
        session = await self._transaction.session()
        case = Case(
            person=person,
            chat=chat,
            group=group,
            subject=subject,
            urgent=urgent,
            reason=reason,
            locale=locale,
            status=CaseStatus.WAITING,
            created_at=utcnow(),
        )
        session.add(case)
        await session.flush()
        return case

    async def open_for(self, person: str) -> Case | None:
        """The person's case that is waiting or taken, if any."""
        session = await self._transaction.session()
        found = await session.execute(
            select(Case).where(Case.person == person, Case.status.in_(OPEN)).limit(1)
        )
        return found.scalar_one_or_none()

    async def waiting(self) -> list[Case]:
        """Cases nobody has taken yet, oldest first."""
        session = await self._transaction.session()
        found = await session.execute(
            select(Case).where(Case.status == CaseStatus.WAITING).order_by(Case.id)
        )
        return list(found.scalars())

    async def taken_by(self, volunteer: str) -> list[Case]:
        session = await self._transaction.session()
        found = await session.execute(
            select(Case).where(Case.status == CaseStatus.TAKEN, Case.volunteer == volunteer)
        )
        return list(found.scalars())

    async def closed_with_topic(self) -> list[Case]:
        """Closed cases whose topic (and its messages) is still in the volunteers' group."""
        session = await self._transaction.session()
        found = await session.execute(
            select(Case).where(Case.status == CaseStatus.CLOSED, Case.thread_id.is_not(None))
        )
        return list(found.scalars())

    async def times(self) -> list[tuple[str, datetime, datetime | None]]:
        """Subject, requested and taken times of every case: what /stats counts."""
        session = await self._transaction.session()
        found = await session.execute(select(Case.subject, Case.created_at, Case.taken_at))
        return [(subject, created, taken) for subject, created, taken in found]

    async def get(self, case_id: int) -> Case | None:
        session = await self._transaction.session()
        return await session.get(Case, case_id, populate_existing=True)

    async def by_thread(self, group: str, thread_id: int, *, first: bool) -> Case | None:
        """The case of a topic in a group (`first`: the first group, which also has the cases
        of before there were several)."""
        session = await self._transaction.session()
        in_group = or_(Case.group == group, Case.group.is_(None)) if first else Case.group == group
        found = await session.execute(
            select(Case).where(Case.thread_id == thread_id, in_group).limit(1)
        )
        return found.scalar_one_or_none()

    async def waiting_in(self, group: str, *, first: bool) -> int:
        """How many cases of a group nobody has taken yet (to send a new one where fewest wait)."""
        session = await self._transaction.session()
        in_group = or_(Case.group == group, Case.group.is_(None)) if first else Case.group == group
        found = await session.execute(
            select(func.count(Case.id)).where(Case.status == CaseStatus.WAITING, in_group)
        )
        return int(found.scalar_one())

    async def claim(self, case_id: int, volunteer: str) -> bool:
        """Exactly one of several volunteers pressing Take at once gets the case."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Case)
                .where(Case.id == case_id, Case.status == CaseStatus.WAITING)
                .values(status=CaseStatus.TAKEN, volunteer=volunteer, taken_at=utcnow())
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release(self, case: Case) -> None:
        """Back to the queue: /release, /transfer, or the volunteer left the group."""
        case.status = CaseStatus.WAITING
        case.volunteer = None

    async def close(self, case: Case) -> None:
        """Forget who and where; keep subject, urgency, thread and timings."""
        session = await self._transaction.session()
        case.status = CaseStatus.CLOSED
        case.closed_at = utcnow()
        case.person = None
        case.chat = None
        case.volunteer = None
        case.locale = None
        await session.execute(delete(RelayedMessage).where(RelayedMessage.case_id == case.id))

    async def remember_relay(
        self, case: Case, *, person_message_id: int, group_message_id: int
    ) -> None:
        session = await self._transaction.session()
        session.add(
            RelayedMessage(
                case_id=case.id,
                person_message_id=person_message_id,
                group_message_id=group_message_id,
            )
        )

    async def group_message_for(self, case: Case, person_message_id: int) -> int | None:
        """Where a message of the person went in the topic (to relay an edit)."""
        session = await self._transaction.session()
        found = await session.execute(
            select(RelayedMessage.group_message_id).where(
                RelayedMessage.case_id == case.id,
                RelayedMessage.person_message_id == person_message_id,
            )
        )
        return found.scalar_one_or_none()


class Volunteers:
    """Volunteers by pseudonym: the alias they chose (never their Telegram name)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def alias(self, pseudonym: str) -> str | None:
        volunteer = await (await self._transaction.session()).get(Volunteer, pseudonym)
        return volunteer.alias if volunteer else None

    async def set_duty(self, pseudonym: str, *, on: bool) -> None:
        session = await self._transaction.session()
        volunteer = await session.get(Volunteer, pseudonym)
        if volunteer is None:
            volunteer = Volunteer(pseudonym=pseudonym, on_duty=on)
            session.add(volunteer)
        volunteer.on_duty = on

    async def on_duty(self) -> list[Volunteer]:
        session = await self._transaction.session()
        found = await session.execute(select(Volunteer).where(Volunteer.on_duty.is_(True)))
        return list(found.scalars())

    async def set_alias(self, pseudonym: str, alias: str) -> None:
        session = await self._transaction.session()
        volunteer = await session.get(Volunteer, pseudonym)
        if volunteer is None:
            volunteer = Volunteer(pseudonym=pseudonym, on_duty=False)
            session.add(volunteer)
        volunteer.alias = alias


class Helped:
    """Did the conversation help? One number per answer; no link to anyone or any case."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def count(self, answer: str) -> None:
        session = await self._transaction.session()
        today = utcnow().date()
        row = await session.get(HelpedCount, (today, answer))
        if row is None:
            session.add(HelpedCount(day=today, answer=answer, count=1))
        else:
            row.count += 1

    async def counts(self) -> dict[str, int]:
        session = await self._transaction.session()
        found = await session.execute(
            select(HelpedCount.answer, func.sum(HelpedCount.count)).group_by(HelpedCount.answer)
        )
        return {str(answer): int(count) for answer, count in found.all()}


class ChatMessages:
    """The numbers and times of the messages in people's chats (for clearing), never words."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, rows: Sequence[tuple[str, int, datetime]]) -> None:
        await self._session.execute(
            insert(ChatMessage),
            [{"person": p, "message_id": m, "sent_at": at} for p, m, at in rows],
        )

    async def of(self, person: str, since: datetime, until: datetime | None = None) -> list[int]:
        query = select(ChatMessage.message_id).where(
            ChatMessage.person == person, ChatMessage.sent_at >= since
        )
        if until is not None:
            query = query.where(ChatMessage.sent_at <= until)
        found = await self._session.execute(query.order_by(ChatMessage.message_id))
        return sorted(set(found.scalars()))

    async def drop(self, person: str, message_ids: Collection[int] | None = None) -> None:
        statement = delete(ChatMessage).where(ChatMessage.person == person)
        if message_ids is not None:
            statement = statement.where(ChatMessage.message_id.in_(message_ids))
        await self._session.execute(statement)

    async def drop_older_than(self, moment: datetime) -> None:
        await self._session.execute(delete(ChatMessage).where(ChatMessage.sent_at < moment))


class AutoClearings:
    """People who asked for their chat to be cleared on a timer: the chat, sealed, while on."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(self, person: str, chat: str, minutes: int | None) -> None:
        row = await self._session.get(AutoClearing, person)
        if minutes is None:
            if row is not None:
                await self._session.delete(row)
        elif row is None:
            self._session.add(
                AutoClearing(person=person, chat=chat, after_minutes=minutes, updated_at=utcnow())
            )
        else:
            row.chat, row.after_minutes, row.updated_at = chat, minutes, utcnow()

    async def all(self) -> list[AutoClearing]:
        return list((await self._session.execute(select(AutoClearing))).scalars())

    async def cleared(self, person: str, at: datetime) -> None:
        row = await self._session.get(AutoClearing, person)
        if row is not None:
            row.updated_at = at

    async def forget(self, person: str) -> None:
        await self._session.execute(delete(AutoClearing).where(AutoClearing.person == person))
