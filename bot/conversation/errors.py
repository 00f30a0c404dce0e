"""When a handler fails: log what and where (never text or ids), tell the person kindly."""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.conversation.conversations import Conversations
from bot.privacy.logs import kind, safe
from bot.telegram.send import error_reply, keyboard, tell

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router


def where(exc: BaseException) -> str:
    """The innermost frames as file:line, which is enough to find the bug and carries no data."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))


async def on_error(
    event: ErrorEvent, bot: Bot, conversations: Conversations, state: FSMContext | None = None
) -> bool:
    exc = event.exception
    log.error("update.failed error=%s at=%s", kind(exc), safe(where(exc)))
    inner = event.update.event
    chat_id: int | None = None
    language_code: str | None = None
    if isinstance(inner, CallbackQuery):
        language_code = inner.from_user.language_code
        if inner.message is not None:
            chat_id = inner.message.chat.id if inner.message.chat.type == "private" else None
        try:
            await inner.answer()
        except TelegramAPIError:
            log.debug("update.failed callback_not_answered")
    elif isinstance(inner, Message) and inner.chat.type == "private":
        chat_id = inner.chat.id
        language_code = inner.from_user.language_code if inner.from_user else None
    if chat_id is None:
        return True
    try:
        locale = await conversations.locale_of(state, language_code)
    except Exception as read_error:  # the database may be what failed; apologise anyway
        log.error("update.failed locale_unknown error=%s", kind(read_error))
        locale = conversations.fresh_state(language_code)[0].locale
    reply = error_reply(conversations.content, locale)
    await tell(bot, chat_id, reply.text, keyboard(reply))
    return True
