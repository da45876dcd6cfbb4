"""Validation of owners' calendars and policies: all problems at once."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from service.availability.rules import closure_hours, weekly_hours
from service.availability.schemas import ClosureIn, WeeklyHoursIn
from service.policies.rules import format_hhmm, parse_hhmm, policy_violations
from service.policies.schemas import PolicyIn


def test_hhmm_round_trip_and_midnight() -> None:
    assert parse_hhmm("09:30") == time(9, 30)
    assert parse_hhmm("24:00") == time.max
    assert format_hhmm(time.max) == "24:00" and format_hhmm(time(7, 5)) == "07:05"


def test_touching_intervals_merge_and_overlaps_are_refused() -> None:
    merged, problems = weekly_hours(
        [
            WeeklyHoursIn(1, "12:00", "17:00"),
            WeeklyHoursIn(1, "09:00", "12:00"),
            WeeklyHoursIn(2, "09:00", "12:00"),
        ]
    )
    assert problems == []
    assert merged == [(1, time(9), time(17)), (2, time(9), time(12))]
    _, problems = weekly_hours(
        [
            WeeklyHoursIn(3, "09:00", "13:00"),
            WeeklyHoursIn(3, "12:00", "17:00"),
            WeeklyHoursIn(4, "10:00", "10:00"),
        ]
    )
    assert sorted(p.rule for p in problems) == ["opens_before_closes", "overlapping_hours"]


def test_closure_hours() -> None:
    from datetime import date

    assert closure_hours(ClosureIn(date(2030, 1, 1))) == (None, [])
    assert closure_hours(ClosureIn(date(2030, 1, 1), opens="10:00", closes="12:00"))[0] == (
        time(10),
        time(12),
    )
    assert closure_hours(ClosureIn(date(2030, 1, 1), opens="10:00"))[1][0].rule == "hours_pair"
    assert (
        closure_hours(ClosureIn(date(2030, 1, 1), opens="12:00", closes="10:00"))[1][0].rule
        == "opens_before_closes"
    )


def test_policy_violations_listed_together() -> None:
    assert policy_violations(PolicyIn()) == []
    bad = PolicyIn(
        min_minutes=120,
        max_minutes=60,
        granularity_minutes=7,
        service_ways=["occupy", "occupy"],
        fee_internal=Decimal("-1"),
        fee_enterprise=Decimal("NaN"),
        fee_external_academic=Decimal("1.005"),
        max_hours_per_day=Decimal("25"),
    )
    rules = [p.rule for p in policy_violations(bad)]
    assert rules.count("fee") == 3
    assert {"min_max", "granularity", "service_ways", "hours_limit"} <= set(rules)
