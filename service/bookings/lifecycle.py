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

from service.bookings import sql, store
from service.bookings.transitions import close_session
from service.db import Database
from service.outbox.store import enqueue

BATCH = sql.BATCH


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
    return sql.claim_due(where, to_status)


async def expire_overdue_pending(db: Database, now: datetime) -> int:
    """Requests nobody decided before their deadline free their slot; the booker is told."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await store.record_event(
            conn,
            row["id"],
            None,
            "expired",
            from_status=row["old_status"],
            to_status="expired",
            reason="approval deadline passed",
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
            from_status=row["old_status"],
            to_status="no_show",
            reason="no check-in within the grace period",
        )

    where = sql.NO_SHOW_DUE
    return await _drain(db, _claim(where, "no_show"), (now,), after)


async def complete_finished(db: Database, now: datetime) -> int:
    """Bookings in use whose time is over are completed; open sessions close at the booked end."""

    async def after(conn: asyncpg.Connection, row: Any) -> None:
        await close_session(conn, row["id"], row["ends_at"])
        await store.record_event(
            conn,
            row["id"],
            None,
            "completed",
            from_status=row["old_status"],
            to_status="completed",
            reason="booked time ended",
        )

    where = "b.status = 'in_use' AND b.ends_at <= $1"
    return await _drain(db, _claim(where, "completed"), (now,), after)
