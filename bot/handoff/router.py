"""The volunteers' side: in their forum group, take a case, talk in its topic, end it."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ChatMemberStatus
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.handoff.desk import TAKE_PREFIX, Handoff
from bot.storage.repositories import Transaction
from bot.telegram.middlewares import TRANSACTION_KEY


def create_router(group_id: int) -> Router:
    """Only updates from the volunteers' group reach these handlers (async filters: see dialog)."""

    async def in_group(message: Message) -> bool:
        return message.chat.id == group_id

    async def take_in_group(callback: CallbackQuery) -> bool:
        return (
            callback.message is not None
            and callback.message.chat.id == group_id
            and (callback.data or "").startswith(TAKE_PREFIX)
        )

    async def membership_in_group(update: ChatMemberUpdated) -> bool:
        return update.chat.id == group_id

    router = Router(name=__name__)
    router.message.register(on_group_message, in_group)
    router.callback_query.register(on_take, take_in_group)
    router.chat_member.register(on_membership, membership_in_group)
    return router


async def on_membership(
    update: ChatMemberUpdated, bot: Bot, handoff: Handoff, **data: object
) -> None:
    """Someone left the volunteers' group (or was removed): their cases go back to the queue."""
    if update.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        transaction = data[TRANSACTION_KEY]
        assert isinstance(transaction, Transaction)
        await handoff.volunteer_left(bot, transaction, update.new_chat_member.user.id)


async def on_take(callback: CallbackQuery, bot: Bot, handoff: Handoff, **data: object) -> None:
    transaction = data[TRANSACTION_KEY]
    assert isinstance(transaction, Transaction)
    await handoff.take(callback, bot, transaction)


async def on_group_message(message: Message, bot: Bot, handoff: Handoff, **data: object) -> None:
    transaction = data[TRANSACTION_KEY]
    assert isinstance(transaction, Transaction)
    await handoff.from_volunteer(message, bot, transaction)
