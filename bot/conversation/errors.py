"""When a handler fails: log what and where (never text or ids), tell the person kindly."""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.conversation.buttons import MenuButton
from bot.conversation.conversations import Conversations
from bot.privacy.logs import kind, safe
from bot.storage.updates import AlreadyHandled
from bot.telegram import send
from dialogs import Content

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
    if isinstance(exc, AlreadyHandled):  # another instance answered it: nothing more to say
        log.info("update.redelivered_skipped")
        return True
    log.error("update.failed error=%s at=%s", kind(exc), safe(where(exc)))
    inner = event.update.event
    chat_id: int | None = None
    language_code: str | None = None
    if isinstance(inner, CallbackQuery):
        language_code = inner.from_user.language_code
        if inner.message is not None:
            chat_id = inner.message.chat.id if inner.message.chat.type == "private" else None
        try:
            await send.answer(inner)
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
    text, buttons = apology(conversations.content, locale)
    await send.tell(bot, chat_id, text, buttons)
    return True


def apology(content: Content, locale: str) -> tuple[str, send.Buttons]:
    """ "Something went wrong", with a way to the menu, in the person's language."""
    renderer = content.renderer
    text = renderer.text(content.system.messages["something_went_wrong"], locale)
    label = renderer.label(content.system.labels["menu"], locale)
    return text, [(label, MenuButton().pack())]
