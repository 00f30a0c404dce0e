"""Liveness for the container's HEALTHCHECK: the running bot touches a file, `health` reads it.

Kept apart from the bot so that `volnyja-bot health` answers without importing aiogram.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

HEARTBEAT_FILE = Path("/tmp/volnyja-bot.alive")
"""A liveness mark with no data in it."""
HEARTBEAT_SECONDS = 30


async def heartbeat(path: Path = HEARTBEAT_FILE) -> None:
    while True:
        await asyncio.to_thread(path.touch)
        await asyncio.sleep(HEARTBEAT_SECONDS)


def is_alive(path: Path = HEARTBEAT_FILE, max_age: float = 3 * HEARTBEAT_SECONDS) -> bool:
    try:
        return time.time() - path.stat().st_mtime < max_age
    except FileNotFoundError:
        return False
