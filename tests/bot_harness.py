"""The real Dispatcher with a mocked session, and a way to play a person in a private chat."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Message,
    Sticker,
    Update,
    User,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import DELIVERY, create_dispatcher, wire_session
from bot.config import Settings
from bot.delivery.sender import Sender
from bot.privacy.messages import MessageLog
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.db import create_engine, create_sessionmaker, is_sqlite
from bot.telegram.pacing import Limits, Pacer
from dialogs import Content
from dialogs.live import LiveContent
from tests.mocked_session import BOT_USER, MockedSession

PSEUDONYM_KEY = b"test pseudonym key"
GROUP = -1001234567890
"""The volunteers' forum in Dispatcher tests."""
ALA = User(id=9001, is_bot=False, first_name="Alaksandra", username="ala_volunteer")
BORYS = User(id=9002, is_bot=False, first_name="Borys")
STRANGER = User(id=9003, is_bot=False, first_name="Stranger")


@dataclass
class ManualClock:
    """Time for the anti-flood allowance: it moves only when a test (or a wait) moves it."""

    now: float = 1000.0
    real_seconds_per_second: float = 0.0
    """How long a wait really takes, per second waited: 0 moves on at once."""

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds * self.real_seconds_per_second)
        self.now += seconds


@dataclass
class Sleeps:
    """Instead of waiting, remember how long the bot would have waited."""

    waited: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


