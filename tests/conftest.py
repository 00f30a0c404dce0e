from __future__ import annotations

import contextlib
import itertools
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.migrate import upgrade
from dialogs import Content, load_content
from tests.postgres import Cluster, throwaway
from tests.stored import id_forms
from tests.tdlib import tdlib

__all__ = ["id_forms", "rows_mentioning", "stored_bytes", "tdlib"]

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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the whole run, started by the first test needing it."""
    with throwaway() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def migrated_template(postgres_cluster: Cluster) -> str:
    """A database migrated once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    upgrade(postgres_cluster.create_database(TEMPLATE))
    return TEMPLATE


TEMPLATE = "migrated"
_DATABASE_NUMBERS = itertools.count(1)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each engine: a SQLite file, or a database on the test server."""
    if request.param == "sqlite":
        path = tmp_path / "data" / "bot.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url
        return
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    template: str = request.getfixturevalue("migrated_template")
    name = f"test_{next(_DATABASE_NUMBERS)}"
    yield cluster.create_database(name, template=template)
    cluster.drop_database(name)


def stored_bytes(database: Path) -> bytes:
    """Everything SQLite keeps on disk for this database file: the file, its -wal and -shm
    (the end-to-end tests' file; tests.stored has the same for either engine)."""
    return b"".join(p.read_bytes() for p in database.parent.glob(f"{database.name}*"))


def rows_mentioning(database: Path, *needles: object) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table of a SQLite file in which one of the needles is a whole value."""
    wanted = {str(n) for n in needles}
    found = []
    with contextlib.closing(sqlite3.connect(database)) as db:
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            for row in db.execute(f'select * from "{table}"'):
                if wanted & set(map(str, row)):
                    found.append((table, row))
    return found
