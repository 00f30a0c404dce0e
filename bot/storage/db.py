"""The database engine and sessions. SQLite gets WAL mode: readers never wait for the writer;
PostgreSQL (for more than one instance) needs nothing set per connection."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.writers import WriterQueue

BUSY_TIMEOUT_MS = 15_000
"""How long a write waits for another to finish: a database busy for ten seconds (a backup, a
long erase) is waited out, not answered with "something went wrong"."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class DatabaseFolderError(Exception):
    """SQLite's folder cannot be written: said in one line, before a migration fails on it."""


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder (data/ on a fresh checkout), and needs to
    write there (its journal), not only in the file."""
    if not is_sqlite(url):
        return
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    folder = Path(database).parent.absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        msg = (
            f"the database folder {folder} is not writable by this user (uid {os.getuid()}): "
            "chown it to that uid, or mount a volume there (in Docker leave DATABASE_URL "
            "unset: the image keeps the database in /data)"
        )
        raise DatabaseFolderError(msg) from None
    if Path(database).exists() and not os.access(database, os.W_OK):
        msg = (
            f"the database file {Path(database).absolute()} is not writable by this user "
            f"(uid {os.getuid()}): chown it to that uid"
        )
        raise DatabaseFolderError(msg)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, not left readable in free space (some SQLite
    # builds do this by default, others not).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


SERVER_POOL = {"pool_size": 20, "max_overflow": 20}
"""A database server (PostgreSQL) takes many updates' queries at once: more connections than
SQLAlchemy's default 5 (+10), so that updates in hand (up to 40 pushed at once) do not queue
for one."""


def create_engine(url: str, **options: Any) -> AsyncEngine:
    ensure_sqlite_directory(url)
    if not is_sqlite(url) and "poolclass" not in options:
        options = {**SERVER_POOL, **options}
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        WriterQueue(patience=BUSY_TIMEOUT_MS / 1000).attach(engine)
    return engine


ERASABLE_TABLES = (
    "fsm_records",
    "people",
    "cases",
    "relayed_messages",
    "chat_messages",
    "auto_clearing",
    "checkins",
    "checkin_counts",
    "outbox",
    "helped_counts",
    "handled_updates",
)
"""The tables an erase or a retention purge deletes from (rewritten on PostgreSQL after one)."""

REWRITE_LOCK_TIMEOUT = "3s"
"""How long the rewrite waits for the tables: busy longer, it is left to the next erase."""
LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's error code for a lock not had in time."""


async def wipe_journal(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """After an erase or a purge, so that the deleted rows do not live on in the files: SQLite
    copies its WAL into the database and empties it (deleted pages are zeroed: secure_delete);
    PostgreSQL rewrites the tables (VACUUM FULL: a plain VACUUM leaves the bytes of dead rows
    in the pages' free space). True when done; False when the database was too busy.
    """
    async with sessions() as session:
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":
            busy, _, _ = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
            return not busy
        if dialect != "postgresql":
            return True
        # VACUUM cannot run inside a transaction.
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await connection.exec_driver_sql(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
        try:
            await connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {', '.join(ERASABLE_TABLES)}")
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            return False
        finally:
            await connection.exec_driver_sql("RESET lock_timeout")
        return True


ANSWER_SECONDS = 3.0


async def database_answers(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Raises unless the database answers a trivial question quickly (for /healthz)."""
    async with asyncio.timeout(ANSWER_SECONDS), sessions() as session:
        await session.execute(text("select 1"))


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
