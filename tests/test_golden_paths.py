"""Golden paths: each conversation walked the way a person typically would, in each language.

A path is the list of steps the person sees; between two steps the test presses the button that
leads there (whatever its words in that language) or, where the step asks to write, writes.
"""

from __future__ import annotations

import pytest

from dialogs import AskPerson, Choose, ClearChat, Content, ForgetMe, Position, Text
from dialogs.model import choice_data
from dialogs.testing import Conversation

LOCALES = ("be", "ru", "en")
WRITE = "<write>"

GOLDEN_PATHS: dict[str, tuple[str, list[str]]] = {
    "welcome, first start": (
        "",
        ["welcome.hello", "welcome.kept", "welcome.controls", "menu.main"],
    ),
    "feelings: anxious, then breathing": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.anxious",
            "feelings.breathe",
            "feelings.breathe_in",
            "feelings.breathe_more",
            "feelings.check_now",
            "feelings.better",
        ],
    ),
    "feelings: grounding 5-4-3-2-1": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.more",
            "feelings.distrust",
            "feelings.see",
            "feelings.touch",
            "feelings.hear",
            "feelings.smell",
            "feelings.taste",
            "feelings.check_now",
        ],
    ),
    "feelings: naming the feeling, written": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.judged",
            "feelings.name_it",
            WRITE,
            "feelings.named",
            "feelings.check_now",
            "feelings.worse",
        ],
    ),
    "practical: documents": (
        "practical",
        ["practical.topics", "practical.documents", "practical.documents_help"],
    ),
    "practical: phone, apps and banking": (
        "practical",
        ["practical.topics", "practical.topics_more", "practical.tech", "practical.tech_safety"],
    ),
    "practical: the authorities": (
        "practical",
        [
            "practical.topics",
            "practical.topics_more",
            "practical.authorities",
            "practical.authorities_more",
        ],
    ),
    "safety: grounding when anxious now": (
        "safety",
        [
            "safety.start",
            "safety.ground_1",
            "safety.ground_2",
            "safety.ground_3",
            "safety.ground_done",
        ],
    ),
    "safety: a phone that may be inspected": (
        "safety",
        [
            "safety.start",
            "safety.topics",
            "safety.phone_intro",
            "safety.phone_chats",
            "safety.phone_lock",
            "safety.phone_notif",
            "safety.phone_bot",
        ],
    ),
    "safety: a personal plan": (
        "safety",
        [
            "safety.start",
            "safety.topics",
            "safety.plan_intro",
            "safety.plan_contacts",
            "safety.trust_input",
            WRITE,
            "safety.trust_done",
            "safety.plan_detained",
            "safety.plan_number",
            "safety.plan_home",
            "safety.plan_done",
            "safety.legal",
        ],
    ),
    "privacy: erase my data": (
        "privacy",
        ["privacy.overview", "privacy.confirm_forget", "menu.main"],
    ),
}


def position(name: str) -> Position:
    flow, _, step = name.partition(".")
    return Position(flow, step)


def walk(content: Content, locale: str, payload: str, path: list[str]) -> Conversation:
    talk = Conversation(content, locale=locale, first_name="Ales")
    talk.start(payload or None)
    previous = None
    for name in path:
        if name == WRITE:
            previous = WRITE
            continue
        target = position(name)
        if talk.state.at != target:
            current = talk.state.at
            assert current is not None
            if previous == WRITE:
                talk.send(Text("a few words that are mine"))
            else:
                step = content.find(current)
                assert step is not None
                index = next(
                    i
                    for i, c in enumerate(step.choices)
                    if c.target.to == target or (c.target.to is None and target == content.menu)
                )
                talk.send(_press(current, index))
        assert talk.state.at == target, f"expected {name}, got {talk.state.at}"
        current_step = content.find(target)
        assert current_step is not None
        assert talk.text == content.renderer.text(current_step.text, locale, "Ales")
        previous = name
    return talk


def _press(at: Position, index: int) -> Choose:
    return Choose(choice_data(at, index))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", sorted(GOLDEN_PATHS))
def test_golden_path(shipped: Content, path: str, locale: str) -> None:
    payload, steps = GOLDEN_PATHS[path]
    walk(shipped, locale, payload, steps)


@pytest.mark.parametrize("locale", LOCALES)
def test_asking_for_a_person_about_feelings(shipped: Content, locale: str) -> None:
    talk = Conversation(shipped, locale=locale)
    talk.start("person")
    step = shipped.find(Position("person", "topic"))
    assert step is not None
    feelings = next(
        i
        for i, c in enumerate(step.choices)
        if c.target.action and c.target.action.topic == "feelings"
    )
    talk.send(_press(Position("person", "topic"), feelings))
    assert talk.effects == (AskPerson(topic="feelings", urgent=False),)
    assert talk.state.at == Position("person", "asked")


@pytest.mark.parametrize("locale", LOCALES)
def test_privacy_controls_raise_their_effects(shipped: Content, locale: str) -> None:
    talk = walk(shipped, locale, "privacy", ["privacy.overview"])
    talk.send(_press(Position("privacy", "overview"), 0))
    assert talk.effects == (ClearChat(),)
    talk = walk(shipped, locale, "privacy", ["privacy.overview", "privacy.confirm_forget"])
    talk.send(_press(Position("privacy", "confirm_forget"), 0))
    assert talk.effects == (ForgetMe(),)
