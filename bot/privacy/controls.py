"""What a person can do about what exists of them: clear the chat, clear it on a timer, erase
everything the bot keeps. Each is carried out for an engine effect."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import dialogs
from bot.conversation.effects import EffectHandler
from bot.privacy.clearing import Clearing
from bot.storage.fsm import SqlStorage
from bot.telegram.turn import Turn

log = logging.getLogger(__name__)

Step = Callable[[Turn], Awaitable[None]]


async def nothing_first(turn: Turn) -> None:
    """Without a handoff nothing is open that must end before an erase."""


class PrivacyControls:
    def __init__(self, clearing: Clearing, before_erase: Step = nothing_first) -> None:
        """`before_erase`: what must end first, given by the composition root (an open case)."""
        self.clearing = clearing
        self.before_erase = before_erase

    async def clear_chat(self, turn: Turn, effect: dialogs.Effect) -> None:
        await turn.transaction.checkpoint()  # the message log writes on its own
        await self.clearing.clear_chat(turn.bot, turn.chat_id, turn.pseudonym)

    async def auto_clear(self, turn: Turn, effect: dialogs.Effect) -> None:
        assert isinstance(effect, dialogs.AutoClear)
        await turn.transaction.checkpoint()
        await self.clearing.set_auto(turn.pseudonym, turn.chat_id, effect.minutes)

    async def forget(self, turn: Turn, effect: dialogs.Effect) -> None:
        """Everything under the person's pseudonym, in every table; an open case ends first."""
        await self.before_erase(turn)
        await turn.transaction.checkpoint()
        storage = turn.fsm.storage
        assert isinstance(storage, SqlStorage)  # the composition root's storage
        await storage.forget(turn.fsm.key)  # the row itself, not an emptied one
        await turn.people.forget(turn.pseudonym)
        await turn.transaction.checkpoint()
        await self.clearing.forget(turn.pseudonym)
        await self.clearing.wipe_journal()
        log.info("person.forgotten person=%s", turn.pseudonym)

    def handlers(self) -> dict[type[dialogs.Effect], EffectHandler]:
        return {
            dialogs.ClearChat: self.clear_chat,
            dialogs.AutoClear: self.auto_clear,
            dialogs.ForgetMe: self.forget,
        }
