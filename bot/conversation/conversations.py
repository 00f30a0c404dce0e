"""Steps a person's conversation: stored state in, engine, state out, effects, replies sent."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiogram.exceptions import TelegramForbiddenError
from aiogram.fsm.context import FSMContext

import dialogs
from bot.conversation.effects import Effects
from bot.conversation.state import STATE_KEY, stored_locale
from bot.privacy.logs import safe
from bot.telegram import send
from bot.telegram.turn import BEFORE_KEY, LAST_UPDATE_KEY, Turn
from dialogs import Content, Outcome, Reply, State
from dialogs.live import LiveContent

log = logging.getLogger(__name__)


EARLY_EFFECTS = (dialogs.ClearChat, dialogs.AskPerson, dialogs.Checkin)

Availability = Callable[[], str]
"""Whether a person asking now can be answered: "here", "away" (outside VOLUNTEER_HOURS) or
"none" (no volunteers' group); texts say what is true (dialogs.render.VOLUNTEERS)."""


class Conversations:
    def __init__(
        self, live: LiveContent, effects: Effects, volunteers: Availability = lambda: "here"
    ) -> None:
        self.live = live
        self.effects = effects
        self.volunteers = volunteers

    @property
    def content(self) -> Content:
        """The content live now: read afresh by every use, never kept across a reload."""
        return self.live.current

    def fresh_state(self, language_code: str | None) -> tuple[State, bool]:
        """A first-time person: their Telegram language if we have it, else the default one.

        The flag says whether we know their language or should ask.
        """
        code = (language_code or "").split("-")[0].lower()
        if code in self.content.languages:
            return State(locale=code), True
        return State(locale=self.content.default_locale), False

    async def step(self, turn: Turn, event: dialogs.Event) -> Outcome:
        content = self.content  # one version for the whole step
        stored = (await turn.fsm.get_data()).get(STATE_KEY)
        if stored is None:
            state, known = self.fresh_state(turn.language_code)
            if isinstance(event, dialogs.Start) and not known:
                event = dialogs.Start(event.payload, choose_language=True)
        else:
            state = State.from_json(stored, default_locale=content.default_locale)
        outcome = dialogs.step(
            content, state, event, first_name=turn.first_name, volunteers=self.volunteers()
        )
        await turn.fsm.update_data(
            {
                STATE_KEY: outcome.state.to_json(),
                LAST_UPDATE_KEY: turn.update_id,
                BEFORE_KEY: stored,
            }
        )
        at = outcome.state.at
        log.debug(
            "dialog.step person=%s event=%s at=%s.%s",
            turn.pseudonym,
            type(event),
            safe(at.flow if at else "-"),
            safe(at.step if at else "-"),
        )
        return outcome

    async def send(self, turn: Turn, replies: Iterable[Reply]) -> None:
        """Send replies in order; if the person blocked the bot, record it and stop."""
        for reply in replies:
            try:
                await send.reply(turn.bot, turn.chat_id, reply)
            except TelegramForbiddenError:
                await turn.people.mark_blocked(turn.pseudonym)
                log.info("person.blocked_bot person=%s", turn.pseudonym)
                return

    async def deliver(
        self, turn: Turn, outcome: Outcome, replies: Iterable[Reply] | None = None
    ) -> None:
        """Send the replies and carry out the effects.

        Effects come after the replies (the person reads the step first), except three that
        come before: clearing the chat, so that the step shown after it is what stays; asking
        for a person, so that a step saying "a volunteer was asked" is sent only once the
        request is recorded and will be delivered; and changing check-ins, so that "All set"
        is said once they are kept, and "I won't write to you" once they are gone (no check-in
        goes out after it, and a cut between the two cannot leave the promise unkept: a press
        redelivered after its first commit only shows its step again). Notices an effect
        leaves (`turn.then`) follow the step's words.
        """
        early = tuple(e for e in outcome.effects if isinstance(e, EARLY_EFFECTS))
        await self.effects.carry_out(turn, early)
        await self.send(turn, outcome.replies if replies is None else replies)
        for notice in turn.then:
            await notice()
        turn.then.clear()
        late = tuple(e for e in outcome.effects if not isinstance(e, EARLY_EFFECTS))
        await self.effects.carry_out(turn, late)

    async def show_again(self, turn: Turn) -> None:
        """The step the person is on, once more (its first showing may have been cut off)."""
        await self.respond(turn, dialogs.Show())

    async def rewind(self, turn: Turn) -> None:
        """Back to before the last step, which is about to be taken again."""
        data = await turn.fsm.get_data()
        await turn.fsm.update_data({STATE_KEY: data.get(BEFORE_KEY), LAST_UPDATE_KEY: 0})

    async def respond(self, turn: Turn, event: dialogs.Event) -> None:
        """Step the conversation with what the person did, and deliver the outcome."""
        await self.deliver(turn, await self.step(turn, event))

    async def locale_of(self, fsm: FSMContext | None, language_code: str | None) -> str:
        """The person's language for a message outside the engine (an apology after an error)."""
        data = await fsm.get_data() if fsm is not None else {}
        stored = stored_locale(data, self.content.default_locale)
        return stored or self.fresh_state(language_code)[0].locale
