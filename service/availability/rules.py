"""Validation of calendars an owner submits: every problem at once, no I/O."""

from __future__ import annotations

from datetime import time

from service.availability.schemas import ClosureIn, WeeklyHoursIn
from service.common.schemas import Violation
from service.policies.rules import parse_hhmm


def weekly_hours(
    items: list[WeeklyHoursIn],
) -> tuple[list[tuple[int, time, time]], list[Violation]]:
    """Parsed intervals with touching ones merged (`[9,12)` + `[12,17)` → `[9,17)`), or the
    problems: an empty or reversed interval, or two that overlap on one weekday."""
    problems: list[Violation] = []
    parsed: list[tuple[int, time, time]] = []
    for n, item in enumerate(items):
        opens, closes = parse_hhmm(item.opens), parse_hhmm(item.closes)
        if opens >= closes:
            problems.append(Violation("opens_before_closes", f"intervals[{n}]: opens >= closes"))
        else:
            parsed.append((item.weekday, opens, closes))
    merged: list[tuple[int, time, time]] = []
    for weekday, opens, closes in sorted(parsed):
        if merged and merged[-1][0] == weekday and opens <= merged[-1][2]:
            if opens < merged[-1][2]:
                problems.append(
                    Violation("overlapping_hours", f"weekday {weekday}: intervals overlap")
                )
            merged[-1] = (weekday, merged[-1][1], max(closes, merged[-1][2]))
        else:
            merged.append((weekday, opens, closes))
    return merged, problems


def closure_hours(data: ClosureIn) -> tuple[tuple[time, time] | None, list[Violation]]:
    """Special hours of the day (None: closed all day), or the problems."""
    if (data.opens is None) != (data.closes is None):
        return None, [Violation("hours_pair", "give both opens and closes, or neither")]
    if data.opens is None or data.closes is None:
        return None, []
    opens, closes = parse_hhmm(data.opens), parse_hhmm(data.closes)
    if opens >= closes:
        return None, [Violation("opens_before_closes", "opens must be before closes")]
    return (opens, closes), []
