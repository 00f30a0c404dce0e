"""Liveness for the container's HEALTHCHECK.

Polling mode: the running bot touches a file, `health` reads it. Webhook mode: `health` asks the
bot's own /healthz (the database answers, the chores loop turns). Kept apart from the bot so
that `volnyja-bot health` answers without importing aiogram.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from pathlib import Path

HEARTBEAT_FILE = Path("/tmp/volnyja-bot.alive")
"""A liveness mark with no data in it."""
HEARTBEAT_SECONDS = 30
ASK_SECONDS = 5.0


async def heartbeat(path: Path = HEARTBEAT_FILE) -> None:
    while True:
        await asyncio.to_thread(path.touch)
        await asyncio.sleep(HEARTBEAT_SECONDS)


def is_alive(path: Path = HEARTBEAT_FILE, max_age: float = 3 * HEARTBEAT_SECONDS) -> bool:
    try:
        return time.time() - path.stat().st_mtime < max_age
    except FileNotFoundError:
        return False


def healthz_url(host: str, port: int) -> str:
    """The bot's own /healthz as seen from its machine (a wildcard address means loopback)."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def answers_healthy(url: str, timeout: float = ASK_SECONDS) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Pulse:
    """When the chores loop last turned: a loop that stopped turning is a bot to restart."""

    def __init__(self) -> None:
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self._last
