"""Thousands of random presses and words over all shipped content, in every language.

Whatever a person does, nothing raises, every reply is something Telegram will accept, and every
screen offers a way back or to the menu.
"""

from __future__ import annotations

import random

import pytest

from dialogs import Back, Button, Choose, Content, Menu, Nav, Reply, Show, Start, Text
from dialogs.model import MENU_FLOW
from dialogs.telegram_html import MAX_MESSAGE, inspect
from dialogs.testing import Conversation

STEPS = 5000
TYPED = [
    "",
    "   ",
    "hello",
    "1",
    "🙂🙂🙂",
    "<b>not html</b> & <script>",
    "{{ first_name }} {% if %}",
    "чалавек",
    "мне нужен человек",
    "I need a person",
    "не хачу жыць",
    "хочу покончить с собой",
    "x" * 5000,
    "\x00\u202e",
]


def way_back_or_to_menu(content: Content, reply: Reply) -> bool:
    if reply.at == content.menu:
        return True
    step = content.find(reply.at) if reply.at else None
    assert step is not None
    for button, choice in zip(reply.buttons, step.choices, strict=True):
        if button.nav in (Nav.BACK, Nav.MENU):
            return True
        if choice.target.to is not None and choice.target.to.flow == MENU_FLOW:
            return True
    return False


def check_reply(content: Content, reply: Reply) -> None:
    assert reply.text.strip(), "a reply rendered empty"
    report = inspect(reply.text)
    assert report.problems == (), report.problems
    assert report.visible_length <= MAX_MESSAGE
    for button in reply.buttons:
        assert button.label.strip()
        assert len(button.data.encode()) <= 64
    if reply.at is not None:
        assert way_back_or_to_menu(content, reply), f"no way back from {reply.at}"


@pytest.mark.parametrize("locale", ["be", "ru", "en"])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_walk_over_shipped_content(shipped: Content, locale: str, seed: int) -> None:
    rng = random.Random(f"{locale}-{seed}")
    talk = Conversation(shipped, locale=locale, first_name="<Ann & Co>")
    seen: list[Button] = []
    payloads = [*shipped.links, "nonsense", "", "x" * 100]
    talk.start()
    visited = set()
    for _ in range(STEPS):
        roll = rng.random()
        screen = talk.screen
        if screen is not None and screen.buttons and roll < 0.6:
            button = rng.choice(screen.buttons)
            seen.append(button)
            talk.send(Choose(button.data))
        elif seen and roll < 0.68:
            talk.send(Choose(rng.choice(seen).data))
        elif roll < 0.8:
            talk.send(Text(rng.choice(TYPED)))
        elif roll < 0.86:
            talk.send(Back())
        elif roll < 0.92:
            talk.send(Menu())
        elif roll < 0.97:
            talk.send(Start(rng.choice(payloads)))
        else:
            talk.send(Show())
        assert talk.replies, "every event gets an answer"
        for reply in talk.replies:
            check_reply(shipped, reply)
            if reply.at:
                visited.add(reply.at)
        assert talk.state.locale in shipped.languages
    all_steps = {step.at for flow in shipped.flows.values() for step in flow.steps.values()}
    assert len(visited) / len(all_steps) > 0.7, "the walk should see most of the content"
