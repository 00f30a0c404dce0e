"""One update's view of the person it answers (the Turn), and the keys handlers find it by."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
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
LAST_UPDATE_KEY = "update"
"""In a person's FSM data: the last update whose step is saved. One Telegram hands back again
after a crash (polling confirms only what is handled) is recognised by it and not redone."""
BEFORE_KEY = "before"
"""In a person's FSM data: their conversation before that step, so that a step saved but cut
off before what it caused was committed can be taken again from where it started."""

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
"""What an aiogram middleware wraps."""


@dataclass(frozen=True)
class Turn:
    """Everything a handler needs about the person it is answering, and nothing stored."""

    bot: Bot
    update_id: int
    chat_id: int
    pseudonym: str
    first_name: str
    language_code: str | None
    fsm: FSMContext
    people: People
    transaction: Transaction
    then: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    """What to send after this turn's replies (a notice that belongs under the step's words)."""
