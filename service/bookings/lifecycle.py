"""Time-driven moves of bookings, called by the scheduler, the CLI and tests.

Each function claims its rows with `FOR UPDATE SKIP LOCKED` in small batches and re-checks the
condition in the claiming query, so it is idempotent and two schedulers running it at once split
the work instead of doing it twice. Returns how many bookings it moved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.bookings import store
from service.bookings.transitions import close_session
from service.db import Database
from service.outbox.store import enqueue

BATCH = 200


async def _drain(
    db: Database,
    claim_sql: str,
    args: tuple[Any, ...],
    after: Callable[[asyncpg.Connection, Any], Awaitable[None]],
) -> int:
    total = 0
    while True:

        async def work(conn: asyncpg.Connection) -> int:
            rows = await conn.fetch(claim_sql, *args)
            for row in rows:
                await after(conn, row)
            return len(rows)

        moved = await db.in_transaction(work)
        total += moved
        if moved < BATCH:
            return total


def _claim(where: str, to_status: str) -> str:
    return f"""
        WITH due AS (
            SELECT id, status FROM booking b WHERE {where}
            ORDER BY b.id LIMIT {BATCH} FOR UPDATE SKIP LOCKED
        )
        UPDATE booking b SET status = '{to_status}', version = b.version + 1, updated_at = $1
        FROM due WHERE b.id = due.id
        RETURNING {store.COLUMNS}, due.status AS old_status"""


async def expire_overdue_pending(db: Database, now: datetime) -> int:
    """Requests nobody decided before their deadline free their slot; the booker is told."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await store.record_event(
            conn,
            row["id"],
            None,
            "expired",
            row["old_status"],
            "expired",
            "approval deadline passed",
        )
        await enqueue(
            conn,
            kind="booking_expired",
            user_id=row["user_id"],
            booking_id=row["id"],
            dedupe_key=f"booking_expired:{row['id']}:v{row['version']}",
            payload=store.notice_payload(),
        )

    sql = _claim("b.status = 'pending' AND b.approval_deadline <= $1", "expired")
    return await _drain(db, sql, (now,), after)


async def mark_no_shows(db: Database, now: datetime, grace: timedelta) -> int:
    """Confirmed bookings nobody checked in to within `grace` of the start, with no usage."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await store.record_event(
            conn,
            row["id"],
            None,
            "no_show",
            row["old_status"],
            "no_show",
            "no check-in within the grace period",
        )

    where = (
        "b.status = 'confirmed' AND b.kind = 'booking' AND b.starts_at + $2 <= $1 "
        "AND NOT EXISTS (SELECT 1 FROM usage_session s WHERE s.booking_id = b.id)"
    )
    return await _drain(db, _claim(where, "no_show"), (now, grace), after)


async def complete_finished(db: Database, now: datetime) -> int:
    """Bookings in use whose time is over are completed; open sessions close at the booked end."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await close_session(conn, row["id"], row["ends_at"])
        await store.record_event(
            conn, row["id"], None, "completed", row["old_status"], "completed", "booked time ended"
        )

    where = "b.status = 'in_use' AND b.ends_at <= $1"
    return await _drain(db, _claim(where, "completed"), (now,), after)
