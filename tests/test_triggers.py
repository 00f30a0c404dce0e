"""Trigger words match however a word ends, and only whole words."""

from __future__ import annotations

import re

import pytest

from dialogs.triggers import normalize, pattern_problem, word_pattern


def matches(words: str, text: str) -> bool:
    return re.search(word_pattern(words), normalize(text), re.IGNORECASE) is not None


@pytest.mark.parametrize(
    ("words", "text", "expected"),
    [
        ("чалавек*", "Патрэбны чалавек", True),
        ("чалавек*", "пагаварыць з чалавекам", True),
        ("человек*", "дайте ЧЕЛОВЕКА", True),
        ("человек*", "античеловеческий", False),
        ("person", "a person, please", True),
        ("person", "personal", False),
        ("не хоч* жить", "я не хочу жить", True),
        ("не хоч* жить", "не   хочется жить", True),
        ("не хоч* жить", "не хочу жить?", True),
        ("ёлк*", "Елка", True),
        ("ёлк*", "ёлочка", False),
        ("don't", "I don’t", True),
        ("a.b", "axb", False),
    ],
)
def test_words_match_with_any_ending_and_only_whole_words(
    words: str, text: str, expected: bool
) -> None:
    assert matches(words, text) is expected


def test_a_pattern_that_matches_everything_is_refused() -> None:
    assert pattern_problem("x*") == (
        "this pattern matches empty text, so it would catch every message"
    )


def test_a_broken_pattern_is_explained() -> None:
    problem = pattern_problem("(abc")
    assert problem is not None
    assert problem.startswith("this pattern is not a valid regular expression")


def test_a_good_pattern_has_no_problem() -> None:
    assert pattern_problem(r"\bsos\b") is None
