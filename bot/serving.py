"""Running the bot: build it from Settings, take updates (long polling or a webhook), send what
the outbox holds, do the chores, and stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
from functools import partial

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import (
    CHECKINS,
    CLEARING,
    DELIVERY,
    HANDOFF_CHORES,
    LIVE_CONTENT,
    create_bot,
    create_dispatcher,
    limits_of,
)
from bot.chores import chores_forever, round_of_chores
from bot.config import Settings
from bot.delivery.sender import Sender
from bot.health import HEARTBEAT_FILE, Pulse, heartbeat
from bot.privacy.messages import MessageLog
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.reloading import Reloader, handoff_words_kept
from bot.storage.db import create_engine, create_sessionmaker, database_answers, is_sqlite
from bot.storage.locks import ChoresLeader, SharedLocks
from bot.storage.updates import HandledUpdates
from bot.telegram import send
from bot.telegram.pacing import Pacer
from bot.telegram.polling import Poller
from bot.telegram.reach import wait_for_telegram
from bot.telegram.startup import check_volunteer_group, set_commands, set_profile
from bot.telegram.webhook import DurableWebhook, HealthCheck, serve_webhook, webhook_path
from dialogs import Content
from dialogs.live import LiveContent

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 40
"""Telegram's default: how many updates of different chats it pushes at once."""


class ChoresLate(Exception):
    """The chores loop has not turned for too long."""


async def run_bot(settings: Settings, content: Content) -> None:
    content.hearing.prepare()  # the search for crisis words, built before the first message
    engine = create_engine(settings.DATABASE_URL)
    sessions = create_sessionmaker(engine)
    shared = None if is_sqlite(settings.DATABASE_URL) else SharedLocks(engine)
    pseudonyms = Pseudonymizer(settings.pseudonym_key())
    messages = MessageLog(sessions)
    limits = limits_of(settings)
    bot = create_bot(settings, messages=messages, pseudonyms=pseudonyms, pacer=Pacer(limits))
    dispatcher = create_dispatcher(
        settings,
        content=live_content(settings, content),
        sessions=sessions,
        pseudonyms=pseudonyms,
        sealer=Sealer(settings.pseudonym_key()),
        messages=messages,
        limits=limits,
        shared=shared,
    )
    stop = stop_on_signals()
    reload_asked = reload_on_hangup()
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
            shared=shared,
            reload_asked=reload_asked,
        )
    finally:
        await messages.close()
        await bot.session.close()
        await asyncio.to_thread(HEARTBEAT_FILE.unlink, missing_ok=True)
        if shared is not None:
            await shared.close()
        await engine.dispose()
        log.info("bot.stopped")


def live_content(settings: Settings, content: Content) -> LiveContent:
    """The content as loaded at start, followed under CONTENT_DIR while the bot runs."""
    with_volunteers = bool(settings.VOLUNTEER_CHAT_ID) and content.system.handoff is not None
    return LiveContent(
        content,
        directory=settings.CONTENT_DIR,
        default_locale=settings.DEFAULT_LOCALE,
        provided={"retention_days": settings.RETENTION_DAYS},
        extra=partial(handoff_words_kept, settings.CONTENT_DIR) if with_volunteers else None,
    )


