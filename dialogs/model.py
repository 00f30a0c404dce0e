"""The content after validation: plain, immutable data the engine runs on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from dialogs import schema
from dialogs.hearing import Hearing

if TYPE_CHECKING:
    from dialogs.render import Renderer

Texts = Mapping[str, str]
"""One text in several languages: locale -> jinja2 template source."""

MENU_FLOW = "menu"


@dataclass(frozen=True, order=True)
class Position:
    flow: str
    step: str


class Nav(StrEnum):
    STAY = "stay"
    GOTO = "goto"
    BACK = "back"
    MENU = "menu"


class ActionKind(StrEnum):
    ASK_PERSON = "ask_person"
    SET_LANGUAGE = "set_language"
    FORGET_ME = "forget_me"
    CLEAR_CHAT = "clear_chat"
    CLEAR_AND_FORGET = "clear_and_forget"
    AUTO_CLEAR = "auto_clear"
    CHECKIN = "checkin"


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    topic: str | None = None
    urgent: bool = False
    locale: str | None = None
    minutes: int | None = None
    """With auto_clear: after how many minutes messages go (None: off)."""
    reason: str | None = None
    """With an urgent ask_person: why (a reason from settings.yaml)."""
    checkin: CheckinChange | None = None
    """With checkin: what changes in the person's check-ins."""


@dataclass(frozen=True)
class CheckinChange:
    """One press's change to a person's check-ins; exactly one field is set."""

    days: int | None = None
    """Once, in this many days."""
    weekday: int | None = None
    """Every week on this day, 0 = Monday."""
    part: str | None = None
    """The time of day: morning, afternoon or evening."""
    zone: str | None = None
    """The person's time zone (an IANA name)."""
    stop: bool = False


@dataclass(frozen=True)
class Target:
    nav: Nav
    to: Position | None = None
    action: Action | None = None
    answer: str | None = None
    """On a check-in's button: the answer counted per day (never per person)."""


@dataclass(frozen=True)
class Choice:
    label: Texts
    target: Target


@dataclass(frozen=True)
class Step:
    at: Position
    text: Texts
    choices: tuple[Choice, ...] = ()
    input: Target | None = None


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    steps: Mapping[str, Step]


@dataclass(frozen=True)
class Trigger:
    name: str
    target: Target
    while_writing: bool = True
    during_case: str | None = None
    """While a volunteer is asked or talking: the reason these words make the request urgent."""


@dataclass(frozen=True)
class Command:
    description: Texts
    link: str | None = None


@dataclass(frozen=True)
class System:
    messages: Mapping[str, Texts]
    labels: Mapping[str, Texts]
    commands: Mapping[str, Command] = field(default_factory=dict)
    handoff: schema.Handoff | None = None
    """The handoff's words, typed (`system.handoff.connected`); None: no handoff."""


@dataclass(frozen=True)
class Profile:
    name: Texts
    short_description: Texts
    description: Texts


@dataclass(frozen=True)
class Checkins:
    """Where check-ins live in the content (settings.yaml `checkins:`)."""

    message: Position
    """The step a check-in sends; its buttons work from any screen."""
    offer: Position
    default_zone: Mapping[str, str] = field(default_factory=dict)

    def zone_for(self, locale: str) -> str:
        return self.default_zone.get(locale) or next(iter(self.default_zone.values()), "UTC")


@dataclass(frozen=True)
class Content:
    """Everything the engine needs, loaded and checked once."""

    languages: Mapping[str, str]
    default_locale: str
    flows: Mapping[str, Flow]
    system: System
    renderer: Renderer
    triggers: tuple[Trigger, ...] = ()
    hearing: Hearing = field(default_factory=lambda: Hearing(()))
    """The triggers' words, compiled: `hearing.hear(text)` gives the triggers' places."""
    links: Mapping[str, Position] = field(default_factory=dict)
    commands_to: Mapping[str, Position] = field(default_factory=dict)
    """What each command opens (/help, /language, ...), resolved at load."""
    topics: Mapping[str, Texts] = field(default_factory=dict)
    reasons: Mapping[str, Texts] = field(default_factory=dict)
    urgent: Choice | None = None
    """The one-tap way to urgent help (system.yaml), under "did not understand"."""
    welcome: Position | None = None
    profile: Profile | None = None
    checkins: Checkins | None = None

    @property
    def menu(self) -> Position:
        return Position(MENU_FLOW, self.flows[MENU_FLOW].start)

    @property
    def menu_step(self) -> Step:
        return self.flows[MENU_FLOW].steps[self.flows[MENU_FLOW].start]

    def find(self, at: Position) -> Step | None:
        flow = self.flows.get(at.flow)
        return flow.steps.get(at.step) if flow else None

    def command_target(self, name: str) -> Position | None:
        """Where a command (/help, /language, ...) leads, as content says."""
        return self.commands_to.get(name)

    def heard(self, text: str, *, writing: bool = False) -> Trigger | None:
        """The first trigger `text` sets off; `writing`: where the step asks for own words."""
        among = self._while_writing if writing else range(len(self.triggers))
        place = self.hearing.first(text, among)
        return None if place is None else self.triggers[place]

    def alarm(self, text: str) -> str | None:
        """The reason `text` makes an open request urgent, if its words sound like crisis."""
        place = self.hearing.first(text, self._alarming)
        return None if place is None else self.triggers[place].during_case

    @cached_property
    def _while_writing(self) -> frozenset[int]:
        return frozenset(i for i, t in enumerate(self.triggers) if t.while_writing)

    @cached_property
    def _alarming(self) -> frozenset[int]:
        return frozenset(i for i, t in enumerate(self.triggers) if t.during_case is not None)

    def locale_or_default(self, locale: str | None) -> str:
        return locale if locale is not None and locale in self.languages else self.default_locale


def choice_data(at: Position, index: int) -> str:
    """A button's callback data: short, and naming the step it was shown on."""
    return f"d:{at.flow}:{at.step}:{index}"
