"""The real bot, whole (polling, dispatcher, outbox sender, pacer, chores), in this process and
against the Bot API double over HTTP: for tests and benchmarks that set Telegram's limits on
both sides, faster than Telegram's own clock where they say so.

It is what `volnyja-bot run` builds (bot.serving.serve), with the pacer's limits given instead of
Telegram's, and a stop that is an event instead of SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.privacy.messages import MessageLog
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.serving import serve
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.migrate import upgrade
from bot.storage.models import utcnow
from bot.telegram.pacing import Limits, Pacer
from dialogs import Content
from tests.telegram_double import TelegramDouble

KEY = b"live bot test key"


class LiveBot:
    def __init__(
        self,
        double: TelegramDouble,
        database: Path,
        content: Content,
        *,
        limits: Limits | None,
        wall_clock: Callable[[], datetime] = utcnow,
        **settings: Any,
    ) -> None:
        """`wall_clock`: the date and time check-ins are planned and sent by."""
        self.double = double
        self.database = database
        self.content = content
        self.limits = limits
        self.wall_clock = wall_clock
        self.url = f"sqlite+aiosqlite:///{database}"
        self.settings = Settings(
            _env_file=None,
            BOT_TOKEN=double.token,
            TELEGRAM_API_URL=double.url,
            DATABASE_URL=self.url,
            PSEUDONYM_KEY=KEY.decode(),
            **settings,
        )
        self.pseudonyms = Pseudonymizer(KEY)
        self.sealer = Sealer(KEY)
        self.pacer = Pacer(limits)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.engine: AsyncEngine | None = None
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None

    async def start(self) -> None:
        await asyncio.to_thread(upgrade, self.url, self.sealer)
        self.engine = create_engine(self.url)
        sessions = self.sessions = create_sessionmaker(self.engine)
        self.messages = MessageLog(sessions)
        self.bot = create_bot(
            self.settings, messages=self.messages, pseudonyms=self.pseudonyms, pacer=self.pacer
        )
        self.dispatcher = create_dispatcher(
            self.settings,
            content=self.content,
            sessions=sessions,
            pseudonyms=self.pseudonyms,
            sealer=self.sealer,
            messages=self.messages,
            limits=self.limits,
            wall_clock=self.wall_clock,
        )
        polls = len(self.double.calls_to("getUpdates"))
        self._stop.clear()
        self._task = asyncio.create_task(
            serve(
                self.bot,
                self.dispatcher,
                settings=self.settings,
                content=self.content,
                sessions=sessions,
                stop=self._stop,
            )
        )
        await self.double.wait_for(lambda: len(self.double.calls_to("getUpdates")) > polls)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.messages.close()
        if self.bot is not None:
            await self.bot.session.close()
        if self.engine is not None:
            await self.engine.dispose()

    async def __aenter__(self) -> LiveBot:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
