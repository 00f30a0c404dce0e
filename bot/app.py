"""The composition root: everything is built here from Settings, and nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.chores import chores_forever, round_of_chores
from bot.config import Settings
from bot.conversation import errors
from bot.conversation import router as conversation
from bot.conversation.conversations import Availability, Conversations
from bot.conversation.effects import EffectHandler, Effects
from bot.conversation.flood import Clock, FloodControl, Sleep
from bot.handoff import router as handoff
from bot.handoff.chores import HandoffChores
from bot.handoff.desk import Desk, is_talking, no_volunteers
from bot.handoff.hours import Hours
from bot.handoff.person import PersonSide
from bot.handoff.volunteers import VolunteerSide
from bot.health import HEARTBEAT_FILE, heartbeat
from bot.privacy.clearing import Clearing
from bot.privacy.controls import PrivacyControls, nothing_first
from bot.privacy.messages import MessageLog, NoteReceived, NoteSent
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.fsm import SqlStorage
from bot.storage.models import utcnow
from bot.telegram.middlewares import ChatIsolation, DatabaseMiddleware, TurnMiddleware
from bot.telegram.retry import RetryMiddleware
from bot.telegram.send import PARSE_MODE
from bot.telegram.startup import check_volunteer_group, set_commands, set_profile
from bot.telegram.turn import Turn
from dialogs import Content

log = logging.getLogger(__name__)

CLEARING = "clearing"
HANDOFF_CHORES = "handoff_chores"
"""Where the chores find their services in the dispatcher's data."""


def create_bot(settings: Settings, *, messages: MessageLog, pseudonyms: Pseudonymizer) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL))
    session.middleware(RetryMiddleware())
    session.middleware(NoteSent(messages, pseudonyms))
    return Bot(
        token=settings.token(), session=session, default=DefaultBotProperties(parse_mode=PARSE_MODE)
    )


async def nobody_is_talking(turn: Turn) -> bool:
    """Without a handoff no case is ever open."""
    return False


def volunteers_now(handoff_on: bool, hours: Hours | None) -> Availability:
    """Whether someone asking now can be answered, as the texts need to know it."""

    def now() -> str:
        if not handoff_on:
            return "none"
        if hours is not None and not hours.open_at(utcnow()):
            return "away"
        return "here"

    return now


def create_dispatcher(
    settings: Settings,
    *,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    messages: MessageLog,
    flood_clock: Clock = time.monotonic,
    flood_sleep: Sleep = asyncio.sleep,
) -> Dispatcher:
    storage = SqlStorage(sessions, pseudonyms)
    dispatcher = Dispatcher(storage=storage, events_isolation=ChatIsolation())
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessions))
    dispatcher.update.outer_middleware(TurnMiddleware(pseudonyms))
    dispatcher.message.outer_middleware(NoteReceived(messages))  # skipped ones are noted too
    hours = (
        Hours.parse(settings.VOLUNTEER_HOURS, settings.VOLUNTEER_TIMEZONE)
        if settings.VOLUNTEER_HOURS
        else None
    )
    handoff_on = settings.VOLUNTEER_CHAT_ID is not None and content.system.handoff is not None
    ask: EffectHandler = no_volunteers
    before_erase = nothing_first
    dispatcher.include_router(errors.create_router())
    if handoff_on:
        desk = Desk(
            content=content,
            settings=settings,
            sessions=sessions,
            pseudonyms=pseudonyms,
            storage=storage,
            hours=hours,
        )
        person = PersonSide(desk)
        ask, before_erase = person.ask, person.left
        dispatcher[handoff.PERSON] = person
        dispatcher[handoff.VOLUNTEERS] = VolunteerSide(desk)
        dispatcher[HANDOFF_CHORES] = HandoffChores(desk)
        dispatcher.include_router(handoff.create_person_router())
    talking = is_talking if handoff_on else nobody_is_talking
    dispatcher.message.outer_middleware(
        FloodControl(talking, content.alarm, clock=flood_clock, sleep=flood_sleep)
    )
    clearing = Clearing(messages, sessions)
    controls = PrivacyControls(clearing, before_erase)
    handlers: dict[type[dialogs.Effect], EffectHandler] = {dialogs.AskPerson: ask}
    handlers.update(controls.handlers())
    dispatcher[CLEARING] = clearing
    dispatcher["conversations"] = Conversations(
        content, Effects(handlers), volunteers_now(handoff_on, hours)
    )
    dispatcher.include_router(conversation.create_router())
    if handoff_on and settings.VOLUNTEER_CHAT_ID is not None:
        dispatcher.include_router(handoff.create_group_router(settings.VOLUNTEER_CHAT_ID))
    return dispatcher


async def run_polling(settings: Settings, content: Content) -> None:
    content.hearing.prepare()  # the search for crisis words, built before the first message
    engine = create_engine(settings.DATABASE_URL)
    sessions = create_sessionmaker(engine)
    pseudonyms = Pseudonymizer(settings.pseudonym_key())
    messages = MessageLog(sessions)
    bot = create_bot(settings, messages=messages, pseudonyms=pseudonyms)
    dispatcher = create_dispatcher(
        settings, content=content, sessions=sessions, pseudonyms=pseudonyms, messages=messages
    )
    if settings.VOLUNTEER_CHAT_ID is not None:
        try:
            await check_volunteer_group(bot, settings.VOLUNTEER_CHAT_ID)
        except Exception:
            await bot.session.close()
            await engine.dispose()
            raise
    beating = asyncio.create_task(heartbeat())
    tidying = asyncio.create_task(
        chores_forever(
            partial(
                round_of_chores,
                bot,
                sessions,
                clearing=dispatcher[CLEARING],
                handoff=dispatcher.get(HANDOFF_CHORES),
                retention_days=settings.RETENTION_DAYS,
            )
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
