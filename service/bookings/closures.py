"""Closures and special hours of one local date: a closure may leave bookings outside the
hours, which are refused or cancelled (with notices) as a maintenance block's are.

Only the instrument's managers, its institution's admins and platform admins may read or
change them. Writes take the instrument's advisory lock, so a booking being checked against
the hours is serialised with the change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.availability.openings import DayException, WeeklyInterval, open_intervals, subtract
from service.availability.rules import closure_hours
from service.availability.schemas import ClosureIn
from service.bookings import blocks, sql
from service.bookings.schemas import ClosureOut, DisplacedOut
from service.catalog.instruments import managed_instrument
from service.common.time import local_to_utc, zone
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, NotFound, Unprocessable
from service.policies.rules import format_hhmm


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
    db: Database,
    user: Principal,
    instrument_id: int,
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[ClosureOut]:
    async with db.connection() as conn:
        await managed_instrument(conn, user, instrument_id)
        rows = await conn.fetch(
            sql.CLOSURES,
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
        sql.BOOKINGS_ON_DAY_FOR_UPDATE,
        instrument["id"],
        lo,
        hi,
    )
    if not rows:
        return []
    weekly = [
        WeeklyInterval(r["weekday"], r["opens"], r["closes"])
        for r in await conn.fetch(sql.WEEKLY_HOURS, instrument["id"])
    ]
    first = min(r["starts_at"] for r in rows).astimezone(tz).date() - timedelta(days=1)
    last = max(r["ends_at"] for r in rows).astimezone(tz).date() + timedelta(days=1)
    exceptions = [
        DayException(r["day"], r["opens"], r["closes"], r["reason"])
        for r in await conn.fetch(
            sql.EXCEPTIONS_BETWEEN,
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
            open_intervals(r["starts_at"], r["ends_at"], weekly, exceptions, tz=tz),
        )
    ]


async def add_closure(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: ClosureIn,
    *,
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
        taken = await conn.fetchval(sql.CLOSURE_ON_DAY, instrument_id, data.day)
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
            await blocks.cancel_displaced(conn, user, row, data.reason, now=now) for row in rows
        ]
        row = await conn.fetchrow(
            sql.INSERT_CLOSURE,
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
        deleted = await conn.fetchval(sql.DELETE_CLOSURE, closure_id, instrument_id)
        if deleted is None:
            raise NotFound(f"Closure {closure_id} of instrument {instrument_id} does not exist.")

    await db.in_transaction(work)
