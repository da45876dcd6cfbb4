"""What a correction may change. Pure: takes the session as it is, the change and `now`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from service.usage.schemas import UsageCorrectionIn

#: The fields a correction writes, in the session row's names.
EDITABLE = ("started_at", "ended_at", "service_way", "samples", "amount", "note")


def merged(current: Mapping[str, Any], change: UsageCorrectionIn) -> dict[str, Any]:
    """The session's editable values after the change (unchanged fields kept)."""
    given = {
        "started_at": change.start,
        "ended_at": change.end,
        "service_way": change.service_way,
        "samples": change.samples,
        "amount": change.amount,
        "note": change.note,
    }
    return {k: current[k] if given[k] is None else given[k] for k in EDITABLE}


def violations(
    current: Mapping[str, Any], change: UsageCorrectionIn, after: Mapping[str, Any], now: datetime
) -> list[str]:
    """Every rule the change breaks (codes; the use case words them)."""
    found: list[str] = []
    person = change.user_id is not None or change.user_institution_id is not None
    if person and current["booking_id"] is not None:
        found.append("user_of_booking")
    if change.user_id is not None and change.user_institution_id is not None:
        found.append("one_user")
    end = after["ended_at"]
    if end is None or end <= after["started_at"] or after["started_at"] > now:
        found.append("usage_times")
    if not person and all(after[k] == current[k] for k in EDITABLE):
        found.append("no_change")
    return found
