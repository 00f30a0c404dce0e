"""The composition root: everything is built here from Settings, and nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, ChatMemberAdministrator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.config import Settings
from bot.conversation import errors
from bot.conversation import router as dialog
from bot.conversation.conversations import Availability, Conversations
from bot.conversation.effects import EffectHandler, Effects, PrivacyControls
from bot.conversation.flood import Clock, FloodControl, Sleep
from bot.handoff import router as volunteers
from bot.handoff.desk import Handoff, is_talking, no_volunteers
from bot.handoff.hours import Hours
from bot.health import HEARTBEAT_FILE, heartbeat
from bot.privacy import retention
from bot.privacy.clearing import Clearing, MessageLog, NoteReceived, NoteSent
from bot.privacy.logs import kind, safe
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.fsm import SqlStorage
from bot.storage.models import utcnow
from bot.storage.repositories import Transaction
from bot.telegram.middlewares import ChatIsolation, DatabaseMiddleware, TurnMiddleware
from bot.telegram.retry import RetryMiddleware
from bot.telegram.send import PARSE_MODE
from dialogs import Content

log = logging.getLogger(__name__)

MENU_COMMANDS = ("menu", "back", "help", "language", "human", "privacy")
"""The commands shown in Telegram's menu, in this order (/start is always there)."""


def create_bot(settings: Settings, *, messages: MessageLog, pseudonyms: Pseudonymizer) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL))
    session.middleware(RetryMiddleware())
    session.middleware(NoteSent(messages, pseudonyms))
    return Bot(
        token=settings.token(), session=session, default=DefaultBotProperties(parse_mode=PARSE_MODE)
    )


def create_dispatcher(
    *,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    messages: MessageLog,
    volunteer_chat_id: int | None = None,
    remind_after: int = 10,
    timeout_after: int = 60,
    urgent_timeout_after: int = 10,
    delete_topics_after_hours: int = 24,
    admins: frozenset[int] = frozenset(),
    hours: Hours | None = None,
    flood_clock: Clock = time.monotonic,
    flood_sleep: Sleep = asyncio.sleep,
) -> Dispatcher:
    storage = SqlStorage(sessions, pseudonyms)
    dispatcher = Dispatcher(storage=storage, events_isolation=ChatIsolation())
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessions))
    dispatcher.update.outer_middleware(TurnMiddleware(pseudonyms))
    dispatcher.message.outer_middleware(NoteReceived(messages))  # skipped ones are noted too
    # Without a Handoff no case is ever open, so nobody is talking with a volunteer.
    flood = FloodControl(is_talking, content.alarm, clock=flood_clock, sleep=flood_sleep)
    dispatcher.message.outer_middleware(flood)
    handlers: dict[type[dialogs.Effect], EffectHandler] = {}
    handoff = None
    if volunteer_chat_id is not None and content.system.handoff:
        handoff = Handoff(
            content=content,
            group_id=volunteer_chat_id,
            sessions=sessions,
            pseudonyms=pseudonyms,
            storage=storage,
            remind_after=remind_after,
            timeout_after=timeout_after,
            urgent_timeout_after=urgent_timeout_after,
            delete_after_hours=delete_topics_after_hours,
            admins=admins,
            hours=hours,
        )
        handlers[dialogs.AskPerson] = handoff.ask
    else:
        handlers[dialogs.AskPerson] = no_volunteers
    clearing = Clearing(messages, sessions)
    handlers.update(PrivacyControls(clearing, handoff).handlers())
    dispatcher["handoff"] = handoff
    dispatcher["clearing"] = clearing
    dispatcher["conversations"] = Conversations(
        content, Effects(handlers), volunteers_now(handoff is not None, hours)
    )
    dispatcher.include_routers(errors.create_router(), dialog.create_router())
    if handoff is not None:
        dispatcher.include_router(volunteers.create_router(handoff.group_id))
    return dispatcher


def volunteers_now(handoff: bool, hours: Hours | None) -> Availability:
    """Whether someone asking now can be answered, as the texts need to know it."""

    def now() -> str:
        if not handoff:
            return "none"
        if hours is not None and not hours.open_at(utcnow()):
            return "away"
        return "here"

    return now


async def set_commands(bot: Bot, content: Content) -> None:
    """The command menu in every language, and the default language for everyone else."""
    for locale in (*content.languages, None):
        shown = locale or content.default_locale
        commands = [
            BotCommand(
                command=name,
                description=content.renderer.label(
                    content.system.commands[name].description, shown
                ),
            )
            for name in MENU_COMMANDS
        ]
        await bot.set_my_commands(commands, language_code=locale)


async def set_profile(bot: Bot, content: Content) -> None:
    """The bot's name and descriptions per language, set only where they differ.

    Telegram allows few such calls a day, so they are compared first and never retried: a
    failure is logged and the bot starts anyway.
    """
    profile = content.profile
    if profile is None:
        return
    label = content.renderer.label
    for locale in (*content.languages, None):
        shown = locale or content.default_locale
        try:
            name = label(profile.name, shown)
            if (await bot.get_my_name(language_code=locale)).name != name:
                await bot.set_my_name(name=name, language_code=locale)
            short = label(profile.short_description, shown)
            current_short = await bot.get_my_short_description(language_code=locale)
            if current_short.short_description != short:
                await bot.set_my_short_description(short_description=short, language_code=locale)
            description = label(profile.description, shown)
            if (await bot.get_my_description(language_code=locale)).description != description:
                await bot.set_my_description(description=description, language_code=locale)
        except TelegramAPIError as exc:
            log.warning("bot.profile_not_set locale=%s error=%s", safe(locale), kind(exc))
            return


