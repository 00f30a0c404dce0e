"""Logging for the running bot: events and pseudonyms only, one line each, to stderr."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: int) -> None:
    logging.basicConfig(level=level, format=FORMAT, force=True)
    # aiogram logs every handled update at INFO; our own event log is enough. The database
    # drivers log statements with their parameters at DEBUG: never let them.
    for name in ("aiogram.event", "aiosqlite", "sqlalchemy"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
