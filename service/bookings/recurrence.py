"""Recurrence rules expanded in the instrument's zone.

Expansion runs on naive local wall-clock times and converts each occurrence to UTC afterwards,
so a weekly 09:00 stays 09:00 local on both sides of a DST change.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrulestr

from service.common.time import local_to_utc

MAX_OCCURRENCES = 52
MAX_INTERVAL = 52
#: Other BY* parts can filter out every candidate day, and dateutil then scans up to year 9999
#: without yielding, blocking the event loop; DAILY/WEEKLY rules need only these.
_ALLOWED = {"FREQ", "COUNT", "UNTIL", "INTERVAL", "BYDAY", "WKST"}


class RecurrenceError(ValueError):
    """The rule is malformed or outside what we accept; the message is shown to the user."""


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in rule.strip().removeprefix("RRULE:").split(";"):
        name, sep, value = piece.partition("=")
        if not sep or not name:
            raise RecurrenceError(f"malformed RRULE part {piece!r}")
        parts[name.strip().upper()] = value.strip()
    return parts


def expand(
    rule: str, start: datetime, end: datetime, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """UTC `[start, end)` pairs, the first being the requested one when it matches the rule.

    Only DAILY/WEEKLY with COUNT or UNTIL; at most `MAX_OCCURRENCES`. UNTIL without an offset
    is read as local time in the instrument's zone.
    """
    parts = _parts(rule)
    if parts.get("FREQ") not in {"DAILY", "WEEKLY"}:
        raise RecurrenceError("only FREQ=DAILY or FREQ=WEEKLY is supported")
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise RecurrenceError("exactly one of COUNT or UNTIL is required")
    if "COUNT" in parts and not (
        parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES
    ):
        raise RecurrenceError(f"COUNT must be between 1 and {MAX_OCCURRENCES}")
    _check_shape(parts)
    local_start = start.astimezone(tz).replace(tzinfo=None)
    length = end - start
    text = ";".join(f"{k}={_local_until(v, tz) if k == 'UNTIL' else v}" for k, v in parts.items())
    try:
        parsed = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise RecurrenceError(f"invalid RRULE: {exc}") from exc
    if getattr(parsed, "_freq", None) not in {DAILY, WEEKLY}:
        raise RecurrenceError("only FREQ=DAILY or FREQ=WEEKLY is supported")
    out: list[tuple[datetime, datetime]] = []
    for occurrence in parsed:
        if len(out) == MAX_OCCURRENCES:
            raise RecurrenceError(f"the rule yields more than {MAX_OCCURRENCES} occurrences")
        begin = local_to_utc(occurrence.date(), occurrence.time(), tz)
        out.append((begin, begin + length))
    if not out:
        raise RecurrenceError("the rule yields no occurrence")
    return out


def _check_shape(parts: dict[str, str]) -> None:
    """Refuse rules that never yield (so dateutil would scan to year 9999) or overflow dates."""
    unknown = sorted(set(parts) - _ALLOWED)
    if unknown:
        raise RecurrenceError(f"unsupported RRULE part {unknown[0]}")
    interval = parts.get("INTERVAL", "1")
    if not (interval.isdigit() and 1 <= int(interval) <= MAX_INTERVAL):
        raise RecurrenceError(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
    if parts["FREQ"] == "DAILY" and "BYDAY" in parts and int(interval) % 7 == 0:
        raise RecurrenceError("FREQ=DAILY with BYDAY needs an INTERVAL that is not a multiple of 7")


def _local_until(value: str, tz: ZoneInfo) -> str:
    """UNTIL in UTC (…Z) becomes local naive, matching the naive local DTSTART."""
    if not value.endswith("Z"):
        return value
    try:
        at = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
        return at.astimezone(tz).strftime("%Y%m%dT%H%M%S")
    except (ValueError, OverflowError) as exc:
        raise RecurrenceError("UNTIL must look like 20270131T000000Z or 20270131") from exc
