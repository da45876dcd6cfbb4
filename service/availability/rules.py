"""Validation of calendars and policies an owner submits: every problem at once, no I/O."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from service.availability.schemas import ClosureIn, PolicyIn, WeeklyHoursIn
from service.common.schemas import Violation

#: Stored form of "24:00" (`time` cannot hold it in Python); `openings` reads it as midnight.
END_OF_DAY = time.max
_FEE_MAX = Decimal("99999999.99")
_HOURS_MAX = {
    "max_hours_per_day": Decimal(24),
    "max_hours_per_week": Decimal(168),
    "max_future_hours": Decimal(17520),
}


def parse_hhmm(text: str) -> time:
    if text == "24:00":
        return END_OF_DAY
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def format_hhmm(value: time) -> str:
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


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


def policy_violations(p: PolicyIn) -> list[Violation]:
    problems: list[Violation] = []
    if p.min_minutes > p.max_minutes:
        problems.append(Violation("min_max", "min_minutes must not exceed max_minutes"))
    g = p.granularity_minutes
    if 1440 % g:
        problems.append(Violation("granularity", "granularity_minutes must divide a day (1440)"))
    if p.min_minutes % g or p.max_minutes % g:
        problems.append(
            Violation("granularity", "min_minutes and max_minutes must be multiples of the grid")
        )
    if len(set(p.service_ways)) != len(p.service_ways):
        problems.append(Violation("service_ways", "service_ways lists a way twice"))
    for name in ("fee_internal", "fee_external_academic", "fee_enterprise"):
        fee: Decimal = getattr(p, name)
        if not fee.is_finite() or fee < 0 or fee > _FEE_MAX or fee != round(fee, 2):
            problems.append(Violation("fee", f"{name} must be 0 … {_FEE_MAX} with 2 decimals"))
    for n, w in enumerate(p.relaxed_windows):
        if parse_hhmm(w.start) >= parse_hhmm(w.end):
            problems.append(
                Violation("relaxed_windows", f"relaxed_windows[{n}]: start must be before end")
            )
    if len(set(p.relaxed_rules)) != len(p.relaxed_rules):
        problems.append(Violation("relaxed_rules", "relaxed_rules lists a rule twice"))
    for name, top in _HOURS_MAX.items():
        value: Decimal | None = getattr(p, name)
        if value is not None and (not value.is_finite() or value <= 0 or value > top):
            problems.append(Violation("hours_limit", f"{name} must be above 0 and at most {top}"))
    return problems
