"""Owners' calendar management: weekly opening hours and per-date closures or special hours.

Only the instrument's managers, its institution's admins and platform admins may read or
change them. Writes take the instrument's advisory lock, so a booking being checked against
the hours is serialised with the change (the booking engine takes the same lock).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.availability.openings import DayException, WeeklyInterval, open_intervals, subtract
from service.availability.rules import closure_hours, format_hhmm, weekly_hours
from service.availability.schemas import (
    ClosureIn,
    ClosureOut,
    OpeningHoursIn,
    OpeningHoursOut,
    WeeklyHoursOut,
)
from service.bookings import blocks, store
from service.bookings.schemas import DisplacedOut
from service.common.time import local_to_utc, zone
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, Forbidden, NotFound, Unprocessable

_INSTRUMENT = """
SELECT i.id, i.institution_id, r.timezone FROM instrument i
JOIN institution s ON s.id = i.institution_id JOIN region r ON r.code = s.region_code
WHERE i.id = $1
"""


async def managed_instrument(
    conn: asyncpg.Connection, user: Principal, instrument_id: int
) -> asyncpg.Record:
    """The instrument row if `user` may manage its calendar; 404 if it does not exist."""
    row = await conn.fetchrow(_INSTRUMENT, instrument_id)
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    if not user.can_manage_instrument(instrument_id, row["institution_id"]):
        raise Forbidden("Only the instrument's managers and its institution's admins may do this.")
    return row


async def _hours_out(conn: asyncpg.Connection, row: asyncpg.Record) -> OpeningHoursOut:
    rows = await conn.fetch(
        "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1 "
        "ORDER BY weekday, opens",
        row["id"],
    )
    intervals = [
        WeeklyHoursOut(r["weekday"], format_hhmm(r["opens"]), format_hhmm(r["closes"]))
        for r in rows
    ]
    return OpeningHoursOut(row["id"], row["timezone"], not intervals, intervals)


async def get_opening_hours(db: Database, user: Principal, instrument_id: int) -> OpeningHoursOut:
    async with db.connection() as conn:
        row = await managed_instrument(conn, user, instrument_id)
        return await _hours_out(conn, row)


async def replace_opening_hours(
    db: Database, user: Principal, instrument_id: int, data: OpeningHoursIn
) -> OpeningHoursOut:
    intervals, problems = weekly_hours(data.intervals)
    if problems:
        raise Unprocessable("The opening hours are invalid.", extra={"violations": problems})

    async def work(conn: asyncpg.Connection) -> OpeningHoursOut:
        row = await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        await conn.execute("DELETE FROM opening_hours WHERE instrument_id = $1", instrument_id)
        await conn.executemany(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) "
            "VALUES ($1, $2, $3, $4)",
            [(instrument_id, *interval) for interval in intervals],
        )
        return await _hours_out(conn, row)

    return await db.in_transaction(work)


def _closure_out(r: Any, displaced: list[DisplacedOut] | None = None) -> ClosureOut:
    closed = r["opens"] is None
    return ClosureOut(
        id=r["id"],
        instrument_id=r["instrument_id"],
        day=r["day"],
        closed_all_day=closed,
        opens=None if closed else format_hhmm(r["opens"]),
        closes=None if closed else format_hhmm(r["closes"]),
        reason=r["reason"],
        displaced=displaced or [],
    )


async def list_closures(
    db: Database, user: Principal, instrument_id: int, first: date | None, last: date | None
) -> list[ClosureOut]:
    async with db.connection() as conn:
        await managed_instrument(conn, user, instrument_id)
        rows = await conn.fetch(
            "SELECT * FROM calendar_exception WHERE instrument_id = $1 "
            "AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) "
            "ORDER BY day, id LIMIT 1000",
            instrument_id,
            first,
            last,
        )
    return [_closure_out(r) for r in rows]


async def _left_outside(
    conn: asyncpg.Connection, instrument: asyncpg.Record, new: DayException
) -> list[Any]:
    """Active bookings touching the closure's local day that the hours, with the closure,
    would no longer contain (locked FOR UPDATE): the bookings a closure displaces."""
    tz = zone(instrument["timezone"])
    lo = local_to_utc(new.day, time(0), tz)
    hi = local_to_utc(new.day + timedelta(days=1), time(0), tz)
    rows = await conn.fetch(
        f"""SELECT {store.COLUMNS} FROM booking b
            WHERE b.instrument_id = $1 AND b.kind = 'booking' AND b.status IN {store.ACTIVE_SQL}
              AND b.starts_at < $3 AND b.ends_at > $2
            ORDER BY b.starts_at FOR UPDATE OF b""",
        instrument["id"],
        lo,
        hi,
    )
    if not rows:
        return []
    weekly = [
        WeeklyInterval(r["weekday"], r["opens"], r["closes"])
        for r in await conn.fetch(
            "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1",
            instrument["id"],
        )
    ]
    first = min(r["starts_at"] for r in rows).astimezone(tz).date() - timedelta(days=1)
    last = max(r["ends_at"] for r in rows).astimezone(tz).date() + timedelta(days=1)
    exceptions = [
        DayException(r["day"], r["opens"], r["closes"], r["reason"])
        for r in await conn.fetch(
            "SELECT day, opens, closes, reason FROM calendar_exception "
            "WHERE instrument_id = $1 AND day BETWEEN $2 AND $3 ORDER BY id",
            instrument["id"],
            first,
            last,
        )
    ]
    exceptions.append(new)
    return [
        r
        for r in rows
        if subtract(
            [(r["starts_at"], r["ends_at"])],
            open_intervals(r["starts_at"], r["ends_at"], weekly, exceptions, tz),
        )
    ]


async def add_closure(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: ClosureIn,
    now: datetime,
    dry_run: bool = False,
) -> ClosureOut | list[DisplacedOut]:
    """The closure; bookings it leaves outside the hours are refused or cancelled as
    `on_conflict` says. With `dry_run` only the bookings it would displace, nothing written."""
    hours, problems = closure_hours(data)
    if problems:
        raise Unprocessable("The closure is invalid.", extra={"violations": problems})
    opens, closes = hours if hours else (None, None)

    async def work(conn: asyncpg.Connection) -> ClosureOut | list[DisplacedOut]:
        instrument = await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        taken = await conn.fetchval(
            "SELECT id FROM calendar_exception WHERE instrument_id = $1 AND day = $2",
            instrument_id,
            data.day,
        )
        if taken is not None:
            raise Conflict(
                f"{data.day} already has an exception; delete it first.",
                extra={"closure_id": taken},
            )
        rows = await _left_outside(
            conn, instrument, DayException(data.day, opens, closes, data.reason)
        )
        if dry_run:
            return blocks.displaced_out(rows)
        if rows and data.on_conflict == "fail":
            raise blocks.refuse_displacing(user.language, rows, "停开日", "closure")
        cancelled = [
            await blocks.cancel_displaced(conn, user, row, data.reason, now) for row in rows
        ]
        row = await conn.fetchrow(
            "INSERT INTO calendar_exception (instrument_id, day, opens, closes, reason) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING *",
            instrument_id,
            data.day,
            opens,
            closes,
            data.reason,
        )
        for new in cancelled:
            await blocks.tell_displaced(conn, new, data.reason, now, kind="booking_closed")
        return _closure_out(row, blocks.displaced_out(rows))

    return await db.in_transaction(work)


async def delete_closure(
    db: Database, user: Principal, instrument_id: int, closure_id: int
) -> None:
    async def work(conn: asyncpg.Connection) -> None:
        await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        deleted = await conn.fetchval(
            "DELETE FROM calendar_exception WHERE id = $1 AND instrument_id = $2 RETURNING id",
            closure_id,
            instrument_id,
        )
        if deleted is None:
            raise NotFound(f"Closure {closure_id} of instrument {instrument_id} does not exist.")

    await db.in_transaction(work)
