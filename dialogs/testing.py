"""A test client for conversations: press buttons by their words, type, read what came back.

Like aiogram_dialog's BotClient, it stores state as JSON between turns, so state that could not
be stored by the bot fails in tests first.
"""

from __future__ import annotations

import json

from dialogs.effects import Effect
from dialogs.engine import Back, Choose, Event, Menu, Reply, Start, State, Text, step
from dialogs.model import Content


class Conversation:
    def __init__(self, content: Content, *, locale: str = "en", first_name: str = "") -> None:
        self.content = content
        self.first_name = first_name
        self._stored = json.dumps(State(locale=locale).to_json())
        self.replies: tuple[Reply, ...] = ()
        self.effects: tuple[Effect, ...] = ()
        self.screen: Reply | None = None
        """The last reply that showed a step: what the person has in front of them."""

    @property
    def state(self) -> State:
        return State.from_json(json.loads(self._stored), default_locale=self.content.default_locale)

    def send(self, event: Event) -> tuple[Reply, ...]:
        outcome = step(self.content, self.state, event, first_name=self.first_name)
        self._stored = json.dumps(outcome.state.to_json())
        self.replies, self.effects = outcome.replies, outcome.effects
        screens = [r for r in outcome.replies if r.at is not None]
        if screens:
            self.screen = screens[-1]
        return outcome.replies

    def start(self, payload: str | None = None) -> tuple[Reply, ...]:
        return self.send(Start(payload))

    def press(self, label: str) -> tuple[Reply, ...]:
        """Press the button whose words contain `label` on the current screen."""
        assert self.screen is not None, "nothing on screen yet"
        matches = [b for b in self.screen.buttons if label in b.label]
        assert len(matches) == 1, f"{label!r} matches {[b.label for b in self.screen.buttons]}"
        return self.send(Choose(matches[0].data))

    def type(self, text: str) -> tuple[Reply, ...]:
        return self.send(Text(text))

    def back(self) -> tuple[Reply, ...]:
        return self.send(Back())

    def menu(self) -> tuple[Reply, ...]:
        return self.send(Menu())

    @property
    def text(self) -> str:
        """The text of the current screen."""
        assert self.screen is not None
        return self.screen.text

    @property
    def labels(self) -> list[str]:
        assert self.screen is not None
        return [b.label for b in self.screen.buttons]

    @property
    def notices(self) -> list[str]:
        """Names of the system messages in the last turn (old_button, not_understood, ...)."""
        return [r.notice for r in self.replies if r.notice]
