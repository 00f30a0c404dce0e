"""Where a person's conversation lives in aiogram's storage, and their language as stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs import State

STATE_KEY = "dialog"
"""Where the engine's state lives inside the FSM data."""


def stored_locale(data: Mapping[str, Any], default_locale: str) -> str | None:
    """The person's language as their stored conversation has it; None before their first step."""
    stored = data.get(STATE_KEY)
    if stored is None:
        return None
    return State.from_json(stored, default_locale=default_locale).locale
