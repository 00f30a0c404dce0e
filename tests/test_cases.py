"""Storage of requests for a volunteer (groundwork of the handoff): atomic, and forgetful."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.sealing import Sealer
from bot.storage.db import create_engine, create_sessionmaker
from bot.storage.models import Case, CaseStatus
from bot.storage.repositories import Cases
from bot.storage.transaction import Transaction
from tests.stored import query

RAW_CHAT_ID = 7395160842
T = TypeVar("T")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def in_transaction(
    sessions: async_sessionmaker[AsyncSession], work: Callable[[Cases], Awaitable[T]]
) -> T:
    """One update's worth of work: what DatabaseMiddleware does around a handler."""
    transaction = Transaction(sessions)
    try:
        result = await work(Cases(transaction, sessions))
    except BaseException:
        await transaction.finish(commit=False)
        raise
    await transaction.finish(commit=True)
    return result


async def open_case(sessions: async_sessionmaker[AsyncSession]) -> int:
    async def work(cases: Cases) -> int:
        case = await cases.open(
            person="p1",
            chat=Sealer(b"key").seal_chat(RAW_CHAT_ID),
            group="g1",
            subject="feelings",
            urgent=True,
            locale="be",
        )
        case.thread_id = 77
        await cases.remember_relay(case, person_message_id=5, group_message_id=105)
        return case.id

    return await in_transaction(sessions, work)


async def test_exactly_one_of_several_volunteers_taking_at_once_gets_the_case(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = await open_case(sessions)
    cases = Cases(Transaction(sessions), sessions)
    results = await asyncio.gather(*(cases.claim(case_id, f"v{i}") for i in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_a_persons_open_case_is_found_and_relays_are_remembered(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = await open_case(sessions)

    async def work(cases: Cases) -> tuple[int | None, int | None, int | None]:
        mine = await cases.open_for("p1")
        by_thread = await cases.by_thread("g1", 77, first=False)
        assert await cases.by_thread("g2", 77, first=False) is None, "another group's topic 77"
        assert mine is not None
        relayed = await cases.group_message_for(mine, 5)
        return mine.id, by_thread.id if by_thread else None, relayed

    assert await in_transaction(sessions, work) == (case_id, case_id, 105)


async def test_a_closed_case_keeps_only_its_subject_thread_and_times(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    case_id = await open_case(sessions)
    await Cases(Transaction(sessions), sessions).claim(case_id, "volunteer-pseudonym")

    async def close(cases: Cases) -> None:
        case = await cases.open_for("p1")
        assert case is not None
        await cases.close(case)

    await in_transaction(sessions, close)
    [row] = await query(
        database_url,
        "select person, chat, volunteer, locale, status, subject, thread_id, closed_at from cases",
    )
    relays = await query(database_url, "select count(*) from relayed_messages")
    assert row[:5] == (None, None, None, None, CaseStatus.CLOSED)
    assert row[5:7] == ("feelings", 77)
    assert row[7] is not None
    assert relays == [(0,)]

    async def reopen(cases: Cases) -> Case | None:
        return await cases.open_for("p1")

    assert await in_transaction(sessions, reopen) is None


async def test_a_released_case_can_be_taken_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = await open_case(sessions)
    cases = Cases(Transaction(sessions), sessions)
    assert await cases.claim(case_id, "first")

    async def release(repo: Cases) -> None:
        case = await repo.open_for("p1")
        assert case is not None
        await repo.release(case)

    await in_transaction(sessions, release)
    assert await cases.claim(case_id, "second")
