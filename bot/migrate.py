"""Apply the Alembic migrations in migrations/ (run does this before starting the bot)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from bot.db import ensure_sqlite_directory


def upgrade(database_url: str) -> None:
    ensure_sqlite_directory(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")
