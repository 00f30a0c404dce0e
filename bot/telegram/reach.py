"""Before the bot starts: wait until Telegram answers, saying so once, not in a noisy loop.

A container restarted in a loop by its restart policy prints a traceback each time; here the
bot stays up, tells the operator once in one line, and tries again less and less often.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNotFound, TelegramUnauthorizedError

from bot.telegram import send
from bot.telegram.startup import SetupError

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
"""Seconds between tries: doubling from the first, up to the cap."""
PROBE_TIMEOUT = 20
"""Seconds one try may take (a dropped connection does not answer at all)."""

Probe = Callable[[], Awaitable[object]]
Say = Callable[[str], None]
Sleep = Callable[[float], Awaitable[None]]


def tell_operator(line: str) -> None:
    """One line on stderr for whoever deploys the bot (not a log event, not for people)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def address(url: str) -> str:
    """The server's address without anything secret a URL could carry (user, password)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


async def wait_for_telegram(
    token: str, api_url: str, stop: asyncio.Event, *, say: Say = tell_operator
) -> bool:
    """True once Telegram answers getMe; False when `stop` is set first.

    The probe has a session of its own, without the bot's retries, and closes it.
    """
    probe_bot = Bot(token=token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    try:
        return await wait_until_answered(
            lambda: send.me(probe_bot, request_timeout=PROBE_TIMEOUT),
            stop,
            where=address(api_url),
            say=say,
        )
    finally:
        await probe_bot.session.close()


async def wait_until_answered(
    probe: Probe,
    stop: asyncio.Event,
    *,
    where: str,
    say: Say = tell_operator,
    sleep: Sleep = asyncio.sleep,
) -> bool:
    """Try `probe` until it answers: one line at the first failure, one when it answers."""
    delay = FIRST_DELAY
    failed = False
    while not stop.is_set():
        try:
            answered = await _unless_stopped(probe, stop)
        except TelegramUnauthorizedError:
            msg = (
                "setting BOT_TOKEN: Telegram does not accept this token; "
                "copy it again from @BotFather"
            )
            raise SetupError(msg) from None
        except TelegramNotFound:
            msg = (
                f"setting BOT_TOKEN or TELEGRAM_API_URL: {where} does not know this bot; "
                "check the token from @BotFather and the address"
            )
            raise SetupError(msg) from None
        except Exception:  # unreachable, timed out, 5xx: all mean "not yet"
            if not failed:
                say(
                    f"Telegram is not reachable at {where}; trying again, less and less often "
                    f"(at most every {MAX_DELAY:.0f} s)"
                )
                failed = True
            await _sleep_unless_stopped(sleep, delay, stop)
            delay = min(delay * 2, MAX_DELAY)
            continue
        if not answered:
            break
        if failed:
            say(f"Telegram is reachable at {where} now; the bot starts")
        return True
    return False


async def _unless_stopped(probe: Probe, stop: asyncio.Event) -> bool:
    """Run the probe; False if `stop` came first (the probe is cancelled)."""
    asked = asyncio.ensure_future(probe())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((asked, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (asked, stopped):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    if asked.done() and not asked.cancelled():
        asked.result()  # raises what the probe raised
        return True
    return False


async def _sleep_unless_stopped(sleep: Sleep, seconds: float, stop: asyncio.Event) -> None:
    async def nap() -> bool:
        await sleep(seconds)
        return True

    await _unless_stopped(nap, stop)
