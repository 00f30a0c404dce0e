"""One update's view of the person it answers (the Turn), and the keys handlers find it by."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from bot.storage.repositories import People
from bot.storage.transaction import Transaction

TRANSACTION_KEY = "transaction"
TURN_KEY = "turn"
FSM_KEY = "state"
"""aiogram's own name for the FSMContext in handler data."""

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
"""What an aiogram middleware wraps."""


@dataclass(frozen=True)
class Turn:
    """Everything a handler needs about the person it is answering, and nothing stored."""

    bot: Bot
    chat_id: int
    pseudonym: str
    first_name: str
    language_code: str | None
    fsm: FSMContext
    people: People
    transaction: Transaction
