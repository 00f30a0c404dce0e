"""Logging for the running bot: events and pseudonyms only, one line each, to stderr."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: int) -> None:
    logging.basicConfig(level=level, format=FORMAT, force=True)
    # aiogram logs every handled update at INFO; the event log of our own is enough.
    logging.getLogger("aiogram.event").setLevel(max(level, logging.WARNING))