TIDY_EVERY_SECONDS = 30


async def tidy_up(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clearing: Clearing,
    handoff: Handoff | None,
    retention_days: int,
) -> None:
    """One round of the bot's own chores. Each is on its own: one failing does not stop the
    others, and the next round tries again."""
    if handoff is not None:
        # Remind volunteers of cases nobody took, tell people who waited long, delete the
        # topics of cases that ended long enough ago: each in its own transaction, so that
        # what one wrote is committed before the next talks to Telegram (SQLite has one
        # writer, and people's conversations are saved meanwhile).
        for chore in (handoff.remind, handoff.tell_long_waits, handoff.delete_old_topics):
            transaction = Transaction(sessions)
            try:
                await chore(bot, transaction, utcnow())
            except Exception as exc:
                await transaction.finish(commit=False)
                log.error("handoff.chore_failed error=%s", kind(exc))
            else:
                await transaction.finish(commit=True)
    try:
        await clearing.auto_clear(bot)
    except Exception as exc:
        log.error("clearing.round_failed error=%s", kind(exc))
    try:
        await retention.purge(sessions, utcnow(), retention_days)
    except Exception as exc:
        log.error("retention.round_failed error=%s", kind(exc))


async def tidy_forever(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clearing: Clearing,
    handoff: Handoff | None,
    retention_days: int,
) -> None:
    while True:
        await asyncio.sleep(TIDY_EVERY_SECONDS)
        await tidy_up(
            bot, sessions, clearing=clearing, handoff=handoff, retention_days=retention_days
        )


class SetupError(Exception):
    """Something outside the bot is not set up; the message says what, in one line."""


async def check_volunteer_group(bot: Bot, chat_id: int) -> None:
    """The volunteers' group must be a forum where the bot manages topics and deletes messages."""
    try:
        chat = await bot.get_chat(chat_id)
        me = await bot.get_me()
        member = await bot.get_chat_member(chat_id=chat_id, user_id=me.id)
    except TelegramAPIError as exc:
        msg = (
            f"setting VOLUNTEER_CHAT_ID: the bot cannot see that group ({kind(exc)}); "
            "add the bot to it"
        )
        raise SetupError(msg) from None
    if not chat.is_forum:
        msg = "setting VOLUNTEER_CHAT_ID: that group must have topics turned on (a forum)"
        raise SetupError(msg)
    rights = ("can_manage_topics", "can_delete_messages")
    if not isinstance(member, ChatMemberAdministrator) or not all(
        getattr(member, right, False) for right in rights
    ):
        msg = (
            "setting VOLUNTEER_CHAT_ID: make the bot an administrator of that group allowed to "
            "manage topics and delete messages"
        )
        raise SetupError(msg)


async def run_polling(settings: Settings, content: Content) -> None:
    content.hearing.prepare()  # the search for crisis words, built before the first message
    engine = create_engine(settings.DATABASE_URL)
    sessions = create_sessionmaker(engine)
    pseudonyms = Pseudonymizer(settings.pseudonym_key())
    messages = MessageLog(sessions)
    bot = create_bot(settings, messages=messages, pseudonyms=pseudonyms)
    dispatcher = create_dispatcher(
        content=content,
        sessions=sessions,
        pseudonyms=pseudonyms,
        messages=messages,
        volunteer_chat_id=settings.VOLUNTEER_CHAT_ID,
        remind_after=settings.HANDOFF_REMIND_MINUTES,
        timeout_after=settings.HANDOFF_TIMEOUT_MINUTES,
        urgent_timeout_after=settings.URGENT_TIMEOUT_MINUTES,
        delete_topics_after_hours=settings.CASE_TOPIC_DELETE_HOURS,
        admins=settings.ADMIN_IDS,
        hours=(
            Hours.parse(settings.VOLUNTEER_HOURS, settings.VOLUNTEER_TIMEZONE)
            if settings.VOLUNTEER_HOURS
            else None
        ),
    )
    if settings.VOLUNTEER_CHAT_ID is not None:
        try:
            await check_volunteer_group(bot, settings.VOLUNTEER_CHAT_ID)
        except SetupError:
            await bot.session.close()
            await engine.dispose()
            raise
    beating = asyncio.create_task(heartbeat())
    tidying = asyncio.create_task(
        tidy_forever(
            bot,
            sessions,
            clearing=dispatcher["clearing"],
            handoff=dispatcher["handoff"],
            retention_days=settings.RETENTION_DAYS,
        )
    )
    try:
        await set_commands(bot, content)
        await set_profile(bot, content)
        log.info("bot.started mode=polling")
        await dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=True,
            close_bot_session=True,
        )
    finally:
        for task in (beating, tidying):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await messages.close()
        await asyncio.to_thread(HEARTBEAT_FILE.unlink, missing_ok=True)
        await engine.dispose()
        log.info("bot.stopped")
