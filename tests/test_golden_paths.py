"""Golden paths: each conversation walked the way a person typically would, in each language.

A path is the list of steps the person sees; between two steps the test presses the button that
leads there (whatever its words in that language) or, where the step asks to write, writes.
"""

from __future__ import annotations

import pytest

from dialogs import (
    AskPerson,
    AutoClear,
    Choose,
    ClearChat,
    Command,
    Content,
    Effect,
    ForgetMe,
    Position,
    Text,
    load_content,
)
from dialogs.model import choice_data
from dialogs.testing import Conversation
from tests.conftest import SHIPPED

LOCALES = ("be", "ru", "en")
WRITE = "<write>"

GOLDEN_PATHS: dict[str, tuple[str, list[str]]] = {
    "welcome, first start": (
        "",
        ["welcome.hello", "welcome.kept", "welcome.controls", "menu.main"],
    ),
    "welcome: the Telegram account": (
        "",
        [
            "welcome.hello",
            "welcome.kept",
            "welcome.controls",
            "safety.account",
            "safety.account_password",
            "safety.account_old",
        ],
    ),
    "welcome: automatic clearing in one tap": (
        "",
        ["welcome.hello", "welcome.kept", "welcome.controls", "welcome.auto_cleared", "menu.main"],
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
    "practical: taken abroad without a passport": (
        "practical",
        [
            "practical.topics",
            "practical.documents",
            "practical.abroad",
            "practical.abroad_stay",
            "safety.account",
        ],
    ),
    "practical: money, the warning first": (
        "practical",
        [
            "practical.topics",
            "practical.money_from_abroad",
            "practical.money",
            "practical.money_help",
        ],
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
            "safety.account",
            "safety.account_password",
            "safety.account_old",
            "safety.phone_chats",
            "safety.phone_lock",
            "safety.phone_notif",
            "safety.phone_bot",
            "safety.verify",
            "safety.verify_volunteer",
        ],
    ),
    "safety: locking an iPhone quickly": (
        "safety",
        [
            "safety.start",
            "safety.topics",
            "safety.phone_intro",
            "safety.account",
            "safety.account_password",
            "safety.account_old",
            "safety.phone_chats",
            "safety.phone_lock",
            "safety.phone_lock_iphone",
            "safety.phone_notif",
        ],
    ),
    "safety: locking an Android phone quickly": (
        "account",
        [
            "safety.account",
            "safety.account_password",
            "safety.account_old",
            "safety.phone_chats",
            "safety.phone_lock",
            "safety.phone_lock_android",
            "safety.phone_notif",
        ],
    ),
    "safety: is this bot genuine": (
        "safety",
        ["safety.start", "safety.topics", "safety.verify", "safety.verify_volunteer"],
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
            "safety.plan_detained_papers",
            "safety.plan_number",
            "safety.plan_home",
            "safety.plan_done",
            "safety.legal",
        ],
    ),
    "feelings: guilt towards those still inside, then a person": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.judged",
            "guilt_inside.start",
            "guilt_inside.helps",
            "guilt_inside.support",
            "person.topic",
        ],
    ),
    "feelings: grief, ways to say goodbye": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.more",
            "feelings_more.list",
            "grief.start",
            "grief.died",
            "grief.goodbye",
            "person.topic",
        ],
    ),
    "feelings: the dip after the first joy, said in advance": (
        "feelings",
        ["feelings.how_are_you", "feelings.relief", "dip.start", "dip.prepare", "person.topic"],
    ),
    "feelings: awake at night": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.more",
            "feelings.memories",
            "coping.sleep",
            "coping.night",
            "person.topic",
        ],
    ),
    "feelings: anger": (
        "feelings",
        [
            "feelings.how_are_you",
            "feelings.more",
            "feelings_more.list",
            "coping.start",
            "coping.anger",
            "person.topic",
        ],
    ),
    "feelings: alcohol": (
        "feelings_more",
        ["feelings_more.list", "coping.start", "coping.alcohol", "person.topic"],
    ),
    "feelings: others who have been there": (
        "feelings_more",
        ["feelings_more.list", "peers.start", "peers.find", "person.topic"],
    ),
    "practical: children who grew up, starting again slowly": (
        "practical",
        [
            "practical.topics",
            "practical.topics_more",
            "practical.family",
            "family_again.start",
            "family_again.children",
            "family_again.slowly",
            "person.topic",
        ],
    ),
    "practical: abroad without documents": (
        "practical",
        [
            "practical.topics",
            "practical.topics_more",
            "stay_or_leave.start",
            "stay_or_leave.no_papers",
            "person.topic",
        ],
    ),
    "practical: journalists, and who publicity could harm": (
        "practical",
        [
            "practical.topics",
            "practical.topics_more",
            "media.start",
            "media.conditions",
            "media.others",
            "person.topic",
        ],
    ),
    "practical: health after prison": (
        "practical",
        [
            "practical.topics",
            "practical.health",
            "health_checks.start",
            "health_checks.tests",
            "health_checks.teeth",
            "person.topic",
        ],
    ),
    "privacy: erase my data": (
        "privacy",
        ["privacy.overview", "privacy.confirm_forget", "privacy.forgotten", "menu.main"],
    ),
    "privacy: clear the chat": (
        "privacy",
        ["privacy.overview", "privacy.confirm_clear", "privacy.cleared", "menu.main"],
    ),
    "privacy: automatic clearing after a day": (
        "privacy",
        ["privacy.overview", "privacy.auto_clear", "privacy.auto_clear_day", "menu.main"],
    ),
    "privacy: what volunteers see": (
        "privacy",
        ["privacy.overview", "privacy.volunteers_see", "menu.main"],
    ),
    "privacy: the Telegram account": (
        "privacy",
        [
            "privacy.overview",
            "safety.account",
            "safety.account_password",
            "safety.account_old",
            "safety.phone_chats",
        ],
    ),
    "privacy: is this bot genuine": (
        "privacy",
        ["privacy.overview", "safety.verify", "safety.verify_volunteer"],
    ),
    "privacy: what a volunteer will never ask": (
        "privacy",
        ["privacy.overview", "privacy.volunteers_see", "safety.verify_volunteer"],
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


def _effects_of(content: Content, locale: str, path: list[str], choice: int) -> tuple[Effect, ...]:
    talk = walk(content, locale, "privacy", path)
    at = talk.state.at
    assert at is not None
    talk.send(_press(at, choice))
    return talk.effects


@pytest.mark.parametrize("locale", LOCALES)
def test_privacy_controls_raise_their_effects(shipped: Content, locale: str) -> None:
    clear = ["privacy.overview", "privacy.confirm_clear"]
    assert _effects_of(shipped, locale, clear, 0) == (ClearChat(),)
    forget = ["privacy.overview", "privacy.confirm_forget"]
    assert _effects_of(shipped, locale, forget, 0) == (ClearChat(), ForgetMe())
    assert _effects_of(shipped, locale, forget, 1) == (ForgetMe(),)
    assert _effects_of(shipped, locale, forget, 2) == ()
    auto = ["privacy.overview", "privacy.auto_clear"]
    chosen = [_effects_of(shipped, locale, auto, i) for i in range(4)]
    assert chosen == [
        (AutoClear(60),),
        (AutoClear(6 * 60),),
        (AutoClear(24 * 60),),
        (AutoClear(None),),
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_forget_command_asks_before_erasing(shipped: Content, locale: str) -> None:
    talk = Conversation(shipped, locale=locale)
    talk.start()
    talk.send(Command("forget"))
    assert talk.state.at == Position("privacy", "confirm_forget")
    assert talk.effects == ()


def test_privacy_texts_say_the_retention_the_bot_runs_with() -> None:
    result = load_content(SHIPPED, provided={"retention_days": 7})
    assert result.content is not None
    talk = Conversation(result.content, locale="en")
    talk.start("privacy")
    assert "7 days after your last message" in talk.text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_welcome_turns_on_automatic_clearing_in_one_tap(shipped: Content, locale: str) -> None:
    talk = walk(shipped, locale, "", ["welcome.hello", "welcome.kept", "welcome.controls"])
    step = shipped.find(Position("welcome", "controls"))
    assert step is not None
    one_tap = next(
        i for i, c in enumerate(step.choices) if c.target.to == Position("welcome", "auto_cleared")
    )
    talk.send(_press(Position("welcome", "controls"), one_tap))
    assert talk.effects == (AutoClear(24 * 60),)
    assert talk.state.at == Position("welcome", "auto_cleared")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("link", "at"),
    [
        ("account", Position("safety", "account")),
        ("verify", Position("safety", "verify")),
        ("abroad", Position("practical", "abroad")),
    ],
)
def test_the_new_screens_open_from_their_links(
    shipped: Content, locale: str, link: str, at: Position
) -> None:
    talk = Conversation(shipped, locale=locale)
    talk.start(link)
    assert talk.state.at == at
    current = shipped.find(at)
    assert current is not None
    assert talk.text == shipped.renderer.text(current.text, locale)
