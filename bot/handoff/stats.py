"""Counts for /stats: how quickly people are answered. Numbers only, never who."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

QUICK_MINUTES = 10


@dataclass(frozen=True)
class CaseTimes:
    subject: str
    created_at: datetime
    taken_at: datetime | None


@dataclass(frozen=True)
class Stats:
    total: int
    by_subject: dict[str, int]
    median_wait: float | None
    """Minutes from the request to a volunteer taking it, over cases that were taken."""
    p90_wait: float | None
    taken_quickly: float | None
    """Share of all cases taken within QUICK_MINUTES, 0 to 1."""


def compute(cases: Iterable[CaseTimes]) -> Stats:
    rows = list(cases)
    waits = sorted(
        (c.taken_at - c.created_at).total_seconds() / 60 for c in rows if c.taken_at is not None
    )
    return Stats(
        total=len(rows),
        by_subject=dict(Counter(c.subject for c in rows).most_common()),
        median_wait=statistics.median(waits) if waits else None,
        p90_wait=_percentile(waits, 0.9) if waits else None,
        taken_quickly=sum(w <= QUICK_MINUTES for w in waits) / len(rows) if rows else None,
    )


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile: small samples stay honest (no invented in-between values)."""
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]
