"""Commit before talking to Telegram.

A Bot API call can wait for seconds (the pacer spacing messages, a 429, an outage). An update's
transaction that holds writes while it waits would hold SQLite's one write lock, and everyone
else's writes would queue behind it until they time out. So what an update wrote is committed
before any call it makes goes out (bot/storage/transaction.py says who commits and why). It is
also the order a person's trust needs: nothing is said before what caused it is safe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response

from bot.storage.transaction import update_transaction

if TYPE_CHECKING:
    from aiogram import Bot


class SettleFirst(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        transaction = update_transaction()
        if transaction is not None and transaction.begun:
            await transaction.checkpoint()
        return await make_request(bot, method)