class WallClock:
    """The date and time the bot plans and sends check-ins by: a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Harness:
    def __init__(
        self,
        content: Content,
        database_url: str,
        *,
        volunteer_chat_id: int | None = None,
        delete_topics_after_hours: int = 24,
        admins: frozenset[int] = frozenset(),
        hours: str | None = None,
        groups: str | None = None,
        limits: Limits | None = None,
        live: LiveContent | None = None,
    ) -> None:
        """`groups`: VOLUNTEER_CHAT_ID as a deployer writes several; `limits`: the pace the
        bot believes in when it tells people the wait (the mocked session has none); `live`:
        content that may be reloaded while the bot runs (`content` is then its first version)."""
        self.volunteer_chat_id = volunteer_chat_id
        self.groups = groups
        self.limits = limits
        self.admins = admins
        self.hours = hours
        self.delete_topics_after_hours = delete_topics_after_hours
        self.content = content
        self.live = live
        self.engine: AsyncEngine = create_engine(database_url)
        self.session = MockedSession()
        database = make_url(database_url).database
        if is_sqlite(database_url) and database and database != ":memory:":
            # SQLite has one writer; PostgreSQL locks rows, so there is no such lock to probe.
            self.session.lock_probe = partial(write_lock_held, Path(database))
        self.sleeps = Sleeps()
        self.pacer = Pacer(limits=None)
        self.pseudonyms = Pseudonymizer(PSEUDONYM_KEY)
        self.sealer = Sealer(PSEUDONYM_KEY)
        self.clock = ManualClock()
        self.wall = WallClock()
        self.messages = MessageLog(create_sessionmaker(self.engine))
        wire_session(
            self.session,
            pacer=self.pacer,
            messages=self.messages,
            pseudonyms=self.pseudonyms,
            sleep=self.sleeps,
        )
        self.bot = Bot("42:TEST", session=self.session)
        self.dispatcher: Dispatcher = self.restart()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def restart(self) -> Dispatcher:
        """A new Dispatcher on the same database: what a process restart looks like."""
        self.dispatcher = create_dispatcher(
            self.settings(),
            content=self.live or self.content,
            sessions=create_sessionmaker(self.engine),
            pseudonyms=Pseudonymizer(PSEUDONYM_KEY),
            sealer=self.sealer,
            messages=self.messages,
            limits=self.limits,
            flood_clock=self.clock,
            flood_sleep=self.clock.sleep,
            wall_clock=self.wall,
        )
        return self.dispatcher

    def settings(self) -> Settings:
        """The bot's settings as a deployment would give them (no .env, no environment)."""
        return Settings(
            _env_file=None,
            VOLUNTEER_CHAT_ID=self.groups or self.volunteer_chat_id,
            CASE_TOPIC_DELETE_HOURS=self.delete_topics_after_hours,
            ADMIN_IDS=self.admins,
            VOLUNTEER_HOURS=self.hours,
        )

    async def close(self) -> None:
        await self.messages.close()
        await self.engine.dispose()
        # Checked all along: no Bot API call went out while SQLite's one write lock was held
        # (every other writer would have waited for Telegram).
        assert not self.session.calls_under_lock, self.session.calls_under_lock

    async def feed(self, **event: Any) -> None:
        """One update, handled as polling would, and what it put in the outbox delivered."""
        update = Update(update_id=next(self._update_ids), **event)
        await self.dispatcher.feed_update(self.bot, update)
        await self.deliver()

    async def deliver(self) -> None:
        """Everything due in the outbox, sent (the sender runs on its own in production)."""
        sender: Sender = self.dispatcher[DELIVERY]
        await sender.drain(self.bot)

    def _message(self, user: User, at: datetime | None = None, **fields: Any) -> Message:
        return Message(
            message_id=next(self._message_ids),
            date=at or datetime.now(UTC),
            chat=Chat(id=user.id, type="private", first_name=user.first_name),
            from_user=user,
            **fields,
        )

    async def say(
        self, user: User, text: str, at: datetime | None = None, *, pause: float = 1.0
    ) -> int:
        """The person writes (at `at`, as Telegram dates it; default now), `pause` seconds
        after what they did before (a flood is messages without pauses)."""
        self.clock.now += pause
        message = self._message(user, at, text=text)
        await self.feed(message=message)
        return message.message_id

    async def edit(self, user: User, message_id: int, text: str) -> None:
        """The person edits a message they sent earlier."""
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            edit_date=int(datetime.now(UTC).timestamp()),
            chat=Chat(id=user.id, type="private", first_name=user.first_name),
            from_user=user,
            text=text,
        )
        await self.feed(edited_message=message)

    async def sticker(self, user: User) -> None:
        sticker = Sticker(
            file_id="s1",
            file_unique_id="u1",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
        )
        await self.feed(message=self._message(user, sticker=sticker))

    async def share(self, user: User, **shared: Any) -> int:
        """The person sends a contact or a location (`contact=Contact(...)`, `location=...`)."""
        message = self._message(user, **shared)
        await self.feed(message=message)
        return message.message_id

    async def press_data(self, user: User, data: str) -> None:
        """A button press with this data, whatever the bot's messages carried (a forgery)."""
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private"),
            from_user=BOT_USER,
            text="x",
        )
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=user,
            chat_instance="ci",
            data=data,
            message=message,
        )
        await self.feed(callback_query=query)

    async def press(self, user: User, label: str, on: SendMessage | None = None) -> None:
        """Press the button with `label` on a message the bot sent (default: the last one)."""
        sent = on or self.last_to(user)
        markup = sent.reply_markup
        assert isinstance(markup, InlineKeyboardMarkup), "that message has no buttons"
        buttons = [b for row in markup.inline_keyboard for b in row]
        matching = [b for b in buttons if label in b.text]
        assert len(matching) == 1, [b.text for b in buttons]
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private"),
            from_user=BOT_USER,
            text=sent.text,
            reply_markup=markup,
        )
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=user,
            chat_instance="ci",
            data=matching[0].callback_data,
            message=message,
        )
        await self.feed(callback_query=query)

    async def membership(self, user: User, *, blocked: bool) -> None:
        """Telegram's notice that the person blocked (or unblocked) the bot."""
        bot_user = User(id=BOT_USER.id, is_bot=True, first_name=BOT_USER.first_name)
        member = ChatMemberMember(user=bot_user)
        banned = ChatMemberBanned(user=bot_user, until_date=datetime.fromtimestamp(0, UTC))
        notice = ChatMemberUpdated(
            chat=Chat(id=user.id, type="private"),
            from_user=user,
            date=datetime.now(UTC),
            old_chat_member=member if blocked else banned,
            new_chat_member=banned if blocked else member,
        )
        await self.feed(my_chat_member=notice)

    async def post_in_topic(
        self, volunteer: User, thread_id: int, text: str, *, group: int | None = None
    ) -> int:
        """A volunteer writes in a case's topic of the volunteers' group (or of `group`)."""
        chat_id = group or self.volunteer_chat_id
        assert chat_id is not None
        message_id = next(self._message_ids)
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="supergroup", is_forum=True),
            from_user=volunteer,
            message_thread_id=thread_id,
            is_topic_message=True,
            text=text,
        )
        await self.feed(message=message)
        return message_id

    async def press_in_group(self, volunteer: User, sent: SendMessage) -> None:
        """A volunteer presses the (only) button under a message the bot sent to the group."""
        markup = sent.reply_markup
        assert isinstance(markup, InlineKeyboardMarkup)
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=int(sent.chat_id), type="supergroup", is_forum=True),
            from_user=BOT_USER,
            text=sent.text,
            reply_markup=markup,
        )
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=volunteer,
            chat_instance="group",
            data=markup.inline_keyboard[0][0].callback_data,
            message=message,
        )
        await self.feed(callback_query=query)

    async def leaves_group(self, volunteer: User) -> None:
        """Telegram's notice that a member left the volunteers' group."""
        assert self.volunteer_chat_id is not None
        notice = ChatMemberUpdated(
            chat=Chat(id=self.volunteer_chat_id, type="supergroup", is_forum=True),
            from_user=volunteer,
            date=datetime.now(UTC),
            old_chat_member=ChatMemberMember(user=volunteer),
            new_chat_member=ChatMemberLeft(user=volunteer),
        )
        await self.feed(chat_member=notice)

    def storage_key(self, user: User) -> StorageKey:
        """Where aiogram keeps the person's conversation (the storage hashes it)."""
        return StorageKey(bot_id=self.bot.id, chat_id=user.id, user_id=user.id)

    def in_group(self) -> list[SendMessage]:
        return [m for m in self.session.sent() if int(m.chat_id) == self.volunteer_chat_id]

    def to(self, user: User) -> list[SendMessage]:
        return [m for m in self.session.sent() if int(m.chat_id) == user.id]

    def last_to(self, user: User) -> SendMessage:
        sent = self.to(user)
        assert sent, "the bot sent nothing to this person"
        return sent[-1]

    def labels(self, message: SendMessage) -> list[str]:
        markup = message.reply_markup
        if not isinstance(markup, InlineKeyboardMarkup):
            return []
        return [b.text for row in markup.inline_keyboard for b in row]


def person(
    user_id: int = 5551234, first_name: str = "Ales", language_code: str | None = "en"
) -> User:
    return User(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)


async def write_lock_held(database: Path, patience: float = 2.0) -> bool:
    """Whether SQLite's write lock stays taken for `patience` seconds. Asked from a thread while
    the event loop goes on, so others' short transactions finish; one that waits for the very
    call being made never does."""
    return await asyncio.to_thread(_cannot_write, database, patience)


def _cannot_write(database: Path, patience: float) -> bool:
    connection = sqlite3.connect(database, timeout=patience, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()
