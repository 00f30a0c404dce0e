"""The composition root: everything is built here from Settings, and nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
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
from bot.delivery.sender import Sender
from bot.handoff import router as handoff
from bot.handoff.chores import HandoffChores
from bot.handoff.desk import Desk, is_talking, no_volunteers
from bot.handoff.groups import Groups
from bot.handoff.hours import Hours
from bot.handoff.jobs import HandoffJobs
from bot.handoff.person import PersonSide
from bot.handoff.post import Post
from bot.handoff.volunteers import VolunteerSide
from bot.health import HEARTBEAT_FILE, heartbeat
from bot.privacy.clearing import Clearing
from bot.privacy.controls import PrivacyControls, nothing_first
from bot.privacy.messages import MessageLog, NoteReceived, NoteSent
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.fsm import SqlStorage
from bot.storage.models import utcnow
from bot.storage.updates import HandledUpdates
from bot.telegram.middlewares import ChatIsolation, DatabaseMiddleware, TurnMiddleware
from bot.telegram.pacing import Limits, Pacer
from bot.telegram.polling import Poller
from bot.telegram.reach import wait_for_telegram
from bot.telegram.retry import RetryMiddleware
from bot.telegram.send import PARSE_MODE
from bot.telegram.settle import SettleFirst
from bot.telegram.startup import check_volunteer_group, set_commands, set_profile
from bot.telegram.turn import Turn
from dialogs import Content

log = logging.getLogger(__name__)

CLEARING = "clearing"
HANDOFF_CHORES = "handoff_chores"
DELIVERY = "delivery"
"""Where the chores and the runner find their services in the dispatcher's data."""


def limits_of(settings: Settings) -> Limits | None:
    """Telegram's limits, unless TELEGRAM_PACING is off (a test server without limits)."""
    return Limits() if settings.TELEGRAM_PACING else None


