"""The figures of /stats, from case times only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.handoff.stats import CaseTimes, compute

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def case(subject: str, waited: float | None) -> CaseTimes:
    taken = None if waited is None else T0 + timedelta(minutes=waited)
    return CaseTimes(subject, T0, taken)


def test_median_90th_percentile_and_share_taken_quickly() -> None:
    waits = [1, 2, 3, 4, 5, 6, 7, 8, 30, 60]
    figures = compute([case("feelings", w) for w in waits] + [case("safety", None)])
    assert figures.total == 11
    assert figures.by_subject == {"feelings": 10, "safety": 1}
    assert figures.median_wait == 5.5
    assert figures.p90_wait == 30
    assert figures.taken_quickly == 8 / 11


def test_no_cases_give_no_figures_rather_than_zeros() -> None:
    figures = compute([])
    assert (figures.total, figures.median_wait, figures.p90_wait, figures.taken_quickly) == (
        0,
        None,
        None,
        None,
    )


def test_naive_times_from_sqlite_count_as_utc() -> None:
    naive = CaseTimes(
        "other", T0.replace(tzinfo=None), (T0 + timedelta(minutes=3)).replace(tzinfo=None)
    )
    assert compute([naive]).median_wait == 3
