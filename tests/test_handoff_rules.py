"""The handoff's decisions as plain functions: no bot, no database, no Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.handoff import rules

NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
REASONS = ("crisis", "violence", "unclear")


def test_an_urgent_case_is_brought_up_again_every_two_minutes() -> None:
    two_ago = NOW - timedelta(minutes=2)
    assert rules.reminder_due(urgent=True, last=two_ago, now=NOW, remind_minutes=15)
    assert not rules.reminder_due(urgent=False, last=two_ago, now=NOW, remind_minutes=15)
    assert rules.reminder_due(
        urgent=False, last=NOW - timedelta(minutes=15), now=NOW, remind_minutes=15
    )


def test_a_long_wait_is_told_sooner_when_the_case_is_urgent() -> None:
    ten_ago = NOW - timedelta(minutes=10)
    due = {
        urgent: rules.long_wait_due(
            urgent=urgent, last=ten_ago, now=NOW, timeout_minutes=60, urgent_minutes=10
        )
        for urgent in (True, False)
    }
    assert due == {True: True, False: False}


def test_a_topic_is_deleted_only_after_its_case_ended_long_enough_ago() -> None:
    assert not rules.topic_deletable(closed_at=None, now=NOW, keep_hours=48)
    assert not rules.topic_deletable(
        closed_at=NOW - timedelta(hours=47, minutes=59), now=NOW, keep_hours=48
    )
    assert rules.topic_deletable(closed_at=NOW - timedelta(hours=48), now=NOW, keep_hours=48)


def test_a_later_reason_replaces_an_earlier_one_only_when_more_serious() -> None:
    assert rules.more_serious("crisis", "unclear", REASONS)
    assert not rules.more_serious("unclear", "crisis", REASONS)
    assert not rules.more_serious("crisis", "crisis", REASONS)
    assert rules.more_serious("violence", None, REASONS)
    assert not rules.more_serious(None, "violence", REASONS)
    assert not rules.more_serious("unknown", None, REASONS)


def test_only_the_volunteer_who_took_a_case_may_end_or_release_it() -> None:
    assert rules.is_taker(taken=True, taken_by="v1", volunteer="v1")
    assert not rules.is_taker(taken=True, taken_by="v1", volunteer="v2")
    assert not rules.is_taker(taken=False, taken_by=None, volunteer="v1")


def test_duty_is_on_unless_the_volunteer_says_off() -> None:
    assert rules.duty(None).on
    assert rules.duty(" on ").on
    assert not rules.duty("OFF").on


def test_an_alias_is_trimmed_to_what_telegram_shows_and_empty_means_none() -> None:
    assert rules.alias("  Ala ") == "Ala"
    assert rules.alias("   ") is None
    assert rules.alias(None) is None
    long = rules.alias("x" * 200)
    assert long is not None
    assert len(long) == rules.ALIAS_LIMIT


def test_the_path_a_volunteer_sees_leaves_out_hidden_flows() -> None:
    visited = [("feelings", "how_are_you"), ("privacy", "forget"), ("feelings", "calm")]
    assert rules.path_of(visited, hidden=["privacy"]) == "feelings: how_are_you › feelings: calm"
    assert rules.path_of([("privacy", "forget")], hidden=["privacy"]) == "-"


def test_figures_for_stats_say_dash_when_there_is_nothing_to_count() -> None:
    assert rules.minutes_figure(None) == "-"
    assert rules.minutes_figure(4.4) == "4"
    assert rules.share_figure(None) == "-"
    assert rules.share_figure(0.834) == 83
    assert rules.minutes_between(NOW, NOW - timedelta(minutes=5)) == 0
