"""The pure step function: content + state + event -> new state, replies, effects.

Nothing here touches Telegram, a database or the network. The shell turns replies into messages
and carries out effects; the terminal simulator and the tests drive this same function.
The effects it asks for are in effects.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from dialogs.effects import (
    AskPerson,
    AutoClear,
    Checkin,
    CheckinAnswer,
    ClearChat,
    Effect,
    ForgetMe,
    SetLanguage,
)
from dialogs.model import (
    Action,
    ActionKind,
    Content,
    Nav,
    Position,
    Step,
    Target,
    choice_data,
)

MAX_HISTORY = 30
"""Back goes this many steps; older ones are forgotten (state stays small)."""
URGENT_DATA = "u"
"""The data of the one-tap button to urgent help (system.yaml `urgent:`), valid on any screen."""
CHECKIN_PREFIX = "k:"
"""A check-in's buttons carry `k:<index>`, and the offer's button `k:offer`: valid on any screen,
for weeks, since a check-in arrives whatever the person was doing."""
CHECKIN_OFFER = "k:offer"


# -- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Where a person is. JSON-serialisable on purpose: the shell stores it between updates."""

    locale: str
    at: Position | None = None
    history: tuple[Position, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "at": [self.at.flow, self.at.step] if self.at else None,
            "history": [[p.flow, p.step] for p in self.history],
        }

    @classmethod
    def from_json(cls, data: Any, *, default_locale: str) -> State:
        """Read stored state; anything unreadable becomes a fresh start, never a crash."""
        if not isinstance(data, dict):
            return cls(locale=default_locale)
        locale = data.get("locale")
        return cls(
            locale=locale if isinstance(locale, str) else default_locale,
            at=_position(data.get("at")),
            history=tuple(
                p for p in (_position(h) for h in data.get("history") or ()) if p is not None
            ),
        )


def _position(raw: Any) -> Position | None:
    if isinstance(raw, (list, tuple)) and len(raw) == 2 and all(isinstance(x, str) for x in raw):
        return Position(raw[0], raw[1])
    return None


# -- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """/start, possibly from a deep link. Starting afresh forgets the way back."""

    payload: str | None = None
    choose_language: bool = False
    """Show the language picker first (we do not know the person's language); its back
    button then leads to where Start would have gone."""


@dataclass(frozen=True)
class Command:
    """A command such as /help or /privacy: opens what content links it to, keeping the way back."""

    name: str


@dataclass(frozen=True)
class Media:
    """A sticker, voice, photo or location: something the engine cannot read."""


@dataclass(frozen=True)
class Choose:
    """A button was pressed; `data` is what the button carried."""

    data: str


@dataclass(frozen=True)
class Text:
    """The person typed something. It is matched and routed, never kept."""

    text: str = field(repr=False)


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class Show:
    """Show the current step again (after a restart, or a language change in the shell)."""


Event = Start | Choose | Text | Back | Menu | Show | Command | Media


# -- replies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    nav: Nav
    """What the button does, so a shell or a test can tell a way back from a way on."""


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    at: Position | None = None
    """The step this reply shows; None for a notice (system message)."""
    notice: str | None = None
    """For a system message: its name in system.yaml (old_button, not_understood, ...)."""
    accepts_text: bool = False


class Outcome(NamedTuple):
    state: State
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


# -- the step function ---------------------------------------------------------------------


def step(
    content: Content,
    state: State,
    event: Event,
    *,
    first_name: str = "",
    volunteers: str = "here",
) -> Outcome:
    """Advance one person's conversation by one event.

    `volunteers`: whether a person asking now can be answered ("here", "away" outside the
    volunteers' hours, "none" without a volunteers' group), so texts never promise what is not so.
    """
    turn = _Turn(content, first_name, volunteers)
    state = replace(state, locale=content.locale_or_default(state.locale))
    if state.at is not None and content.find(state.at) is None:
        # The content changed under this person: land gently on the menu.
        state = State(locale=state.locale, at=content.menu)
        if not isinstance(event, (Start, Menu)):
            turn.notice("step_gone", state.locale)
            return turn.show(state)
    return turn.handle(state, event)


