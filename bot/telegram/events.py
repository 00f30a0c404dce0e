"""Telegram updates as engine events: what the person did, as the engine understands it.

Commands are parsed once here, shared by Telegram and the terminal chat.
"""

from __future__ import annotations

from aiogram.types import Message

import dialogs

OPENING_COMMANDS = frozenset({"help", "language", "human", "privacy", "forget"})
"""Commands that open what content links them to; /start, /menu and /back are the others."""
COMMANDS = OPENING_COMMANDS | {"start", "menu", "back"}


def command_event(text: str | None) -> dialogs.Event | None:
    """The engine event for a command we know ("/start payload", "/menu@bot", ...), else None."""
    if not text or not text.startswith("/"):
        return None
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].lower()
    if name not in COMMANDS:
        return None
    if name == "start":
        return dialogs.Start(rest.strip() or None)
    if name == "menu":
        return dialogs.Menu()
    if name == "back":
        return dialogs.Back()
    return dialogs.Command(name)


def event_from_message(message: Message) -> dialogs.Event:
    """A typed text or command; anything else (a sticker, a photo) is Media."""
    if message.text is not None:
        # One parse per message instead of one aiogram filter per command.
        return command_event(message.text) or dialogs.Text(message.text)
    return dialogs.Media()
