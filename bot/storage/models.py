"""The database tables. The schema changes only through migrations (migrations/versions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, true
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC, read back aware whatever the engine keeps (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "a naive datetime cannot be stored: use bot.storage.models.utcnow()"
            raise ValueError(msg)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


SEALED_CHAT = 128
"""Room for a sealed chat id (nonce, id, tag; base64)."""


class Base(DeclarativeBase):
    pass


class FsmRecord(Base):
    """aiogram FSM state and data for one conversation, keyed by a pseudonym of its ids."""

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Person(Base):
    """What the bot must remember about a person beyond the conversation: only that."""

    __tablename__ = "people"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseStatus(StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    CLOSED = "closed"


class Case(Base):
    """A person's request for a volunteer, and its forum topic in the volunteers' group.

    Who it is about (pseudonym) and where to write (the chat id, sealed) are kept only while
    it is open; a closed case keeps its subject, urgency, group, topic thread and timings, for
    statistics and for deleting the thread later.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str | None] = mapped_column(String(64), index=True)
    chat: Mapped[str | None] = mapped_column(String(SEALED_CHAT))
    """Where to write to the person, sealed (bot/privacy/sealing.py); never a plain id."""
    group: Mapped[str | None] = mapped_column(String(32))
    """Which volunteers' group has the case: a pseudonym of its id (None: the first group)."""
    subject: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(32))
    """Why it is urgent (a reason of settings.yaml: crisis, violence_now, ...), never the words."""
    help_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    """The person was shown where help is right now, once in this case (crisis words)."""
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True, default=CaseStatus.WAITING)
    thread_id: Mapped[int | None] = mapped_column(Integer, index=True)
    card_message_id: Mapped[int | None] = mapped_column(Integer)
    volunteer: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    person_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RelayedMessage(Base):
    """Which message in the person's chat is which in the topic: ids only, while a case is open."""

    __tablename__ = "relayed_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_message_id: Mapped[int] = mapped_column(Integer)
    group_message_id: Mapped[int] = mapped_column(Integer)


class Volunteer(Base):
    """A volunteer as the bot knows them: a pseudonym, the alias they chose, whether on duty."""

    __tablename__ = "volunteers"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str | None] = mapped_column(String(64))
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)


class HelpedCount(Base):
    """Answers to "did it help?" after a conversation with a volunteer: counts per day, nothing
    else; the day lets old counts be purged after RETENTION_DAYS."""

    __tablename__ = "helped_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answer: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChatMessage(Base):
    """A message in a person's private chat (theirs or the bot's), kept so that the chat can be
    cleared: its number and time only, under the pseudonym, for 48 hours (Telegram's limit)."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AutoClearing(Base):
    """A person's choice to have their chat cleared automatically: the only reason, besides an
    open case, that the bot keeps where to write to them (the raw chat id)."""

    __tablename__ = "auto_clearing"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat: Mapped[str] = mapped_column(String(SEALED_CHAT))
    """Where to delete the messages, sealed."""
    after_minutes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Checkin(Base):
    """A person's check-ins, only while they are on: where to write (sealed), in which
    language, when, in which time zone. Never the answers; stopping deletes the row."""

    __tablename__ = "checkins"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat: Mapped[str] = mapped_column(String(SEALED_CHAT))
    locale: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[int | None] = mapped_column(Integer)
    """Every week on this day (0 = Monday); None: once."""
    part: Mapped[str] = mapped_column(String(16))
    zone: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_sent_day: Mapped[date | None] = mapped_column(Date)
    """The person's date of the last one claimed for sending: at most one a day, even when
    the bot died between sending and noting it."""


class CheckinCount(Base):
    """Answers to check-ins: counts per day, nothing else (like "did it help")."""

    __tablename__ = "checkin_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answer: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxEntry(Base):
    """Something the bot must send that is not the immediate answer to a person's own action:
    recorded with the change that causes it, deleted with the record of its delivery.

    The payload (where to, what) is sealed; entries of one `sequence` go out one after another,
    in order; `priority` says who needs the budget first (bot/delivery/priorities.py).
    """

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (ids never reused)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sequence: Mapped[str] = mapped_column(String(64), index=True)
    priority: Mapped[int] = mapped_column(Integer, index=True)
    lane: Mapped[str] = mapped_column(String(40), index=True)
    """The chat's budget it spends: "person", or "group:" and the group's pseudonym."""
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    replaces: Mapped[str | None] = mapped_column(String(64), index=True)
    """A newer entry with the same key replaces an unsent one (a card edited twice)."""
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HandledUpdate(Base):
    """An update from Telegram that was handled and committed: one redelivered after a crash
    (polling confirms only what is handled) is recognised and not handled twice. Kept a day,
    as long as Telegram keeps updates. `answered`: handling finished, its replies sent; until
    then only its first commit is known (a crash may have cut its answer off)."""

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answered: Mapped[bool] = mapped_column(default=True, server_default=true())


class GroupNote(Base):
    """The digest of waiting cases in a volunteers' group's General topic, edited in place."""

    __tablename__ = "group_notes"

    group: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest_message_id: Mapped[int | None] = mapped_column(Integer)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
