"""When a check-in comes, by the person's own clock: days, times of day, zones, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.checkins.timing import Decision, Plan, decide, following, moved, once, weekly

MINSK = "Europe/Minsk"  # UTC+3 all year
WARSAW = "Europe/Warsaw"  # UTC+1 in winter, UTC+2 in summer


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_in_three_days_at_evening_is_19_00_of_the_persons_zone() -> None:
    now = utc(2026, 12, 1, 12, 0)
    assert once(now, 3, Plan("evening", MINSK)) == utc(2026, 12, 4, 16, 0)
    assert once(now, 3, Plan("evening", WARSAW)) == utc(2026, 12, 4, 18, 0)


def test_tomorrow_is_the_persons_tomorrow_not_the_servers() -> None:
    late_in_minsk = utc(2026, 12, 1, 22, 30)  # 01:30 on 2 December in Minsk
    assert once(late_in_minsk, 1, Plan("morning", MINSK)) == utc(2026, 12, 3, 7, 0)


def test_weekly_is_the_next_such_day_still_ahead() -> None:
    tuesday_noon = utc(2026, 12, 1, 12, 0)  # 1 December 2026 is a Tuesday
    assert weekly(tuesday_noon, Plan("evening", MINSK, weekday=1)) == utc(2026, 12, 1, 16, 0)
    assert weekly(tuesday_noon, Plan("morning", MINSK, weekday=1)) == utc(2026, 12, 8, 7, 0)
    assert weekly(tuesday_noon, Plan("morning", MINSK, weekday=3)) == utc(2026, 12, 3, 7, 0)


def test_a_weekly_check_in_keeps_its_local_hour_across_summer_time() -> None:
    before = weekly(utc(2027, 3, 22, 12), Plan("morning", WARSAW, weekday=0))
    after = following(before, Plan("morning", WARSAW, weekday=0))
    assert (before, after) == (utc(2027, 3, 29, 8, 0), utc(2027, 4, 5, 8, 0))


def test_choosing_the_time_of_day_and_zone_later_keeps_the_day() -> None:
    now = utc(2026, 12, 1, 12, 0)
    due = once(now, 3, Plan("evening", MINSK))
    assert moved(now, due, MINSK, Plan("morning", MINSK)) == utc(2026, 12, 4, 7, 0)
    assert moved(now, due, MINSK, Plan("evening", WARSAW)) == utc(2026, 12, 4, 18, 0)


def test_a_weekly_one_whose_new_time_has_passed_moves_to_next_week() -> None:
    tuesday_noon = utc(2026, 12, 1, 12, 0)
    due = weekly(tuesday_noon, Plan("evening", MINSK, weekday=1))
    again = moved(tuesday_noon, due, MINSK, Plan("morning", MINSK, weekday=1))
    assert again == utc(2026, 12, 8, 7, 0)


DUE = utc(2026, 12, 4, 16, 0)  # 19:00 in Minsk


@pytest.mark.parametrize(
    ("now", "sent_day", "decision"),
    [
        (utc(2026, 12, 4, 15, 59), None, Decision.WAIT),
        (utc(2026, 12, 4, 16, 0), None, Decision.SEND),
        (utc(2026, 12, 4, 18, 30), None, Decision.SEND),  # 21:30: the bot came back in time
        (utc(2026, 12, 4, 19, 0), None, Decision.SKIP),  # 22:00: quiet, and its day is over
        (utc(2026, 12, 5, 9, 0), None, Decision.SKIP),  # the next day: never made up for
        (utc(2026, 12, 4, 16, 5), date(2026, 12, 4), Decision.SKIP),  # one went out today
    ],
    ids=["before", "on time", "late same day", "quiet hours", "next day", "already today"],
)
def test_a_due_check_in_is_sent_once_within_its_day_and_never_at_night(
    now: datetime, sent_day: date | None, decision: Decision
) -> None:
    assert decide(now, DUE, MINSK, sent_day) is decision


def test_one_due_before_the_morning_waits_for_08_00() -> None:
    early = utc(2026, 12, 4, 3, 0)  # 06:00 in Minsk, due at 05:00 (a zone changed meanwhile)
    assert decide(early, utc(2026, 12, 4, 2, 0), MINSK, None) is Decision.WAIT
    assert decide(utc(2026, 12, 4, 5, 0), utc(2026, 12, 4, 2, 0), MINSK, None) is Decision.SEND
