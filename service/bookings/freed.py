"""The next user hears when a session ends early and frees the instrument's time: a booking's
own reaction to its check-out, queued in the transaction of the check-out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from service.bookings import sql
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
        sql.NEXT_BOOKING_AFTER_FREED,
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
