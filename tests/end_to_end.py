"""The real `volnyja-bot run` as a process, and what end-to-end tests do with it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import ROOT, SHIPPED, stored_bytes
from tests.telegram_double import FakeUser, SentMessage, TelegramDouble

WEBHOOK_READY = "bot.started mode=webhook"
START_TIMEOUT = 60.0
"""aiogram takes seconds to import on a slow machine; the bot is ready when it polls."""


class BotProcess:
    """`volnyja-bot run` in a subprocess, with its log in a file we can search afterwards."""

    def __init__(
        self,
        double: TelegramDouble,
        workdir: Path,
        content: Path = SHIPPED,
        *,
        environment: Mapping[str, str] | None = None,
        **settings: str,
    ) -> None:
        """`settings`: the bot's own (CHORES_SECONDS="1"); `environment`: anything else the
        process needs (a preloaded library, see tests/process_clock.py)."""
        self.double = double
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.database = workdir / "data" / "bot.db"
        self.env = {
            **os.environ,
            "BOT_TOKEN": double.token,
            "TELEGRAM_API_URL": double.url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "CONTENT_DIR": str(content),
            "PSEUDONYM_KEY": "end-to-end test key",
            "LOG_LEVEL": "DEBUG",
            "PYTHONPATH": str(ROOT),
            **(environment or {}),
            **settings,
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Started, and ready: polling, or (webhook mode) listening with the webhook set."""
        if "WEBHOOK_URL" in self.env:
            started = self.log_text().count(WEBHOOK_READY)
            await self.start_without_waiting()
            await self.double.wait_for(
                lambda: self.log_text().count(WEBHOOK_READY) > started, timeout=START_TIMEOUT
            )
            return
        polls = len(self.double.calls_to("getUpdates"))
        await self.start_without_waiting()
        await self.double.wait_for(
            lambda: len(self.double.calls_to("getUpdates")) > polls, timeout=START_TIMEOUT
        )

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    async def start_without_waiting(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self, within: float = 10.0) -> int:
        """SIGTERM, as systemd and Docker send; the bot must be gone `within` seconds."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), within)

    def stored_bytes(self) -> bytes:
        return stored_bytes(self.database)

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Whatever a test left running goes: gently if it can, else killed."""
        if self.process is None or self.process.returncode is not None:
            return
        try:
            await self.stop()
        except TimeoutError:
            await self.kill()


async def reply_after(double: TelegramDouble, user: FakeUser, count: int) -> SentMessage:
    """The message the bot sends after it has sent `count` to this person."""
    messages = await double.wait_for_messages(user.id, count + 1, timeout=15)
    return messages[count]


def labels(message: SentMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def data_of(message: SentMessage, label: str) -> str:
    markup = message.reply_markup or {}
    buttons = [b for row in markup.get("inline_keyboard", []) for b in row if label in b["text"]]
    assert len(buttons) == 1, labels(message)
    return str(buttons[0]["callback_data"])


async def said(double: TelegramDouble, user: FakeUser, start: str) -> SentMessage:
    """The newest message to `user` beginning with `start`, once the bot has sent it."""

    def found() -> list[SentMessage]:
        return [m for m in double.messages(user.id) if (m.text or "").startswith(start)]

    return (await double.wait_for(found, timeout=15))[-1]


def press(double: TelegramDouble, user: FakeUser, on: SentMessage, label: str) -> str:
    """The person presses the button with `label` under a message; the callback query's id."""
    return double.press(user, on.message_id, data_of(on, label))
