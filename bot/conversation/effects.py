"""Carrying out what the engine asked for. Each effect is data; this is where it becomes action."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol, get_args

import dialogs
from bot.privacy.clearing import Clearing
from bot.storage.fsm import SqlStorage

if TYPE_CHECKING:
    from bot.handoff.desk import Handoff
    from bot.telegram.middlewares import Turn

log = logging.getLogger(__name__)


class EffectHandler(Protocol):
    async def __call__(self, turn: Turn, effect: dialogs.Effect) -> None: ...


async def nothing_more(turn: Turn, effect: dialogs.Effect) -> None:
    """The language is part of the conversation state, which is saved already."""


class PrivacyControls:
    """What a person can do about what exists of them: clear the chat, clear it on a timer,
    erase everything the bot keeps."""

    def __init__(self, clearing: Clearing, handoff: Handoff | None = None) -> None:
        self.clearing = clearing
        self.handoff = handoff

    async def clear_chat(self, turn: Turn, effect: dialogs.Effect) -> None:
        await turn.transaction.checkpoint()  # the message log writes on its own
        await self.clearing.clear_chat(turn.bot, turn.chat_id, turn.pseudonym)

    async def auto_clear(self, turn: Turn, effect: dialogs.Effect) -> None:
        assert isinstance(effect, dialogs.AutoClear)
        await turn.transaction.checkpoint()
        await self.clearing.set_auto(turn.pseudonym, turn.chat_id, effect.minutes)

    async def forget(self, turn: Turn, effect: dialogs.Effect) -> None:
        """Everything under the person's pseudonym, in every table; an open case ends first."""
        if self.handoff is not None:
            await self.handoff.person_left(turn)
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


class Effects:
    """Dispatches each effect to its handler (the composition root gives one for each)."""

    def __init__(self, handlers: dict[type[dialogs.Effect], EffectHandler]) -> None:
        self._handlers = {dialogs.SetLanguage: nothing_more, **handlers}
        missing = set(get_args(dialogs.Effect)) - set(self._handlers)
        if missing:
            msg = f"no handler for {sorted(t.__name__ for t in missing)}"
            raise ValueError(msg)

    async def carry_out(self, turn: Turn, effects: tuple[dialogs.Effect, ...]) -> None:
        for effect in effects:
            await self._handlers[type(effect)](turn, effect)
