"""Free/busy and bookable starts of one instrument, read straight from the booking table.

The functions taking `conn` are also the booking engine's view of time, so availability and
booking acceptance can never drift apart; they run on whatever connection (and transaction)
the caller holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import asyncpg

from service.availability import sql
from service.availability.openings import (
    DayException,
    Interval,
    WeeklyInterval,
    merge,
    open_intervals,
    subtract,
)
from service.availability.slots import bookable_starts, earliest_start, latest_end
from service.common.time import zone
from service.errors import NotFound
from service.policies.schemas import Policy

#: Next-free-slot search walks the horizon in chunks so a busy instrument costs a few queries.
_CHUNK = timedelta(days=14)


async def instrument_zone(conn: asyncpg.Connection, instrument_id: int) -> ZoneInfo:
    name = await conn.fetchval(sql.INSTRUMENT_ZONE, instrument_id)
    if name is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    return zone(name)


async def _open_in_zone(
    conn: asyncpg.Connection, instrument_id: int, tz: ZoneInfo, start: datetime, *, end: datetime
) -> list[Interval]:
    weekly = [
        WeeklyInterval(r["weekday"], r["opens"], r["closes"])
        for r in await conn.fetch(sql.WEEKLY_HOURS, instrument_id)
    ]
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    exceptions = [
        DayException(r["day"], r["opens"], r["closes"], r["reason"])
        for r in await conn.fetch(sql.EXCEPTIONS_BETWEEN, instrument_id, first, last)
    ]
    return open_intervals(start, end, weekly, exceptions, tz=tz)


async def open_intervals_for(
    conn: asyncpg.Connection, instrument_id: int, start: datetime, end: datetime
) -> list[Interval]:
    """UTC open intervals within `[start, end)`: no weekly rows means open around the clock."""
    tz = await instrument_zone(conn, instrument_id)
    return await _open_in_zone(conn, instrument_id, tz, start, end=end)


async def conflicts_in(
    conn: asyncpg.Connection, instrument_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Active bookings and blocks whose occupied time overlaps `[start, end)`; never who."""
    rows = await conn.fetch(sql.CONFLICTS, instrument_id, start, end)
    return [{"kind": r["kind"], "start": r["starts_at"], "end": r["occupied_until"]} for r in rows]


class Window(NamedTuple):
    """Claims and calendar exceptions of one instrument around `[lo, hi)`, read in one go."""

    lo: datetime
    hi: datetime
    exceptions: list[DayException]
    claims: list[dict[str, Any]]


def window_from_row(row: Any, lo: datetime, hi: datetime) -> Window:
    return Window(
        lo,
        hi,
        [DayException(*e) for e in row["exceptions"]],
        [{"kind": c[0], "start": c[1], "end": c[2]} for c in row["claims"]],
    )


async def load_window(
    conn: asyncpg.Connection, instrument_id: int, lo: datetime, hi: datetime
) -> Window:
    row = await conn.fetchrow(sql.WINDOW, instrument_id, lo, hi)
    return window_from_row(row, lo, hi)


async def next_free_slots(
    conn: asyncpg.Connection,
    instrument_id: int,
    duration: timedelta,
    after: datetime,
    *,
    policy: Policy,
    now: datetime,
    limit: int = 5,
) -> list[Interval]:
    """The next `limit` bookable `(start, end)` pairs of length `duration` at or after `after`."""
    row = await conn.fetchrow(sql.ZONE_AND_WEEKLY, instrument_id)
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    weekly = [WeeklyInterval(*w) for w in row["weekly"]]
    return await free_slots_from(
        conn,
        instrument_id,
        (zone(row["timezone"]), weekly),
        duration,
        after=after,
        policy=policy,
        now=now,
        limit=limit,
    )


async def free_slots_from(
    conn: asyncpg.Connection,
    instrument_id: int,
    calendar: tuple[ZoneInfo, list[WeeklyInterval]],
    duration: timedelta,
    *,
    after: datetime,
    policy: Policy,
    now: datetime,
    limit: int = 5,
    window: Window | None = None,
) -> list[Interval]:
    """`next_free_slots` walking the horizon in chunks, one query per chunk that `window`
    (already read by the caller) does not cover."""
    tz, weekly = calendar
    cursor = max(after, earliest_start(policy, now))
    stop = latest_end(policy, now)
    buffer = timedelta(minutes=policy.buffer_minutes)
    found: list[Interval] = []
    while cursor < stop and len(found) < limit:
        chunk_end = min(cursor + _CHUNK, stop)
        reach = chunk_end + duration + buffer
        if window is None or not (window.lo <= cursor and reach <= window.hi):
            window = await load_window(conn, instrument_id, cursor, reach)
        starts = bookable_starts(
            opens=open_intervals(cursor, chunk_end + duration, weekly, window.exceptions, tz=tz),
            occupied=[(c["start"], c["end"]) for c in window.claims],
            duration=duration,
            policy=policy,
            tz=tz,
            now=now,
            window=(cursor, chunk_end),
            limit=limit - len(found),
        )
        found.extend((s, s + duration) for s in starts)
        cursor = chunk_end
    return found


async def free_busy(
    conn: asyncpg.Connection, instrument_id: int, start: datetime, end: datetime
) -> tuple[ZoneInfo, list[tuple[datetime, datetime, str]], list[Interval]]:
    """Busy intervals (booking, maintenance, closed) and free ones, all clipped to the window."""
    tz = await instrument_zone(conn, instrument_id)
    opens = await _open_in_zone(conn, instrument_id, tz, start, end=end)
    taken = await conflicts_in(conn, instrument_id, start, end)
    busy = [(max(t["start"], start), min(t["end"], end), str(t["kind"])) for t in taken]
    busy += [(a, b, "closed") for a, b in subtract([(start, end)], opens)]
    busy.sort()
    free = subtract(opens, merge([(a, b) for a, b, _ in busy]))
    return tz, busy, free


async def bookable_slots(
    conn: asyncpg.Connection,
    instrument_id: int,
    start: datetime,
    end: datetime,
    *,
    duration: timedelta,
    policy: Policy,
    now: datetime,
    limit: int,
) -> tuple[ZoneInfo, list[datetime]]:
    """Starts in `[start, end)` where a booking of `duration` would be accepted."""
    tz = await instrument_zone(conn, instrument_id)
    buffer = timedelta(minutes=policy.buffer_minutes)
    opens = await _open_in_zone(conn, instrument_id, tz, start, end=end + duration)
    busy = await conflicts_in(conn, instrument_id, start, end + duration + buffer)
    starts = bookable_starts(
        opens=opens,
        occupied=[(b["start"], b["end"]) for b in busy],
        duration=duration,
        policy=policy,
        tz=tz,
        now=now,
        window=(start, end),
        limit=limit,
    )
    return tz, starts
