"""Time conventions: instants are aware UTC datetimes, intervals are half-open `[start, end)`,
local wall-clock time exists only at the edges (rules, display), in the instrument's IANA zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

#: A datetime that must carry a UTC offset; naive values are refused with 422 at the edge.
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock time to a UTC instant.

    A wall time skipped by a DST jump (e.g. 02:30 on the spring-forward day) is moved forward
    by the gap, as calendar clients do; an ambiguous one takes the first occurrence (fold=0).
    """
    local = datetime.combine(day, wall, tzinfo=tz)
    roundtrip = local.astimezone(UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
        local = local + (roundtrip.utcoffset() or timedelta()) - (local.utcoffset() or timedelta())
    return local.astimezone(UTC)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: `[9,10)` and `[10,11)` do not overlap."""
    return a_start < b_end and b_start < a_end


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local dates touched by `[start, end)`."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
