"""Carrying out what the engine asked for. Each effect is data; this is where it becomes action.

The handlers come from the composition root (asking for a person from the handoff, clearing
and erasing from privacy): this module imports no feature.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import get_args

import dialogs
from bot.telegram.turn import Turn

log = logging.getLogger(__name__)


EffectHandler = Callable[[Turn, dialogs.Effect], Awaitable[None]]
"""Carries out one kind of effect for the person of a turn."""


async def nothing_more(turn: Turn, effect: dialogs.Effect) -> None:
    """The language is part of the conversation state, which is saved already."""


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
