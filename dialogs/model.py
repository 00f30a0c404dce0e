"""The content after validation: plain, immutable data the engine runs on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

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


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    topic: str | None = None
    urgent: bool = False
    locale: str | None = None
    minutes: int | None = None
    """With auto_clear: after how many minutes messages go (None: off)."""


@dataclass(frozen=True)
class Target:
    nav: Nav
    to: Position | None = None
    action: Action | None = None


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
    regex: re.Pattern[str]
    target: Target
    while_writing: bool = True


@dataclass(frozen=True)
class Command:
    description: Texts
    link: str | None = None


@dataclass(frozen=True)
class System:
    messages: Mapping[str, Texts]
    labels: Mapping[str, Texts]
    commands: Mapping[str, Command] = field(default_factory=dict)
    handoff: Mapping[str, Texts] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: Texts
    short_description: Texts
    description: Texts


@dataclass(frozen=True)
class Content:
    """Everything the engine needs, loaded and checked once."""

    languages: Mapping[str, str]
    default_locale: str
    flows: Mapping[str, Flow]
    system: System
    renderer: Renderer
    triggers: tuple[Trigger, ...] = ()
    links: Mapping[str, Position] = field(default_factory=dict)
    topics: Mapping[str, Texts] = field(default_factory=dict)
    welcome: Position | None = None
    profile: Profile | None = None

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
        command = self.system.commands.get(name)
        if command is None or command.link is None:
            return None
        return self.links.get(command.link)

    def locale_or_default(self, locale: str | None) -> str:
        return locale if locale is not None and locale in self.languages else self.default_locale


def choice_data(at: Position, index: int) -> str:
    """A button's callback data: short, and naming the step it was shown on."""
    return f"d:{at.flow}:{at.step}:{index}"
