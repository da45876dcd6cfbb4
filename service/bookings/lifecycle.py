"""Time-driven moves of bookings, called by the scheduler, the CLI and tests.

Each function claims its rows with `FOR UPDATE SKIP LOCKED` in small batches and re-checks the
condition in the claiming query, so it is idempotent and two schedulers running it at once split
the work instead of doing it twice. Returns how many bookings it moved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
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


#: The no-show grace of the booking's instrument in minutes: its own policy, else its
#: institution's default, else the built-in 30 minutes.
GRACE_SQL = """coalesce(
    (SELECT p.no_show_grace_minutes FROM booking_policy p WHERE p.instrument_id = b.instrument_id),
    (SELECT p.no_show_grace_minutes FROM booking_policy p JOIN instrument n
        ON p.institution_id = n.institution_id WHERE n.id = b.instrument_id),
    30)"""


async def mark_no_shows(db: Database, now: datetime) -> int:
    """Confirmed bookings nobody checked in to within their instrument's no-show grace of the
    start, with no usage. A booking whose no-show a manager undid is left alone: the manager
    decided it was used."""

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
        "b.status = 'confirmed' AND b.kind = 'booking' AND b.starts_at <= $1 "
        f"AND b.starts_at + make_interval(mins => {GRACE_SQL}) <= $1 "
        "AND NOT EXISTS (SELECT 1 FROM usage_session s WHERE s.booking_id = b.id) "
        "AND NOT EXISTS (SELECT 1 FROM booking_event e "
        "WHERE e.booking_id = b.id AND e.action = 'undo_no_show')"
    )
    return await _drain(db, _claim(where, "no_show"), (now,), after)


async def complete_finished(db: Database, now: datetime) -> int:
    """Bookings in use whose time is over are completed; open sessions close at the booked end."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await close_session(conn, row["id"], row["ends_at"])
        await store.record_event(
            conn, row["id"], None, "completed", row["old_status"], "completed", "booked time ended"
        )

    where = "b.status = 'in_use' AND b.ends_at <= $1"
    return await _drain(db, _claim(where, "completed"), (now,), after)
