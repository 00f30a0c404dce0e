"""What the handoff decides, as pure functions over plain values: tested without aiogram or a
database, and the one place to read to know when a reminder, a long-wait notice or a topic's
deletion is due, and who may do what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

URGENT_REMIND_MINUTES = 2
"""An urgent case nobody took is brought up again this often."""
ALIAS_LIMIT = 64


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def reminder_due(*, urgent: bool, last: datetime, now: datetime, remind_minutes: int) -> bool:
    """A waiting case is brought up again after HANDOFF_REMIND_MINUTES (urgent: 2)."""
    every = URGENT_REMIND_MINUTES if urgent else remind_minutes
    return now - last >= timedelta(minutes=every)


def long_wait_due(
    *, urgent: bool, last: datetime, now: datetime, timeout_minutes: int, urgent_minutes: int
) -> bool:
    """The person is told honestly after HANDOFF_TIMEOUT_MINUTES (urgent: URGENT_TIMEOUT_...)."""
    return now - last >= timedelta(minutes=urgent_minutes if urgent else timeout_minutes)


def topic_deletable(*, closed_at: datetime | None, now: datetime, keep_hours: int) -> bool:
    """An ended case's topic goes after CASE_TOPIC_DELETE_HOURS."""
    return closed_at is not None and now - closed_at >= timedelta(hours=keep_hours)


def more_serious(reason: str | None, than: str | None, order: Sequence[str]) -> bool:
    """Whether `reason` is listed before `than` (settings.yaml lists the most serious first)."""
    if reason not in order or reason == than:
        return False
    return than not in order or order.index(reason) < order.index(than)


def is_taker(*, taken: bool, taken_by: str | None, volunteer: str) -> bool:
    """Only the volunteer who took a case talks to the person, ends or releases it."""
    return taken and taken_by == volunteer


@dataclass(frozen=True)
class Duty:
    on: bool


def duty(argument: str | None) -> Duty:
    """/duty on (also plain /duty) or /duty off."""
    return Duty(on=(argument or "").strip().lower() != "off")


def alias(argument: str | None) -> str | None:
    """/alias Name: the name a person sees for the volunteer (None without one)."""
    chosen = (argument or "").strip()[:ALIAS_LIMIT]
    return chosen or None


def path_of(visited: Sequence[tuple[str, str]], hidden: Sequence[str]) -> str:
    """The steps a person went through, as a volunteer may see them (never what was typed)."""
    return " › ".join(f"{flow}: {step}" for flow, step in visited if flow not in hidden) or "-"


def minutes_figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def share_figure(value: float | None) -> str | int:
    return "-" if value is None else round(100 * value)
