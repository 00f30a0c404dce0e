"""Apply the Alembic migrations in migrations/ (run does this before starting the bot)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import migrations
from bot.privacy.logs import safe
from bot.privacy.sealing import Sealer
from bot.storage.db import ensure_sqlite_directory

log = logging.getLogger(__name__)


def upgrade(database_url: str, sealer: Sealer | None = None) -> None:
    """`sealer` seals the chat ids an older database kept plain (migration 0008)."""
    ensure_sqlite_directory(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["sealer"] = sealer
    command.upgrade(config, "head")
    log.info("db.migrated head=%s", safe(ScriptDirectory.from_config(config).get_current_head()))