class _Turn:
    def __init__(self, content: Content, first_name: str, volunteers: str) -> None:
        self.content = content
        self.first_name = first_name
        self.names = {"volunteers": volunteers}
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []

    def handle(self, state: State, event: Event) -> Outcome:
        match event:
            case Start(payload, choose_language):
                return self.start(state, payload, choose_language=choose_language)
            case Command(name):
                return self.command(state, name)
            case Media():
                self.notice("not_text", state.locale)
                return self.show(state) if state.at else self.start(state, None)
            case Menu():
                return self.show(State(locale=state.locale, at=self.content.menu))
            case Back():
                return self.back(state)
            case Choose(data):
                return self.choose(state, data)
            case Text(text):
                return self.typed(state, text)
            case Show():
                return self.show(state) if state.at else self.start(state, None)
        msg = f"unknown event {type(event).__name__}"
        raise TypeError(msg)

    def start(self, state: State, payload: str | None, *, choose_language: bool = False) -> Outcome:
        linked = self.content.links.get(payload) if payload else None
        if linked is not None:
            target = linked
        elif state.at is None and self.content.welcome is not None:
            target = self.content.welcome
        else:
            target = self.content.menu
        picker = self.content.command_target("language") if choose_language else None
        if picker is not None and picker != target:
            return self.show(State(locale=state.locale, at=picker, history=(target,)))
        return self.show(State(locale=state.locale, at=target))

    def command(self, state: State, name: str) -> Outcome:
        target = self.content.command_target(name)
        if target is None:
            return self.show(State(locale=state.locale, at=self.content.menu))
        return self.follow(state, Target(Nav.GOTO, to=target))

    def back(self, state: State) -> Outcome:
        history = list(state.history)
        while history:
            previous = history.pop()
            if self.content.find(previous) is not None:
                return self.show(replace(state, at=previous, history=tuple(history)))
        return self.show(State(locale=state.locale, at=self.content.menu))

    def choose(self, state: State, data: str) -> Outcome:
        if data == URGENT_DATA and self.content.urgent is not None:
            return self.follow(state, self.content.urgent.target)
        if data.startswith(CHECKIN_PREFIX) and self.content.checkins is not None:
            return self.checkin_button(state, data)
        current = self.content.find(state.at) if state.at else None
        choice_index = _parse_choice(data, state.at)
        if current is None or choice_index is None or choice_index >= len(current.choices):
            # A button from an older message: answer kindly and show where the person is.
            self.notice("old_button", state.locale)
            return self.show(state) if current else self.start(state, None)
        return self.follow(state, current.choices[choice_index].target)

    def checkin_button(self, state: State, data: str) -> Outcome:
        """A press on a check-in (or on the offer's button), whatever screen the person is on:
        it acts as if they were on the check-in's step, so Back returns there."""
        assert self.content.checkins is not None
        if data == CHECKIN_OFFER:
            return self.follow(state, Target(Nav.GOTO, to=self.content.checkins.offer))
        message = self.content.find(self.content.checkins.message)
        index = data.removeprefix(CHECKIN_PREFIX)
        if message is None or not index.isdigit() or int(index) >= len(message.choices):
            self.notice("old_button", state.locale)
            return self.show(state) if state.at else self.start(state, None)
        if state.at != message.at:
            history = (*state.history, state.at) if state.at is not None else state.history
            state = replace(state, at=message.at, history=history[-MAX_HISTORY:])
        return self.follow(state, message.choices[int(index)].target)

    def typed(self, state: State, text: str) -> Outcome:
        current = self.content.find(state.at) if state.at else None
        writing = current is not None and current.input is not None
        trigger = self.content.heard(text, writing=writing)
        if trigger is not None:
            return self.follow(state, trigger.target)
        if current is None:
            return self.start(state, None)
        if current.input is not None:
            return self.follow(state, current.input)
        self.notice("not_understood", state.locale, with_urgent_way=True)
        return self.show(state)

    def follow(self, state: State, target: Target) -> Outcome:
        if target.answer is not None:
            self.effects.append(CheckinAnswer(target.answer))
        if target.action is not None:
            state = self.act(state, target.action)
        if target.nav is Nav.BACK:
            return self.back(state)
        if target.nav is Nav.MENU:
            return self.show(State(locale=state.locale, at=self.content.menu))
        if target.nav is Nav.GOTO and target.to is not None and target.to != state.at:
            history = state.history
            if state.at is not None:
                history = (*history, state.at)[-MAX_HISTORY:]
            return self.show(replace(state, at=target.to, history=history))
        return self.show(state)

    def act(self, state: State, action: Action) -> State:
        match action.kind:
            case ActionKind.ASK_PERSON:
                self.effects.append(
                    AskPerson(topic=action.topic, urgent=action.urgent, reason=action.reason)
                )
            case ActionKind.SET_LANGUAGE:
                locale = self.content.locale_or_default(action.locale)
                self.effects.append(SetLanguage(locale))
                return replace(state, locale=locale)
            case ActionKind.FORGET_ME:
                self.effects.append(ForgetMe())
            case ActionKind.CLEAR_CHAT:
                self.effects.append(ClearChat())
            case ActionKind.CLEAR_AND_FORGET:
                self.effects.extend((ClearChat(), ForgetMe()))
            case ActionKind.AUTO_CLEAR:
                self.effects.append(AutoClear(action.minutes))
            case ActionKind.CHECKIN:
                if action.checkin is not None:
                    self.effects.append(Checkin(action.checkin, state.locale))
        return state

    def notice(self, name: str, locale: str, *, with_urgent_way: bool = False) -> None:
        texts = self.content.system.messages[name]
        renderer = self.content.renderer
        text = renderer.text(texts, locale, self.first_name, self.names)
        urgent = self.content.urgent if with_urgent_way else None
        buttons = (
            (Button(renderer.label(urgent.label, locale), URGENT_DATA, urgent.target.nav),)
            if urgent is not None
            else ()
        )
        self.replies.append(Reply(text=text, buttons=buttons, notice=name))

    def show(self, state: State) -> Outcome:
        current = self.content.find(state.at) if state.at else None
        if current is None:
            state = State(locale=state.locale, at=self.content.menu)
            current = self.content.menu_step
        self.replies.append(
            render_step(self.content, current, state.locale, self.first_name, self.names)
        )
        return Outcome(state, tuple(self.replies), tuple(self.effects))


def render_step(
    content: Content,
    current: Step,
    locale: str,
    first_name: str = "",
    names: Mapping[str, Any] | None = None,
) -> Reply:
    """One step as a reply: its text and its buttons, in the person's language."""
    renderer = content.renderer
    buttons = tuple(
        Button(
            label=renderer.label(choice.label, locale, first_name),
            data=choice_data(current.at, index),
            nav=choice.target.nav,
        )
        for index, choice in enumerate(current.choices)
    )
    return Reply(
        text=renderer.text(current.text, locale, first_name, names),
        buttons=buttons,
        at=current.at,
        accepts_text=current.input is not None,
    )


def _parse_choice(data: str, at: Position | None) -> int | None:
    """The choice's index if the button belongs to the step the person is on, else None."""
    if at is None:
        return None
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "d" or (parts[1], parts[2]) != (at.flow, at.step):
        return None
    return int(parts[3]) if parts[3].isdigit() else None
