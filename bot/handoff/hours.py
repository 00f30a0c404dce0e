"""Volunteer hours: is someone likely there now, and when do they come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Hours:
    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> Hours:
        """ "10:00-22:00" (an overnight range such as "20:00-02:00" works too)."""
        first, _, last = text.partition("-")
        return cls(time.fromisoformat(first), time.fromisoformat(last), ZoneInfo(zone))

    @classmethod
    def of(cls, text: str | None, zone: str) -> Hours | None:
        """VOLUNTEER_HOURS as set, or None: no hours, volunteers may answer at any time."""
        return cls.parse(text, zone) if text else None

    def open_at(self, moment: datetime) -> bool:
        now = moment.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    @property
    def opens(self) -> str:
        return self.start.strftime("%H:%M")
