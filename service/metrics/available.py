"""Available hours per local day: opening hours minus closures, maintenance and retirement.

Pure: the roll-up loads the rows and calls this. "Open" is computed by the same
`open_intervals` the booking rules and the availability view use, so the three never disagree.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.availability.openings import (
    DayException,
    Interval,
    WeeklyInterval,
    open_intervals,
    subtract,
)
from service.common.time import local_to_utc

ProfileKey = tuple[str, tuple[WeeklyInterval, ...], tuple[DayException, ...]]


def split_by_local_day(intervals: list[Interval], tz: ZoneInfo) -> dict[date, int]:
    """Whole seconds of the intervals falling on each local date (23 h or 25 h on DST days)."""
    out: dict[date, int] = {}
    for a, b in intervals:
        cursor = a
        while cursor < b:
            day = cursor.astimezone(tz).date()
            boundary = local_to_utc(day + timedelta(days=1), time(0), tz)
            end = min(b, boundary)
            out[day] = out.get(day, 0) + round((end - cursor).total_seconds())
            cursor = end
    return out


class AvailabilityCalculator:
    """Available seconds per local day over one range of dates.

    Many instruments share the same weekly hours and zone; their open time is computed once per
    distinct profile and reused, which keeps a roll-up of 10,000 instruments fast.
    """

    def __init__(self, date_from: date, date_to: date) -> None:
        self.date_from = date_from
        self.date_to = date_to
        self._open: dict[ProfileKey, list[Interval]] = {}
        self._days: dict[ProfileKey, dict[date, int]] = {}

    def seconds_by_day(
        self,
        tz_name: str,
        weekly: list[WeeklyInterval],
        exceptions: list[DayException],
        blocks: list[Interval],
        *,
        retired_at: datetime | None = None,
    ) -> dict[date, int]:
        tz = ZoneInfo(tz_name)
        key: ProfileKey = (tz_name, tuple(sorted(weekly, key=_weekly_order)), tuple(exceptions))
        start = local_to_utc(self.date_from, time(0), tz)
        end = local_to_utc(self.date_to, time(0), tz)
        holes = list(blocks)
        if retired_at is not None and retired_at < end:
            holes.append((max(retired_at, start), end))
        if not holes and key in self._days:
            return self._days[key]
        if key not in self._open:
            self._open[key] = open_intervals(start, end, list(key[1]), list(exceptions), tz=tz)
        free = subtract(self._open[key], sorted(holes)) if holes else self._open[key]
        days = split_by_local_day(free, tz)
        if not holes:
            self._days[key] = days
        return days


def _weekly_order(w: WeeklyInterval) -> tuple[int, time, time]:
    return (w.weekday, w.opens, w.closes)
