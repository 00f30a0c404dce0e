from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.storage.migrate import upgrade
from dialogs import Content, load_content

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = ROOT / "content"


def copy_content(tmp_path: Path, *overlays: str) -> Path:
    """The valid fixture tree in tmp_path, with broken fixture files laid over it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    for case in overlays:
        shutil.copytree(FIXTURES / "broken" / case, target, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def shipped() -> Content:
    result = load_content(SHIPPED)
    assert result.content is not None, "\n".join(map(str, result.errors))
    return result.content


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


@pytest.fixture
def small(valid_dir: Path) -> Content:
    result = load_content(valid_dir)
    assert result.content is not None, "\n".join(map(str, result.problems))
    return result.content


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A migrated SQLite file in a folder of its own (`upgrade` creates the folder)."""
    path = tmp_path / "data" / "bot.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def stored_bytes(database: Path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its -wal and -shm."""
    return b"".join(p.read_bytes() for p in database.parent.glob(f"{database.name}*"))


def id_forms(telegram_id: int) -> list[bytes]:
    """A Telegram id as it could sit in a database file: as text, and as the big-endian integer
    SQLite writes (in 4, 6 or 8 bytes, the sizes an id of this size can take)."""
    forms = [str(telegram_id).encode()]
    for size in (4, 6, 8):
        if telegram_id < 2 ** (8 * size - 1):
            forms.append(telegram_id.to_bytes(size, "big", signed=True))
    return forms


def rows_mentioning(database: Path, *needles: object) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table in which one of the needles is a whole value."""
    wanted = {str(n) for n in needles}
    found = []
    with contextlib.closing(sqlite3.connect(database)) as db:
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            for row in db.execute(f'select * from "{table}"'):
                if wanted & set(map(str, row)):
                    found.append((table, row))
    return found
