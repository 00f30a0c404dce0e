"""When a check-in comes: pure arithmetic of days, times of day and time zones, no I/O.

A check-in is due at a time of day of the person's own zone. It is sent the first moment the
bot can after that, if that is still the same day and not in the quiet hours; a day missed
(the bot was down) is skipped, never made up for at night or the day after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

PARTS = {"morning": time(10, 0), "afternoon": time(15, 0), "evening": time(19, 0)}
"""What each time of day means, in the person's zone."""
DEFAULT_PART = "evening"
QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(8, 0)
"""Nothing is sent between 22:00 and 08:00 of the person's time."""


class Decision(StrEnum):
    WAIT = "wait"
    """Not yet, or the quiet hours of the same night: look again later."""
    SEND = "send"
    SKIP = "skip"
    """Its day is over (the bot was down), or one went out today already: the next one."""


@dataclass(frozen=True)
class Plan:
    """A person's check-ins: every week on `weekday`, or once (weekday None)."""

    part: str
    zone: str
    weekday: int | None = None


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def at_part(day: date, part: str, zone: str) -> datetime:
    """The moment, in UTC, of `part` on `day` in `zone`."""
    moment = datetime.combine(day, PARTS.get(part, PARTS[DEFAULT_PART]), ZoneInfo(zone))
    return moment.astimezone(UTC)


def once(now: datetime, days: int, plan: Plan) -> datetime:
    """In `days` days (by the person's calendar), at their time of day."""
    return at_part(local(now, plan.zone).date() + timedelta(days=days), plan.part, plan.zone)


def weekly(now: datetime, plan: Plan) -> datetime:
    """The next `plan.weekday` at its time of day that is still ahead of `now`."""
    assert plan.weekday is not None
    today = local(now, plan.zone).date()
    ahead = (plan.weekday - today.weekday()) % 7
    due = at_part(today + timedelta(days=ahead), plan.part, plan.zone)
    return due if due > now else at_part(today + timedelta(days=ahead + 7), plan.part, plan.zone)


def moved(now: datetime, due: datetime, old_zone: str, plan: Plan) -> datetime:
    """The same day as `due` was (in the old zone), at the plan's time and zone; a weekly one
    whose new time has passed goes to the next week."""
    due_day = local(due, old_zone).date()
    if plan.weekday is not None:
        due_day += timedelta(days=(plan.weekday - due_day.weekday()) % 7)
    again = at_part(due_day, plan.part, plan.zone)
    if plan.weekday is not None and again <= now:
        return weekly(now, plan)
    return again


def quiet(moment: datetime, zone: str) -> bool:
    clock = local(moment, zone).time()
    return clock >= QUIET_FROM or clock < QUIET_UNTIL


def decide(now: datetime, due: datetime, zone: str, last_sent_day: date | None) -> Decision:
    """What to do with a check-in due at `due`, at `now`."""
    if now < due:
        return Decision.WAIT
    today = local(now, zone).date()
    if today != local(due, zone).date() or last_sent_day == today:
        return Decision.SKIP
    if quiet(now, zone):
        # Before 08:00 of its own day it waits; after 22:00 its day is over.
        return Decision.WAIT if local(now, zone).time() < QUIET_UNTIL else Decision.SKIP
    return Decision.SEND


def following(now: datetime, plan: Plan) -> datetime | None:
    """After one was sent or skipped: the next of a weekly plan (None: a single one is done)."""
    return weekly(now, plan) if plan.weekday is not None else None
