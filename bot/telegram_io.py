"""The one place that knows both sides: dialog replies and events <-> Telegram messages."""

from __future__ import annotations

from functools import lru_cache

from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

import dialogs
from dialogs import Content, Reply

PARSE_MODE = ParseMode.HTML
MENU_DATA = "m"
"""Callback data of the menu button under "something went wrong" (outside any step)."""
TOAST_LIMIT = 200
"""Telegram's limit for the text of answerCallbackQuery."""


OPENING_COMMANDS = frozenset({"help", "language", "human", "privacy"})
"""Commands that open what content links them to; /start, /menu and /back are the others."""
COMMANDS = OPENING_COMMANDS | {"start", "menu", "back"}


def command_event(text: str | None) -> dialogs.Event | None:
    """The engine event for a command we know ("/start payload", "/menu@bot", ...), else None.

    One parse per message instead of one filter per command: filters run for every update.
    """
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


@lru_cache(maxsize=4096)
def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Buttons one per row, so labels have the whole width of a phone screen.

    Cached: the same step in the same language has the same keyboard for everyone.
    """
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.label, callback_data=button.data)]
            for button in reply.buttons
        ]
    )


def event_from_message(message: Message) -> dialogs.Event:
    """What the person did, as the engine understands it."""
    if message.text is not None:
        return command_event(message.text) or dialogs.Text(message.text)
    return dialogs.Media()


def toast(text: str) -> str:
    plain = dialogs.to_plain(text)
    return plain if len(plain) <= TOAST_LIMIT else plain[: TOAST_LIMIT - 1] + "…"


def error_reply(content: Content, locale: str) -> Reply:
    """ "Something went wrong", with a way to the menu, in the person's language."""
    renderer = content.renderer
    text = renderer.text(content.system.messages["something_went_wrong"], locale)
    label = renderer.label(content.system.labels["menu"], locale)
    button = dialogs.Button(label=label, data=MENU_DATA, nav=dialogs.Nav.MENU)
    return Reply(text=text, buttons=(button,), notice="something_went_wrong")
