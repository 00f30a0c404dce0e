"""What a database holds, seen from outside the bot, the same way on SQLite and PostgreSQL: its
rows, and the bytes of its files on disk (what a seized server would give away)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


async def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one statement, in a connection of its own (committed, if it writes)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, in the order of its first column."""
    return await query(url, f'select * from "{table}" order by 1')


async def tables(url: str) -> list[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()


async def rows_mentioning(url: str, *needles: object) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table in which one of the needles is a whole value (an id as text or
    as a number alike)."""
    wanted = {str(n) for n in needles}
    return [
        (table, row)
        for table in await tables(url)
        for row in await rows(url, table)
        if wanted & set(map(str, row))
    ]


def id_forms(telegram_id: int) -> list[bytes]:
    """A Telegram id as it could sit in a database file: as text, and as the integer SQLite
    (big-endian, in 4, 6 or 8 bytes) or PostgreSQL (little-endian, 4 or 8 bytes) writes."""
    forms = [str(telegram_id).encode()]
    for size in (4, 6, 8):
        if telegram_id < 2 ** (8 * size - 1):
            forms.append(telegram_id.to_bytes(size, "big", signed=True))
            if size != 6:
                forms.append(telegram_id.to_bytes(size, "little", signed=True))
    return forms


async def stored_bytes(url: str) -> bytes:
    """Everything the database keeps on disk for its tables: SQLite's file with its -wal and
    -shm; PostgreSQL's table, index and TOAST files after a checkpoint (not the WAL, which the
    whole server shares: see the README's privacy part)."""
    if not is_postgresql(url):
        database = Path(str(make_url(url).database))
        return b"".join(p.read_bytes() for p in database.parent.glob(f"{database.name}*"))
    await query(url, "checkpoint")
    [(data,)] = await query(url, "show data_directory")
    files = await query(
        url,
        "select pg_relation_filepath(part) from ("
        " select c.oid as relation, c.reltoastrelid as toast from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('r', 'i')) as ours,"
        " lateral (values (relation), (nullif(toast, 0))) as parts(part)"
        " where part is not null",
    )
    stored = b""
    for (relative,) in files:
        first = Path(data) / relative
        for segment in [first, *first.parent.glob(f"{first.name}.*")]:
            if segment.exists():
                stored += segment.read_bytes()
    return stored
