"""The next user hears when a session ends early and frees the instrument's time: a booking's
own reaction to its check-out, queued in the transaction of the check-out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from service.bookings import store
from service.outbox.store import enqueue

#: How far after the early-ending booking's held time the next booking may start and still
#: be told: beyond it the freed time is of no use to its user.
FREED_HORIZON = timedelta(hours=12)


async def tell_next_user(conn: asyncpg.Connection, row: Any, now: datetime) -> None:
    """`row` (just checked out) ended before its booked end: the user of the next booking on
    the calendar hears that the instrument is free from `now`, once per pair of bookings."""
    if now >= row["ends_at"]:
        return
    nxt = await conn.fetchrow(
        f"""SELECT b.id, b.user_id, r.timezone FROM booking b
            JOIN instrument i ON i.id = b.instrument_id
            JOIN institution s ON s.id = i.institution_id
            JOIN region r ON r.code = s.region_code
            WHERE {store.SAME_CALENDAR} AND b.kind = 'booking'
              AND b.status IN ('pending', 'confirmed') AND b.starts_at >= $2
              AND b.starts_at < $3 AND b.id <> $4
            ORDER BY b.starts_at LIMIT 1""",
        row["instrument_id"],
        now,
        row["occupied_until"] + FREED_HORIZON,
        row["id"],
    )
    if nxt is None or nxt["user_id"] == row["user_id"]:
        return
    free_from = f"{now.astimezone(ZoneInfo(nxt['timezone'])):%Y-%m-%d %H:%M} ({nxt['timezone']})"
    await enqueue(
        conn,
        kind="instrument_free_early",
        user_id=nxt["user_id"],
        booking_id=nxt["id"],
        dedupe_key=f"instrument_free_early:{nxt['id']}:{row['id']}",
        payload={"details": {"zh-CN": [["空闲起始", free_from]], "en": [["Free from", free_from]]}},
    )