def wire_session(
    session: BaseSession,
    *,
    pacer: Pacer,
    messages: MessageLog,
    pseudonyms: Pseudonymizer,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Every Bot API call, in this order: commit what the update wrote (no write lock is held
    while a call waits), pace and retry, note what reached a private chat."""
    session.middleware(SettleFirst())
    session.middleware(RetryMiddleware(pacer, sleep=sleep))
    session.middleware(NoteSent(messages, pseudonyms))


def create_bot(
    settings: Settings, *, messages: MessageLog, pseudonyms: Pseudonymizer, pacer: Pacer
) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL))
    wire_session(session, pacer=pacer, messages=messages, pseudonyms=pseudonyms)
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


@dataclass(frozen=True)
class Handoff:
    """What the composition root wires in when the handoff is on."""

    ask: EffectHandler
    before_erase: Callable[[Turn], Awaitable[None]]


def create_handoff(
    dispatcher: Dispatcher,
    settings: Settings,
    *,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    sealer: Sealer,
    sender: Sender,
    hours: Hours | None,
    limits: Limits | None,
) -> Handoff:
    groups = Groups(settings.VOLUNTEER_CHAT_ID, pseudonyms)
    desk = Desk(
        content=content,
        settings=settings,
        sessions=sessions,
        pseudonyms=pseudonyms,
        sealer=sealer,
        storage=dispatcher.storage,
        post=Post(sender.outbox, groups, limits),
        groups=groups,
        hours=hours,
    )
    jobs = HandoffJobs(desk)
    sender.register(jobs.handlers(), jobs.refusals())
    person = PersonSide(desk)
    dispatcher[handoff.PERSON] = person
    dispatcher[handoff.VOLUNTEERS] = VolunteerSide(desk)
    dispatcher[HANDOFF_CHORES] = HandoffChores(desk)
    dispatcher.include_router(handoff.create_person_router())
    return Handoff(ask=person.ask, before_erase=person.left)


def create_dispatcher(
    settings: Settings,
    *,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    sealer: Sealer,
    messages: MessageLog,
    limits: Limits | None = None,
    flood_clock: Clock = time.monotonic,
    flood_sleep: Sleep = asyncio.sleep,
) -> Dispatcher:
    """`limits`: the pace the bot's pacer keeps (None: none), for telling people the wait."""
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
    sender = dispatcher[DELIVERY] = Sender(sessions, sealer)
    handoff_on = bool(settings.VOLUNTEER_CHAT_ID) and content.system.handoff is not None
    dispatcher.include_router(errors.create_router())
    wired = (
        create_handoff(
            dispatcher,
            settings,
            content=content,
            sessions=sessions,
            pseudonyms=pseudonyms,
            sealer=sealer,
            sender=sender,
            hours=hours,
            limits=limits,
        )
        if handoff_on
        else Handoff(ask=no_volunteers, before_erase=nothing_first)
    )
    talking = is_talking if handoff_on else nobody_is_talking
    dispatcher.message.outer_middleware(
        FloodControl(talking, content.alarm, clock=flood_clock, sleep=flood_sleep)
    )
    clearing = dispatcher[CLEARING] = Clearing(messages, sessions, sealer)
    controls = PrivacyControls(clearing, wired.before_erase)
    handlers: dict[type[dialogs.Effect], EffectHandler] = {dialogs.AskPerson: wired.ask}
    handlers.update(controls.handlers())
    dispatcher["conversations"] = Conversations(
        content, Effects(handlers), volunteers_now(handoff_on, hours)
    )
    dispatcher.include_router(conversation.create_router())
    if handoff_on:
        group_ids = frozenset(group.chat_id for group in settings.VOLUNTEER_CHAT_ID)
        dispatcher.include_router(handoff.create_group_router(group_ids))
    return dispatcher


async def run_polling(settings: Settings, content: Content) -> None:
    content.hearing.prepare()  # the search for crisis words, built before the first message
    engine = create_engine(settings.DATABASE_URL)
    sessions = create_sessionmaker(engine)
    pseudonyms = Pseudonymizer(settings.pseudonym_key())
    messages = MessageLog(sessions)
    limits = limits_of(settings)
    bot = create_bot(settings, messages=messages, pseudonyms=pseudonyms, pacer=Pacer(limits))
    dispatcher = create_dispatcher(
        settings,
        content=content,
        sessions=sessions,
        pseudonyms=pseudonyms,
        sealer=Sealer(settings.pseudonym_key()),
        messages=messages,
        limits=limits,
    )
    stop = stop_on_signals()
    try:
        if not await wait_for_telegram(settings.token(), settings.TELEGRAM_API_URL, stop):
            return  # stopped while Telegram was out of reach
        for group in settings.VOLUNTEER_CHAT_ID:
            await check_volunteer_group(bot, group.chat_id)
        await serve(
            bot,
            dispatcher,
            settings=settings,
            content=content,
            sessions=sessions,
            stop=stop,
        )
    finally:
        await messages.close()
        await bot.session.close()
        await asyncio.to_thread(HEARTBEAT_FILE.unlink, missing_ok=True)
        await engine.dispose()
        log.info("bot.stopped")


async def serve(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    settings: Settings,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    stop: asyncio.Event,
) -> None:
    """Polling, the outbox's sender and the chores until `stop` is set; then a clean stop."""
    handled = HandledUpdates(sessions)
    sender: Sender = dispatcher[DELIVERY]
    round_ = partial(
        round_of_chores,
        bot,
        sessions,
        clearing=dispatcher[CLEARING],
        handoff=dispatcher.get(HANDOFF_CHORES),
        retention_days=settings.RETENTION_DAYS,
    )
    background = [
        asyncio.create_task(heartbeat()),
        asyncio.create_task(chores_forever(round_)),
        asyncio.create_task(sender.run(bot)),
    ]
    try:
        await set_commands(bot, content)
        await set_profile(bot, content)
        log.info("bot.started mode=polling")
        poller = Poller(
            dispatcher,
            bot,
            seen=handled.seen,
            record=handled.record,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        await poller.run(stop)
    finally:
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await sender.stop()
        await dispatcher.emit_shutdown(bot=bot)
        await handled.close()


def stop_on_signals() -> asyncio.Event:
    """Set on SIGTERM or SIGINT: polling stops taking updates and finishes those in hand."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
