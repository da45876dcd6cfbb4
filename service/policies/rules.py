"""Checks of a policy an owner submits, and the wall-clock times policies and calendars
write as "HH:MM": every problem at once, no I/O."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from service.common.schemas import Violation
from service.policies.schemas import POLICY_FIELDS, Policy, PolicyIn

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


def policy_from_row(row: Any) -> Policy:
    """A policy from a row holding the `POLICY_FIELDS` and its source as `src`."""
    values: dict[str, Any] = {f: row[f] for f in POLICY_FIELDS}
    values["service_ways"] = tuple(values["service_ways"])
    values["relaxed_windows"] = tuple(
        (int(w["weekday"]), str(w["start"]), str(w["end"])) for w in values["relaxed_windows"]
    )
    values["relaxed_rules"] = tuple(values["relaxed_rules"])
    return Policy(**values, source=row["src"])


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
