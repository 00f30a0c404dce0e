"""The storage pieces on each engine (SQLite, PostgreSQL): migrations, the conversation storage,
handled updates, case times and the retention purge read and write alike on both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import migrations
from bot.privacy import retention
from bot.privacy.pseudonyms import Pseudonymizer
from bot.storage.db import create_engine, create_sessionmaker, wipe_journal
from bot.storage.fsm import SqlStorage
from bot.storage.migrate import upgrade
from bot.storage.models import utcnow
from bot.storage.repositories import Cases
from bot.storage.transaction import Transaction
from bot.storage.updates import HandledUpdates
from tests.postgres import Cluster
from tests.stored import query, rows, tables

BIG_TELEGRAM_ID = 7_395_160_842
"""Over 2^31: Telegram's ids no longer fit a 32-bit integer."""


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def test_migrations_go_down_to_nothing_and_up_again(database_url: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    assert set(await tables(database_url)) <= {"alembic_version"}
    await asyncio.to_thread(upgrade, database_url)
    assert {"fsm_records", "cases", "outbox", "handled_updates"} <= set(await tables(database_url))
    await asyncio.to_thread(upgrade, database_url)  # at head already: nothing to do


async def test_a_conversation_survives_a_restart_and_is_forgotten_whole(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    key = StorageKey(bot_id=42, chat_id=BIG_TELEGRAM_ID, user_id=BIG_TELEGRAM_ID)
    storage = SqlStorage(sessions, Pseudonymizer(b"key"))
    await storage.set_state(key, "flow:ask")
    await storage.set_data(key, {"answers": ["ü", 1], "step": 2})
    await storage.set_data(key, {"answers": ["ü", 1], "step": 3})  # an upsert, not a new row
    await storage.close()

    restarted = SqlStorage(sessions, Pseudonymizer(b"key"))
    assert await restarted.get_state(key) == "flow:ask"
    assert await restarted.get_data(key) == {"answers": ["ü", 1], "step": 3}
    [(stored_key, state)] = await query(database_url, "select key, state from fsm_records")
    assert (state, str(BIG_TELEGRAM_ID) in stored_key) == ("flow:ask", False)
    await restarted.forget(key)
    assert await rows(database_url, "fsm_records") == []


async def test_an_update_handled_twice_is_recorded_once_even_with_big_ids(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    updates = HandledUpdates(sessions)
    big = 2**40 + 7
    await asyncio.gather(updates.record(big), updates.record(5))
    await updates.record(big)
    await updates.close()
    assert await updates.seen([big, 5, 6]) == {big, 5}
    assert await query(database_url, "select count(*) from handled_updates") == [(2,)]


async def test_case_times_read_back_in_utc_and_old_ones_are_purged(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    transaction = Transaction(sessions)
    cases = Cases(transaction, sessions)
    case = await cases.open(
        person="p", chat="sealed", group="g", subject="feelings", urgent=True, locale="be"
    )
    await cases.close(case)
    case.thread_id = None
    await transaction.finish(commit=True)

    reading = Transaction(sessions)
    [(subject, created, taken)] = await Cases(reading, sessions).times()
    await reading.finish(commit=False)
    assert subject == "feelings"
    assert created.tzinfo is not None
    assert created.utcoffset() == timedelta(0)
    assert abs(created - utcnow()) < timedelta(minutes=1)
    assert taken is None
    purged = await retention.purge(sessions, utcnow() + timedelta(days=31), 30)
    assert purged == 1
    assert await rows(database_url, "cases") == []


async def test_the_files_are_wiped_after_an_erase_on_every_engine(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """SQLite empties its WAL; PostgreSQL rewrites the tables (VACUUM cannot run in a
    transaction: this would raise if it were attempted in one)."""
    assert await wipe_journal(sessions) is True


@pytest.mark.postgresql
async def test_a_postgresql_rewrite_blocked_for_long_is_left_for_later(
    postgres_cluster: Cluster, migrated_template: str
) -> None:
    """Someone holding a table (a long report, a backup) must not stall an erase: after a few
    seconds the rewrite gives up, says so, and the next erase or purge catches up."""
    url = postgres_cluster.create_database("busy_rewrite", template=migrated_template)
    engine = create_engine(url)
    try:
        async with engine.connect() as holder:
            await holder.exec_driver_sql("LOCK TABLE people IN ACCESS SHARE MODE")
            assert await wipe_journal(create_sessionmaker(engine)) is False
            await holder.rollback()
        assert await wipe_journal(create_sessionmaker(engine)) is True
    finally:
        await engine.dispose()
        postgres_cluster.drop_database("busy_rewrite")
