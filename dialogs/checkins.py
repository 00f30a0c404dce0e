"""A check-in as the bot sends it unasked (settings.yaml `checkins:`)."""

from __future__ import annotations

from dataclasses import replace

from dialogs.engine import CHECKIN_PREFIX, Reply, render_step
from dialogs.model import Content


def render_checkin(content: Content, locale: str, first_name: str = "") -> Reply | None:
    """The check-in message as the bot sends it unasked: its buttons work from any screen."""
    if content.checkins is None:
        return None
    message = content.find(content.checkins.message)
    if message is None:
        return None
    shown = render_step(content, message, locale, first_name)
    buttons = tuple(
        replace(button, data=f"{CHECKIN_PREFIX}{index}")
        for index, button in enumerate(shown.buttons)
    )
    return replace(shown, buttons=buttons)
