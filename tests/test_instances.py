"""Several instances on one PostgreSQL: one chat at a time across them, the chores on one of
them (another takes over when it dies), and every outbox entry taken by one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.outbox import PERSON_LANE, Outbox
from bot.privacy.pseudonyms import Pseudonymizer
from bot.privacy.sealing import Sealer
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.locks import CHATS, ChoresLeader, SharedLocks
from bot.storage.models import utcnow
from bot.storage.transaction import Transaction
from bot.telegram.middlewares import SharedChatIsolation, chat_lock_key
from bot.telegram.pacing import Priority
from tests.postgres import Cluster

pytestmark = pytest.mark.postgresql

KEY = b"instances test key"


@pytest.fixture
def shared_database(postgres_cluster: Cluster, migrated_template: str) -> Iterator[str]:
    name = "instances"
    yield postgres_cluster.create_database(name, template=migrated_template)
    postgres_cluster.drop_database(name)


@pytest.fixture
async def engines(shared_database: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two instances' connection pools."""
    first, second = create_engine(shared_database), create_engine(shared_database)
    yield first, second
    await first.dispose()
    await second.dispose()


def zoe_key(user_id: int = 7395160842) -> StorageKey:
    return StorageKey(bot_id=42, chat_id=user_id, user_id=user_id)


async def test_a_chat_is_handled_by_one_instance_at_a_time(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    pseudonyms = Pseudonymizer(KEY)
    locks = [SharedLocks(engine) for engine in engines]
    first, second = (SharedChatIsolation(lock, pseudonyms) for lock in locks)
    order: list[str] = []
    for lock in locks:  # connected already, as a running instance is
        await lock.try_lock(CHATS, 1)
        await lock.unlock(CHATS, 1)

    async def handle(isolation: SharedChatIsolation, name: str, key: StorageKey) -> None:
        async with isolation.lock(key):
            order.append(f"{name} in")
            await asyncio.sleep(1.0)
            order.append(f"{name} out")

    zoe_first = asyncio.create_task(handle(first, "a", zoe_key()))
    await asyncio.sleep(0.1)
    await asyncio.gather(
        handle(second, "b", zoe_key()),  # the same person on the other instance waits
        handle(second, "c", zoe_key(1234)),  # someone else does not
    )
    await zoe_first
    assert order.index("a out") < order.index("b in")
    assert order.index("c in") < order.index("a out")
    for lock in locks:
        await lock.close()


async def test_the_lock_names_no_one() -> None:
    pseudonyms = Pseudonymizer(KEY)
    number = chat_lock_key(pseudonyms, zoe_key())
    assert number == chat_lock_key(pseudonyms, zoe_key())
    assert number != chat_lock_key(Pseudonymizer(b"another deployment"), zoe_key())
    assert str(7395160842) not in str(number)
    assert -(2**31) <= number < 2**31


async def test_chores_run_on_one_instance_and_another_takes_over_when_it_dies(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    first_locks, second_locks = (SharedLocks(engine) for engine in engines)
    first, second = ChoresLeader(first_locks), ChoresLeader(second_locks)
    assert await first.leading()
    assert not await second.leading()
    assert await first.leading(), "the leader stays the leader round after round"
    await first_locks.close()  # its connection is gone, as when the process dies
    assert await second.leading()
    assert not await first.leading()
    await first_locks.close()
    await second_locks.close()


async def test_a_leader_whose_connection_broke_stops_leading(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    first_locks, second_locks = (SharedLocks(engine) for engine in engines)
    first, second = ChoresLeader(first_locks), ChoresLeader(second_locks)
    assert await first.leading()
    other = await engines[1].connect()
    await other.exec_driver_sql(  # the server ends the leader's session, as a network cut does
        "select pg_terminate_backend(pid) from pg_locks"
        f" where locktype = 'advisory' and classid = {0x566F6C02}"
    )
    await other.close()
    for _ in range(100):  # the server ends a session soon, not at once
        if await second.leading():
            break
        await asyncio.sleep(0.05)
    assert await second.leading()
    assert not await first.leading(), "it learns it lost the lock, and does not go on"
    await first_locks.close()
    await second_locks.close()


async def test_a_lock_of_a_chat_is_let_go_when_the_instance_dies(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    first, second = (SharedLocks(engine) for engine in engines)
    assert await first.try_lock(CHATS, 77)
    assert not await second.try_lock(CHATS, 77)
    await first.close()
    assert await asyncio.wait_for(second.wait_for(CHATS, 77), timeout=5)
    await second.close()


async def test_an_outbox_entry_is_taken_by_one_instance(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    sealer = Sealer(KEY)
    first_sessions, second_sessions = (create_sessionmaker(engine) for engine in engines)
    async with Transaction(first_sessions) as transaction:
        await Outbox(transaction, sealer, lambda: None).add(
            "relay", {"n": 1}, sequence="s", lane=PERSON_LANE, priority=Priority.TALK
        )
        await transaction.finish(commit=True)
    async with Transaction(first_sessions) as mine, Transaction(second_sessions) as theirs:
        (entry,) = await Outbox(mine, sealer, lambda: None).heads(utcnow(), 10)
        assert await Outbox(mine, sealer, lambda: None).claim(entry.id)
        assert not await Outbox(theirs, sealer, lambda: None).claim(entry.id)
        await Outbox(mine, sealer, lambda: None).done(entry.id)
        await mine.finish(commit=True)
        assert not await Outbox(theirs, sealer, lambda: None).claim(entry.id), "sent: gone"
