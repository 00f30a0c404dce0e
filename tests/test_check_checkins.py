"""`check` on check-ins: every mistake an editor can make with them is an error at its line,
and the terminal chat says when a check-in would come."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import dialogs
from bot.simulator import Simulator
from dialogs import Content
from tests.conftest import SHIPPED
from tests.test_check_care import edited, line_of, where

CHECKIN = "flows/checkin.yaml"


@pytest.mark.parametrize(
    ("old", "new", "anchor", "words"),
    [
        ("        after: 3d\n", "        after: 5d\n", "after: 3d", "'5d' is not possible here"),
        (
            "        every: monday\n",
            "        every: monday\n        stop: true\n",
            "every: monday",
            "not every and stop",
        ),
        (
            "        zone: Europe/Vilnius\n",
            "        zone: Europe/Vilnus\n",
            "zone: Europe/Vilnius",
            "unknown time zone 'Europe/Vilnus'",
        ),
        (
            "        answer: fine\n",
            "        answer: fine\n        at: morning\n",
            "answer: fine",
            "at goes with `action: checkin`",
        ),
    ],
    ids=["after", "two changes", "zone", "at without the action"],
)
def test_a_wrong_check_in_choice_is_an_error_at_its_line(
    tmp_path: Path, old: str, new: str, anchor: str, words: str
) -> None:
    problems = edited(tmp_path, CHECKIN, old, new)
    [(file, line, severity)] = where(problems)
    anchor_line = line_of(CHECKIN, anchor)
    assert (file, severity) == ("checkin.yaml", "error")
    assert anchor_line - 3 <= line <= anchor_line, "the choice, or its key"
    assert words in problems[0].message


def test_a_check_in_without_a_stop_button_is_an_error(tmp_path: Path) -> None:
    stop = "        action: checkin\n        stop: true\n        answer: stop\n"
    problems = edited(tmp_path, CHECKIN, stop, "        answer: stop\n")
    assert where(problems) == [("checkin.yaml", line_of(CHECKIN, "  came:"), "error")]
    assert "offer a way to stop them" in problems[0].message


def test_a_revealing_first_line_of_a_check_in_is_an_error(tmp_path: Path) -> None:
    first = "        Hi, it's me again."
    problems = edited(tmp_path, CHECKIN, first, "        Hi, it's your crisis helper again.")
    assert where(problems) == [("checkin.yaml", line_of(CHECKIN, first), "error")]
    assert "glancing at the phone" in problems[0].message


def test_answer_on_another_step_is_an_error(tmp_path: Path) -> None:
    tomorrow = "        after: 3d\n        goto: part\n"
    problems = edited(tmp_path, CHECKIN, tomorrow, tomorrow + "        answer: fine\n")
    assert len(problems) == 1
    assert "only on the buttons of the check-in's step" in problems[0].message


def test_check_ins_without_their_settings_are_an_error_at_each_use(tmp_path: Path) -> None:
    text = (SHIPPED / "settings.yaml").read_text(encoding="utf-8")
    block = text[text.index("checkins:") : text.index("\n\n", text.index("checkins:"))]
    problems = edited(tmp_path, "settings.yaml", block, "")
    needed = [p for p in problems if p.message.startswith("check-ins need a `checkins:` block")]
    uses = sum(
        (SHIPPED / "flows" / name).read_text(encoding="utf-8").count("action: checkin")
        for name in ("checkin.yaml", "privacy.yaml")
    )
    assert len(needed) == uses


def test_settings_naming_a_missing_step_or_zone_are_errors(tmp_path: Path) -> None:
    problems = edited(tmp_path, "settings.yaml", "message: checkin.came", "message: checkin.cam")
    assert "flow 'checkin' has no step 'cam'; did you mean 'came'?" in [p.message for p in problems]
    problems = edited(tmp_path / "2", "settings.yaml", "en: Europe/Warsaw", "en: Warsaw")
    assert ["unknown time zone 'Warsaw'" in p.message for p in problems] == [True]


def chat(content: Content, *presses: str) -> str:
    """The terminal chat, pressing the buttons with these words one after another."""
    out = io.StringIO()
    simulator = Simulator(content, locale="en", out=out, echo=False)
    simulator.run([])
    simulator.send(dialogs.Menu())
    simulator.prompt()
    for words in presses:
        [button] = [b for b in simulator.buttons if words in b.label]
        simulator.send(dialogs.Choose(button.data))
        simulator.prompt()
    return out.getvalue()


def test_the_terminal_chat_says_when_a_check_in_would_come(shipped: Content) -> None:
    said = chat(shipped, "Check in on me now and then", "In 3 days", "Evening")
    assert "[a check-in would come: in 3 days, evening]" in said
    weekly = chat(shipped, "Check in on me now and then", "Once a week", "Thursday", "Morning")
    assert "[a check-in would come: every Thursday, morning]" in weekly
    stopped = chat(shipped, "Check in on me now and then", "Stop check-ins")
    assert "[check-ins would stop]" in stopped
