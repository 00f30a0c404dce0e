"""The one way out: every Bot API call of the shell goes through these functions.

Like aiogram_dialog's single message seam, this is the only module that knows how a reply, a
keyboard, a relay or a topic becomes a Bot API call; a test finds any call made elsewhere. Send
and edit failures are raised (the caller decides what a refusal means), except where a function
says it logs them instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    Chat,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ResultChatMemberUnion,
    Update,
    User,
)

from bot.privacy.logs import kind
from dialogs import Reply

log = logging.getLogger(__name__)

PARSE_MODE = ParseMode.HTML
TOAST_LIMIT = 200
"""Telegram's limit for the text of answerCallbackQuery."""
DELETE_AT_ONCE = 100
"""deleteMessages takes at most 100 ids."""

Buttons = Sequence[tuple[str, str]]
"""A keyboard as data: (words, callback data), one button per row."""


# -- keyboards ---------------------------------------------------------------------------


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Buttons one per row, so labels have the whole width of a phone screen."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons]
    )


@lru_cache(maxsize=4096)
def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """A step's buttons. Cached: the same step in the same language is the same for everyone."""
    return markup([(button.label, button.data) for button in reply.buttons])


# -- messages ----------------------------------------------------------------------------


async def message(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    buttons: Buttons = (),
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Message:
    """A message the bot writes (HTML)."""
    return await bot.send_message(
        chat_id=chat_id,
        text=text,
        parse_mode=PARSE_MODE,
        reply_markup=markup(buttons),
        message_thread_id=thread_id,
        reply_to_message_id=reply_to,
    )


async def reply(bot: Bot, chat_id: int, shown: Reply) -> Message:
    """A reply of the engine: its text and its step's keyboard."""
    return await bot.send_message(
        chat_id=chat_id, text=shown.text, parse_mode=PARSE_MODE, reply_markup=keyboard(shown)
    )


async def tell(bot: Bot, chat_id: int, text: str, buttons: Buttons = ()) -> bool:
    """A message the bot says of itself; a refusal (blocked, gone) is logged, not raised."""
    try:
        await message(bot, chat_id, text, buttons=buttons)
    except TelegramAPIError as exc:
        log.warning("telegram.not_told error=%s", kind(exc))
        return False
    return True


async def copy(
    bot: Bot,
    *,
    to: int,
    source: int,
    message_id: int,
    thread_id: int | None = None,
    protect: bool = False,
) -> int:
    """A copy without its origin (never a forward); the copy's number."""
    copied = await bot.copy_message(
        chat_id=to,
        from_chat_id=source,
        message_id=message_id,
        message_thread_id=thread_id,
        protect_content=protect or None,
    )
    return copied.message_id


async def edit(
    bot: Bot, chat_id: int, message_id: int, text: str, *, buttons: Buttons = (), html: bool = True
) -> None:
    await bot.edit_message_text(
        chat_id=chat_id,
        message_id=message_id,
        text=text,
        parse_mode=PARSE_MODE if html else None,
        reply_markup=markup(buttons),
    )


async def delete_messages(bot: Bot, chat_id: int, message_ids: Sequence[int]) -> None:
    """Delete in chunks of 100; a refusal (blocked, the chat is gone) is logged and ends it."""
    for start in range(0, len(message_ids), DELETE_AT_ONCE):
        try:
            await bot.delete_messages(
                chat_id=chat_id, message_ids=list(message_ids[start : start + DELETE_AT_ONCE])
            )
        except TelegramAPIError as exc:
            log.warning("clearing.not_deleted error=%s", kind(exc))
            return


# -- buttons pressed ---------------------------------------------------------------------


async def answer(callback: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Every pressed button is answered; a text shows as a short note (cut to Telegram's 200)."""
    if text is not None and len(text) > TOAST_LIMIT:
        text = text[: TOAST_LIMIT - 1] + "…"
    await callback.answer(text=text, show_alert=alert or None)


async def drop_keyboard(callback: CallbackQuery) -> None:
    """The pressed message keeps its words but loses its buttons: the chat reads as a talk."""
    pressed = callback.message
    if pressed is None or isinstance(pressed, InaccessibleMessage) or pressed.reply_markup is None:
        return
    try:
        await pressed.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        # Too old to edit, or already without buttons: nothing a person would miss.
        log.debug("dialog.keyboard_kept reason=%s", kind(exc))


# -- forum topics ------------------------------------------------------------------------


async def open_topic(bot: Bot, chat_id: int, name: str) -> int:
    """A new topic; its thread id."""
    topic = await bot.create_forum_topic(chat_id=chat_id, name=name)
    return topic.message_thread_id


async def rename_topic(bot: Bot, chat_id: int, thread_id: int, name: str) -> None:
    await bot.edit_forum_topic(chat_id=chat_id, message_thread_id=thread_id, name=name)


async def close_topic(bot: Bot, chat_id: int, thread_id: int) -> None:
    await bot.close_forum_topic(chat_id=chat_id, message_thread_id=thread_id)


async def delete_topic(bot: Bot, chat_id: int, thread_id: int) -> None:
    await bot.delete_forum_topic(chat_id=chat_id, message_thread_id=thread_id)


# -- asking Telegram ---------------------------------------------------------------------


async def updates(
    bot: Bot, *, offset: int | None, wait: int, allowed: list[str] | None = None
) -> list[Update]:
    """What happened since `offset` (everything below it is confirmed to Telegram); a long
    poll of `wait` seconds when nothing has."""
    request_timeout = int(bot.session.timeout or 60) + wait
    return await bot.get_updates(
        offset=offset, timeout=wait, allowed_updates=allowed, request_timeout=request_timeout
    )


async def push_updates_to(
    bot: Bot, url: str, *, secret: str, allowed: list[str], max_connections: int
) -> None:
    """Webhook mode: Telegram sends each update to `url` (with the secret in a header) and
    delivers it again until the bot answers 200."""
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=allowed,
        max_connections=max_connections,
        drop_pending_updates=False,
    )


async def stop_pushing_updates(bot: Bot) -> None:
    """Polling mode: getUpdates answers only while no webhook is set (what waits is kept)."""
    await bot.delete_webhook(drop_pending_updates=False)


async def member(bot: Bot, chat_id: int, user_id: int) -> ResultChatMemberUnion:
    return await bot.get_chat_member(chat_id=chat_id, user_id=user_id)


async def chat(bot: Bot, chat_id: int) -> Chat:
    return await bot.get_chat(chat_id)


async def me(bot: Bot, *, request_timeout: int | None = None) -> User:
    return await bot.get_me(request_timeout=request_timeout)


# -- the bot's face ----------------------------------------------------------------------


async def set_commands(bot: Bot, commands: Sequence[tuple[str, str]], locale: str | None) -> None:
    await bot.set_my_commands(
        [BotCommand(command=name, description=words) for name, words in commands],
        language_code=locale,
    )


async def profile(bot: Bot, locale: str | None) -> dict[str, str]:
    """The bot's name and descriptions as Telegram has them now."""
    return {
        "name": (await bot.get_my_name(language_code=locale)).name,
        "short_description": (
            await bot.get_my_short_description(language_code=locale)
        ).short_description,
        "description": (await bot.get_my_description(language_code=locale)).description,
    }


async def set_profile(bot: Bot, locale: str | None, changed: dict[str, str]) -> None:
    """Only what changed: Telegram allows few such calls a day."""
    setters: dict[str, Any] = {
        "name": lambda v: bot.set_my_name(name=v, language_code=locale),
        "short_description": lambda v: bot.set_my_short_description(
            short_description=v, language_code=locale
        ),
        "description": lambda v: bot.set_my_description(description=v, language_code=locale),
    }
    for field, value in changed.items():
        await setters[field](value)
