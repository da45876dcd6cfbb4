"""Owners' calendar management: weekly opening hours (closures and special hours of one date
are `bookings.closures`, as they may displace bookings).

Only the instrument's managers, its institution's admins and platform admins may read or
change them. Writes take the instrument's advisory lock, so a booking being checked against
the hours is serialised with the change (the booking engine takes the same lock).
"""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal
from service.availability import sql
from service.availability.rules import weekly_hours
from service.availability.schemas import (
    OpeningHoursIn,
    OpeningHoursOut,
    WeeklyHoursOut,
)
from service.catalog.instruments import managed_instrument
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Unprocessable
from service.policies.rules import format_hhmm


async def _hours_out(conn: asyncpg.Connection, row: asyncpg.Record) -> OpeningHoursOut:
    rows = await conn.fetch(sql.WEEKLY_HOURS_ORDERED, row["id"])
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
        await conn.execute(sql.DELETE_WEEKLY_HOURS, instrument_id)
        await conn.executemany(
            sql.INSERT_WEEKLY_HOURS,
            [(instrument_id, *interval) for interval in intervals],
        )
        return await _hours_out(conn, row)

    return await db.in_transaction(work)
