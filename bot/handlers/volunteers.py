"""The volunteers' side: in their forum group, take a case, talk in its topic, end it."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.handoff import TAKE_PREFIX, Handoff
from bot.middlewares import TRANSACTION_KEY
from bot.repositories import Transaction


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

    router = Router(name=__name__)
    router.message.register(on_group_message, in_group)
    router.callback_query.register(on_take, take_in_group)
    return router


async def on_take(callback: CallbackQuery, bot: Bot, handoff: Handoff, **data: object) -> None:
    transaction = data[TRANSACTION_KEY]
    assert isinstance(transaction, Transaction)
    await handoff.take(callback, bot, transaction)


async def on_group_message(message: Message, bot: Bot, handoff: Handoff, **data: object) -> None:
    transaction = data[TRANSACTION_KEY]
    assert isinstance(transaction, Transaction)
    await handoff.from_volunteer(message, bot, transaction)
