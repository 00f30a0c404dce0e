"""Volunteer hours: when someone is likely there, in the volunteers' own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import SettingsError, load_settings
from bot.handoff.hours import Hours


@pytest.mark.parametrize(
    ("hours", "utc_time", "open_"),
    [
        ("10:00-22:00", "2026-11-23T08:30", True),  # 10:30 in Vilnius (UTC+2 in winter)
        ("10:00-22:00", "2026-11-23T07:30", False),  # 09:30 there
        ("10:00-22:00", "2026-11-23T20:00", False),  # 22:00 there: closed at the end
        ("20:00-02:00", "2026-11-23T23:00", True),  # 01:00 there, overnight range
        ("20:00-02:00", "2026-11-23T10:00", False),
    ],
)
def test_hours_are_read_in_the_volunteers_time_zone(hours: str, utc_time: str, open_: bool) -> None:
    moment = datetime.fromisoformat(utc_time).replace(tzinfo=UTC)
    assert Hours.parse(hours, "Europe/Vilnius").open_at(moment) is open_


def test_a_time_zone_that_does_not_exist_is_named_in_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^setting VOLUNTEER_TIMEZONE: expected a time zone"):
        load_settings(VOLUNTEER_TIMEZONE="Mars/Olympus")


def test_malformed_hours_are_named_in_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^setting VOLUNTEER_HOURS: "):
        load_settings(VOLUNTEER_HOURS="10-22")
