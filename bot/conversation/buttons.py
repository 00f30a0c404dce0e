"""Buttons the shell adds outside the engine's steps, as aiogram CallbackData."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuButton(CallbackData, prefix="m"):
    """Opens the menu from a message outside any step (an apology, a long-wait notice)."""
