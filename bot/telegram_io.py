"""The one place that knows both sides: dialog replies and events <-> Telegram messages."""

from __future__ import annotations

from functools import lru_cache

from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

import dialogs
from bot.commands import command_event
from dialogs import Content, Reply

PARSE_MODE = ParseMode.HTML
MENU_DATA = "m"
"""Callback data of the menu button under "something went wrong" (outside any step)."""
TOAST_LIMIT = 200
"""Telegram's limit for the text of answerCallbackQuery."""


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
        # One parse per message instead of one aiogram filter per command.
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
