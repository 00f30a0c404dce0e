"""The composition root: everything is built here from Settings, and nothing at import time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.checkins.service import CheckinService
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
from bot.privacy.clearing import Clearing
from bot.privacy.controls import PrivacyControls, nothing_first
from bot.privacy.messages import MessageLog, NoteReceived, NoteSent
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.fsm import SqlStorage
from bot.storage.locks import SharedLocks
from bot.storage.models import utcnow
from bot.storage.updates import how_far
from bot.telegram.middlewares import (
    ChatIsolation,
    DatabaseMiddleware,
    Redelivered,
    SharedChatIsolation,
    TurnMiddleware,
)
from bot.telegram.pacing import Limits, Pacer
from bot.telegram.retry import RetryMiddleware
from bot.telegram.send import PARSE_MODE
from bot.telegram.settle import SettleFirst
from bot.telegram.turn import Turn
from dialogs import Content
from dialogs.live import LiveContent

log = logging.getLogger(__name__)

CLEARING = "clearing"
CHECKINS = "checkins"
HANDOFF_CHORES = "handoff_chores"
DELIVERY = "delivery"
LIVE_CONTENT = "live_content"
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
    content: LiveContent,
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


def _redelivered(dispatcher: Dispatcher, sessions: async_sessionmaker[AsyncSession]) -> Redelivered:
    return Redelivered(
        progress=partial(how_far, sessions),
        show_again=partial(_conversations_do, dispatcher, Conversations.show_again),
        rewind=partial(_conversations_do, dispatcher, Conversations.rewind),
    )


async def _conversations_do(
    dispatcher: Dispatcher,
    action: Callable[[Conversations, Turn], Awaitable[None]],
    turn: Turn,
) -> None:
    """The dispatcher's conversations (made after its middlewares) do this for the turn."""
    await action(dispatcher["conversations"], turn)


def create_bare_dispatcher(
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    shared: SharedLocks | None,
) -> Dispatcher:
    """The conversation storage and one chat at a time (across instances when `shared`)."""
    storage = SqlStorage(sessions, pseudonyms)
    isolation = (
        ChatIsolation()
        if shared is None
        else SharedChatIsolation(shared, pseudonyms, taken=storage.drop_cached)
    )
    return Dispatcher(storage=storage, events_isolation=isolation)


def _effect_handlers(
    dispatcher: Dispatcher,
    wired: Handoff,
    *,
    live: LiveContent,
    sessions: async_sessionmaker[AsyncSession],
    sealer: Sealer,
    messages: MessageLog,
    wall_clock: Callable[[], datetime],
    limits: Limits | None,
) -> dict[type[dialogs.Effect], EffectHandler]:
    """Who carries out each effect: the handoff, the privacy controls, the check-ins; the
    clearing and the check-ins are kept in the dispatcher for the chores."""
    clearing = dispatcher[CLEARING] = Clearing(messages, sessions, sealer)
    controls = PrivacyControls(clearing, wired.before_erase)
    handlers: dict[type[dialogs.Effect], EffectHandler] = {dialogs.AskPerson: wired.ask}
    handlers.update(controls.handlers())
    checkins = dispatcher[CHECKINS] = CheckinService(
        live, sessions, sealer, clock=wall_clock, limits=limits
    )
    handlers.update(checkins.handlers())
    return handlers


def create_dispatcher(
    settings: Settings,
    *,
    content: Content | LiveContent,
    sessions: async_sessionmaker[AsyncSession],
    pseudonyms: Pseudonymizer,
    sealer: Sealer,
    messages: MessageLog,
    limits: Limits | None = None,
    flood_clock: Clock = time.monotonic,
    flood_sleep: Sleep = asyncio.sleep,
    shared: SharedLocks | None = None,
    wall_clock: Callable[[], datetime] = utcnow,
) -> Dispatcher:
    """`limits`: the pace the bot keeps, to tell people the wait (check-ins take a share of it).
    `shared`: other instances handle the same people (PostgreSQL): a chat is locked across them,
    its conversation read afresh. `wall_clock`: what check-ins are planned by. `content` may be
    live (reloaded)."""
    live = content if isinstance(content, LiveContent) else LiveContent(content)
    dispatcher = create_bare_dispatcher(sessions, pseudonyms, shared)
    dispatcher[LIVE_CONTENT] = live
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessions))
    dispatcher.update.outer_middleware(
        TurnMiddleware(pseudonyms, _redelivered(dispatcher, sessions))
    )
    dispatcher.message.outer_middleware(NoteReceived(messages))  # skipped ones are noted too
    hours = Hours.of(settings.VOLUNTEER_HOURS, settings.VOLUNTEER_TIMEZONE)
    sender = dispatcher[DELIVERY] = Sender(sessions, sealer)
    handoff_on = bool(settings.VOLUNTEER_CHAT_ID) and live.current.system.handoff is not None
    dispatcher.include_router(errors.create_router())
    wired = (
        create_handoff(
            dispatcher,
            settings,
            content=live,
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
    flood = FloodControl(talking, live.alarm, clock=flood_clock, sleep=flood_sleep)
    dispatcher.message.outer_middleware(flood)
    handlers = _effect_handlers(
        dispatcher, wired, live=live, sessions=sessions, sealer=sealer, messages=messages,
        wall_clock=wall_clock, limits=limits,
    )  # fmt: skip
    available = volunteers_now(handoff_on, hours)
    dispatcher["conversations"] = Conversations(live, Effects(handlers), available)
    dispatcher.include_router(conversation.create_router())
    if handoff_on:
        group_ids = frozenset(group.chat_id for group in settings.VOLUNTEER_CHAT_ID)
        dispatcher.include_router(handoff.create_group_router(group_ids))
    return dispatcher