async def serve(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    settings: Settings,
    content: Content,
    sessions: async_sessionmaker[AsyncSession],
    stop: asyncio.Event,
    shared: SharedLocks | None = None,
    reload_asked: asyncio.Event | None = None,
) -> None:
    """Updates, the outbox's sender and the chores until `stop` is set; then a clean stop.
    `reload_asked` (SIGHUP) makes the content's watch look at the files at once."""
    handled = HandledUpdates(sessions)
    sender: Sender = dispatcher[DELIVERY]
    pulse = Pulse()
    reloader = Reloader(
        dispatcher[LIVE_CONTENT],
        bot,
        group=settings.VOLUNTEER_CHAT_ID[0].chat_id if settings.VOLUNTEER_CHAT_ID else None,
        asked=reload_asked,
    )
    background = _background(
        bot, dispatcher, settings=settings, sessions=sessions, shared=shared, pulse=pulse
    )
    background.append(asyncio.create_task(reloader.watch()))
    try:
        await set_commands(bot, content)
        await set_profile(bot, content)
        allowed = dispatcher.resolve_used_update_types()
        if settings.webhook:
            health = partial(health_report, sessions, pulse, settings.CHORES_SECONDS)
            await _serve_webhook(
                bot,
                dispatcher,
                settings=settings,
                handled=handled,
                allowed=allowed,
                health=health,
                stop=stop,
            )
        else:
            await send.stop_pushing_updates(bot)
            log.info("bot.started mode=polling")
            poller = Poller(
                dispatcher, bot, seen=handled.seen, record=handled.record, allowed_updates=allowed
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


def _background(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    shared: SharedLocks | None,
    pulse: Pulse,
) -> list[asyncio.Task[None]]:
    """What runs beside the updates: the chores, the outbox's sender and (polling) the
    heartbeat."""
    round_ = partial(
        round_of_chores,
        bot,
        sessions,
        clearing=dispatcher[CLEARING],
        handoff=dispatcher.get(HANDOFF_CHORES),
        checkins=dispatcher.get(CHECKINS),
        retention_days=settings.RETENTION_DAYS,
    )
    leader = None if shared is None else ChoresLeader(shared).leading
    chores = chores_forever(round_, every=settings.CHORES_SECONDS, leading=leader, pulse=pulse)
    sender: Sender = dispatcher[DELIVERY]
    background = [asyncio.create_task(chores), asyncio.create_task(sender.run(bot))]
    if not settings.webhook:
        background.append(asyncio.create_task(heartbeat()))
    return background


async def _serve_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    settings: Settings,
    handled: HandledUpdates,
    allowed: list[str],
    health: HealthCheck,
    stop: asyncio.Event,
) -> None:
    url, secret = settings.WEBHOOK_URL or "", settings.token_of_webhook()
    handler = DurableWebhook(dispatcher, bot, secret=secret, handled=handled)

    async def listening() -> None:
        """Only now is Telegram told where to push: nothing it sends is refused unheard."""
        await send.push_updates_to(
            bot, url, secret=secret, allowed=allowed, max_connections=MAX_CONNECTIONS
        )
        log.info("bot.started mode=webhook")

    await serve_webhook(
        handler,
        path=webhook_path(url),
        host=settings.WEBHOOK_HOST,
        port=settings.WEBHOOK_PORT,
        health=health,
        listening=listening,
        stop=stop,
    )


async def health_report(
    sessions: async_sessionmaker[AsyncSession], pulse: Pulse, every: int
) -> dict[str, object]:
    """For /healthz: the database answers, and the chores loop turned lately."""
    await database_answers(sessions)
    age = pulse.age()
    if age > 2 * every + 30:
        raise ChoresLate
    return {"chores_seconds_ago": round(age)}


STOP_DEADLINE_SECONDS = 8.5
"""A stop takes at most this long (systemd and Docker wait 10 s before SIGKILL)."""


def stop_on_signals() -> asyncio.Event:
    """Set on SIGTERM or SIGINT: no new updates are taken, those in hand finish."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping() -> None:
        stop.set()
        _stop_deadline()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping)
    return stop


def _stop_deadline(seconds: float = STOP_DEADLINE_SECONDS) -> None:
    """Whatever a stop waits for, the process is gone within `seconds`: nothing is lost by it
    (what was in hand is handed back by Telegram, the outbox keeps what must be sent). Where it
    hung is written to the log as file:line frames, which carry no data."""

    def exit_now() -> None:
        log.warning("bot.stop_forced seconds=%.1f", seconds)
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stderr.flush()
        os._exit(0)

    timer = threading.Timer(seconds, exit_now)
    timer.daemon = True
    timer.start()


def reload_on_hangup() -> asyncio.Event:
    """Set on SIGHUP: the content's watch looks at the files at once."""
    asked = asyncio.Event()
    with contextlib.suppress(NotImplementedError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, asked.set)
    return asked
