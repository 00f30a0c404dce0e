"""The database engine and sessions. SQLite gets WAL mode: readers never wait for the writer."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
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


def create_engine(url: str, **options: Any) -> AsyncEngine:
    ensure_sqlite_directory(url)
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        WriterQueue(patience=BUSY_TIMEOUT_MS / 1000).attach(engine)
    return engine


async def wipe_journal(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """After an erase: copy the WAL into the database and empty it, so that the erased rows
    do not live on in its older frames. True when done (SQLite only; elsewhere nothing to do).
    """
    async with sessions() as session:
        if session.get_bind().dialect.name != "sqlite":
            return True
        busy, _, _ = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
        return not busy


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
