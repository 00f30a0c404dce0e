"""Filters shared by the routers.

Coroutines on purpose: aiogram runs a plain function (a magic filter too) in a worker thread for
every update, which cost this bot most of its throughput.
"""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message


async def in_private_chat(event: Message | ChatMemberUpdated) -> bool:
    return event.chat.type == ChatType.PRIVATE


async def pressed_in_private_chat(callback: CallbackQuery) -> bool:
    return callback.message is not None and callback.message.chat.type == ChatType.PRIVATE
