"""SQLite's writers of one process queue in turn instead of polling for the lock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.db import create_engine
from bot.storage.writers import WriterQueue


@pytest.fixture
async def engine(database: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (who TEXT)"))
    yield engine
    await engine.dispose()


async def write(engine: AsyncEngine, who: str, order: list[str], hold: float = 0.0) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes VALUES (:who)"), {"who": who})
        await asyncio.sleep(hold)
        order.append(who)


async def test_writers_get_the_lock_in_the_order_they_asked(engine: AsyncEngine) -> None:
    order: list[str] = []
    first = asyncio.create_task(write(engine, "first", order, hold=0.3))
    await asyncio.sleep(0.05)
    waiting = []
    for name in ("second", "third", "fourth", "fifth"):
        waiting.append(asyncio.create_task(write(engine, name, order, hold=0.01)))
        await asyncio.sleep(0.02)
    await asyncio.gather(first, *waiting)
    assert order == ["first", "second", "third", "fourth", "fifth"]


async def test_a_writer_waits_its_patience_then_hears_the_database_is_locked(
    engine: AsyncEngine, database: Path
) -> None:
    # The same database through a queue with little patience, as if the busy timeout were short.
    impatient = create_async_engine(f"sqlite+aiosqlite:///{database}")
    WriterQueue(patience=0.3).attach(impatient)
    order: list[str] = []
    holder = asyncio.create_task(write(impatient, "holder", order, hold=1.5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):  # as SQLite itself would say
        await write(impatient, "late", order)
    assert time.monotonic() - started < 1.2
    await holder
    await write(impatient, "after", order)  # the lock came back to the queue
    assert order == ["holder", "after"]
    await impatient.dispose()
