"""The shipped triggers against the development set of phrasings (tests/data/crisis_phrases.yaml).

The held-out set is measured by `python -m benchmarks.bench_crisis`, not here: a test that
had to pass on it would invite tuning on it.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_crisis import DEVELOPMENT, measure, phrases
from dialogs import Content

LOCALES = ("be", "ru", "en")


@pytest.fixture(scope="module")
def figures(shipped: Content) -> dict[str, dict[str, float]]:
    return measure(shipped, phrases(DEVELOPMENT))


def test_the_development_set_is_large_and_in_every_language() -> None:
    data = phrases(DEVELOPMENT)
    heard = sum(len(t) for tiers in data["heard"].values() for t in tiers.values())
    quiet = sum(len(t) for t in data["quiet"].values())
    assert heard >= 300
    assert quiet >= 100
    assert set(data["heard"]) == set(data["quiet"]) == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_at_least_nine_in_ten_phrasings_are_heard(
    figures: dict[str, dict[str, float]], locale: str
) -> None:
    assert figures[locale]["heard"] >= 0.9


@pytest.mark.parametrize("locale", LOCALES)
def test_every_help_word_leads_to_a_person(
    figures: dict[str, dict[str, float]], locale: str
) -> None:
    assert figures[locale]["help_to_person"] == 1.0


@pytest.mark.parametrize("locale", LOCALES)
def test_at_most_one_false_alarm_in_fifteen_everyday_phrases(
    figures: dict[str, dict[str, float]], locale: str
) -> None:
    assert figures[locale]["false_alarms"] <= 1 / 15
