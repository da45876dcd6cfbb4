"""Opening hours as UTC instants: weekly local intervals, per-date exceptions, in a zone.

Pure functions over plain data, so booking rules, availability and metrics compute "open" the
same way (a booking accepted iff availability shows the time free).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from service.common.time import local_to_utc


class WeeklyInterval(msgspec.Struct, frozen=True):
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    opens: time
    closes: time


class DayException(msgspec.Struct, frozen=True):
    """A local date whose weekly hours are replaced: closed (`opens is None`) or other hours."""

    day: date
    opens: time | None = None
    closes: time | None = None
    reason: str = ""


Interval = tuple[datetime, datetime]


def open_intervals(
    start: datetime,
    end: datetime,
    weekly: list[WeeklyInterval],
    exceptions: list[DayException],
    *,
    tz: ZoneInfo,
    always_open_without_hours: bool = True,
) -> list[Interval]:
    """UTC intervals within `[start, end)` in which the instrument is open, merged and sorted.

    An instrument with no weekly hours at all is open around the clock (unless
    `always_open_without_hours` is false), but exceptions still close or restrict days.
    """
    by_day: dict[date, DayException] = {}
    for ex in exceptions:
        # Several rows on one date: a closure wins; otherwise the last hours given.
        if ex.day in by_day and by_day[ex.day].opens is None:
            continue
        by_day[ex.day] = ex
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    pieces: list[Interval] = []
    day = first
    while day <= last:
        for opens, closes in _local_hours(day, weekly, by_day, always_open_without_hours):
            a = local_to_utc(day, opens, tz)
            # `time.max` (23:59:59.999999) stands for the following midnight.
            if closes == time.max:
                b = local_to_utc(day + timedelta(days=1), time(0), tz)
            else:
                b = local_to_utc(day, closes, tz)
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                pieces.append((lo, hi))
        day += timedelta(days=1)
    return merge(pieces)


def _local_hours(
    day: date,
    weekly: list[WeeklyInterval],
    exceptions: dict[date, DayException],
    always_open_without_hours: bool,
) -> list[tuple[time, time]]:
    ex = exceptions.get(day)
    if ex is not None:
        if ex.opens is None or ex.closes is None:
            return []
        return [(ex.opens, ex.closes)]
    if not weekly:
        return [(time(0), time.max)] if always_open_without_hours else []
    return [(w.opens, w.closes) for w in weekly if w.weekday == day.isoweekday()]


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge touching or overlapping half-open intervals."""
    out: list[Interval] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`base` minus `holes` (both sorted, merged), as half-open intervals."""
    result: list[Interval] = []
    holes = merge(holes)
    for a, b in base:
        cursor = a
        for ha, hb in holes:
            if hb <= cursor or ha >= b:
                continue
            if ha > cursor:
                result.append((cursor, ha))
            cursor = max(cursor, hb)
            if cursor >= b:
                break
        if cursor < b:
            result.append((cursor, b))
    return result


def covers(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    """Whether `[start, end)` lies entirely inside one of the (merged) intervals."""
    return any(a <= start and end <= b for a, b in intervals)
