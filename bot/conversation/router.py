"""The person's router: commands, typed words, other messages and button presses.

Thin on purpose: each handler turns Telegram input into an engine event and hands it on.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

import dialogs
from bot.conversation.buttons import MenuButton
from bot.conversation.conversations import Conversations
from bot.telegram import send
from bot.telegram.events import event_from_message
from bot.telegram.filters import in_private_chat, pressed_in_private_chat
from bot.telegram.turn import Turn

log = logging.getLogger(__name__)


def create_router() -> Router:
    """A new router each time: a Dispatcher (and so a restart in tests) gets its own."""
    router = Router(name=__name__)
    router.message.filter(in_private_chat)
    router.callback_query.filter(pressed_in_private_chat)
    router.message.register(on_message)
    router.callback_query.register(on_menu_button, MenuButton.filter())
    router.callback_query.register(on_choice)
    router.my_chat_member.register(on_membership, in_private_chat)
    return router


async def on_message(message: Message, turn: Turn, conversations: Conversations) -> None:
    """Commands, typed words (triggers first, then the step), and a kind answer to stickers."""
    await conversations.respond(turn, event_from_message(message))


async def on_menu_button(callback: CallbackQuery, turn: Turn, conversations: Conversations) -> None:
    await send.answer(callback)
    await send.drop_keyboard(callback)
    await conversations.respond(turn, dialogs.Menu())


async def on_choice(callback: CallbackQuery, turn: Turn, conversations: Conversations) -> None:
    outcome = await conversations.step(turn, dialogs.Choose(callback.data or ""))
    old = [r for r in outcome.replies if r.notice == "old_button"]
    # Always acknowledged; an old button's gentle answer shows as a short note on the screen.
    await send.answer(callback, dialogs.to_plain(old[0].text) if old else None)
    await send.drop_keyboard(callback)
    await conversations.deliver(
        turn, outcome, [r for r in outcome.replies if r.notice != "old_button"]
    )


async def on_membership(update: ChatMemberUpdated, turn: Turn) -> None:
    """Telegram tells us when a person blocks the bot (kicked) or unblocks it."""
    if update.new_chat_member.status == ChatMemberStatus.KICKED:
        await turn.people.mark_blocked(turn.pseudonym)
        log.info("person.blocked_bot person=%s", turn.pseudonym)
    else:
        await turn.people.mark_active(turn.pseudonym)
        log.info("person.unblocked_bot person=%s", turn.pseudonym)
