"""The one place that knows both sides: dialog replies and events <-> Telegram messages."""

from __future__ import annotations

import logging
from functools import lru_cache

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

import dialogs
from bot.privacy.logs import kind
from bot.telegram.events import command_event
from dialogs import Content, Reply

log = logging.getLogger(__name__)

PARSE_MODE = ParseMode.HTML
MENU_DATA = "m"
"""Callback data of the menu button under "something went wrong" (outside any step)."""
TOAST_LIMIT = 200
"""Telegram's limit for the text of answerCallbackQuery."""


async def tell(
    bot: Bot, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send one message the bot says of itself; a refusal (blocked, gone) is logged, not raised."""
    try:
        await bot.send_message(
            chat_id=chat_id, text=text, parse_mode=PARSE_MODE, reply_markup=reply_markup
        )
    except TelegramAPIError as exc:
        log.warning("telegram.not_told error=%s", kind(exc))
        return False
    return True


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
