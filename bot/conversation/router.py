"""The person's side of the bot: commands, typed words, other messages and button presses.

Thin on purpose: each handler turns Telegram input into an engine event and hands it on.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ChatMemberUpdated, InaccessibleMessage, Message

import dialogs
from bot.conversation.conversations import Conversations
from bot.handoff.desk import HELPED_ANSWERS, SHARE_ANSWERS, WAITING_CHOICES, Handoff
from bot.privacy.logs import kind
from bot.telegram.middlewares import Turn
from bot.telegram.send import MENU_DATA, event_from_message, toast

log = logging.getLogger(__name__)

# Filters are coroutines on purpose: aiogram runs a plain function (a magic filter too) in a
# worker thread for every update, which cost this bot most of its throughput.


async def in_private_chat(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


async def pressed_in_private_chat(callback: CallbackQuery) -> bool:
    return callback.message is not None and callback.message.chat.type == ChatType.PRIVATE


async def is_menu_button(callback: CallbackQuery) -> bool:
    return callback.data == MENU_DATA


async def is_waiting_choice(callback: CallbackQuery) -> bool:
    return callback.data in WAITING_CHOICES


async def is_helped_answer(callback: CallbackQuery) -> bool:
    return callback.data in HELPED_ANSWERS


async def is_share_answer(callback: CallbackQuery) -> bool:
    return callback.data in SHARE_ANSWERS


async def membership_in_private_chat(update: ChatMemberUpdated) -> bool:
    return update.chat.type == ChatType.PRIVATE


def create_router() -> Router:
    """A new router each time: a Dispatcher (and so a restart in tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(in_private_chat)
    router.callback_query.filter(pressed_in_private_chat)
    router.message.register(on_message)
    router.callback_query.register(on_menu_button, is_menu_button)
    router.callback_query.register(on_waiting_choice, is_waiting_choice)
    router.callback_query.register(on_helped, is_helped_answer)
    router.callback_query.register(on_share, is_share_answer)
    router.callback_query.register(on_choice)
    router.my_chat_member.register(on_membership, membership_in_private_chat)
    router.edited_message.register(on_edited, in_private_chat)
    return router


async def on_message(
    message: Message, turn: Turn, conversations: Conversations, handoff: Handoff | None = None
) -> None:
    """Commands, typed words (triggers first, then the step), and a kind answer to stickers.

    While the person talks with a volunteer, what they send goes to the volunteer instead;
    commands and buttons still reach the bot.
    """
    if handoff is not None and await handoff.from_person(message, turn):
        return
    await conversations.answer(turn, event_from_message(message))


async def on_menu_button(callback: CallbackQuery, turn: Turn, conversations: Conversations) -> None:
    await callback.answer()
    await _drop_keyboard(callback)
    await conversations.answer(turn, dialogs.Menu())


async def on_choice(callback: CallbackQuery, turn: Turn, conversations: Conversations) -> None:
    outcome = await conversations.step(turn, dialogs.Choose(callback.data or ""))
    old = [r for r in outcome.replies if r.notice == "old_button"]
    # Always acknowledged; an old button's gentle answer shows as a short note on the screen.
    await callback.answer(text=toast(old[0].text) if old else None)
    await _drop_keyboard(callback)
    await conversations.deliver(
        turn, outcome, [r for r in outcome.replies if r.notice != "old_button"]
    )


async def on_waiting_choice(
    callback: CallbackQuery, turn: Turn, handoff: Handoff | None = None
) -> None:
    await _drop_keyboard(callback)
    if handoff is None:
        await callback.answer()
        return
    await handoff.waiting_choice(callback, turn)


async def on_helped(callback: CallbackQuery, turn: Turn, handoff: Handoff | None = None) -> None:
    await _drop_keyboard(callback)
    if handoff is None:
        await callback.answer()
        return
    await handoff.helped(callback, turn)


async def on_share(callback: CallbackQuery, turn: Turn, handoff: Handoff | None = None) -> None:
    await _drop_keyboard(callback)
    if handoff is None:
        await callback.answer()
        return
    await handoff.share_summary(callback, turn)


async def on_edited(message: Message, turn: Turn, handoff: Handoff | None = None) -> None:
    """An edit matters only while a volunteer reads along: it is relayed as an edit."""
    if handoff is not None:
        await handoff.edit_from_person(message, turn)


async def on_membership(
    update: ChatMemberUpdated, turn: Turn, handoff: Handoff | None = None
) -> None:
    """Telegram tells us when a person blocks the bot (kicked) or unblocks it."""
    if update.new_chat_member.status == ChatMemberStatus.KICKED:
        await turn.people.mark_blocked(turn.pseudonym)
        log.info("person.blocked_bot person=%s", turn.pseudonym)
        if handoff is not None:
            await handoff.person_left(turn)
    else:
        await turn.people.mark_active(turn.pseudonym)
        log.info("person.unblocked_bot person=%s", turn.pseudonym)


async def _drop_keyboard(callback: CallbackQuery) -> None:
    """The pressed message keeps its words but loses its buttons: the chat reads as a talk."""
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage) or message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        # Too old to edit, or already without buttons: nothing a person would miss.
        log.debug("dialog.keyboard_kept reason=%s", kind(exc))
