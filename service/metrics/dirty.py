"""Late changes reach the figures: marking dirty instrument-days, and recomputing them.

Marking happens in the writer's own transaction, so a change and its mark commit together:
triggers mark the writes to usage sessions, bookings (status, times, maintenance), and to an
instrument's or institution's ownership, zone and legal entity; other writers (a membership that
re-attributes a user's sessions) call `mark_user_sessions` or `mark_sessions` on their
connection. Days that have not begun are never marked (the recent pass reaches them).

Recomputing (`rollup_dirty`) claims batches of dirty days older than the recent window with
`FOR UPDATE SKIP LOCKED` and a lease, as the outbox does, so two schedulers split the work and a
claimer that dies leaves its days to be claimed again when the lease ends. Each month's share is
rebuilt by the ordinary roll-up, which deletes a dirty row only if no write marked it again
while it ran.
"""

from __future__ import annotations

import os
import socket
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from service.db import Database
from service.metrics import sql
from service.metrics.dirty_plan import group_claimed
from service.metrics.rollup import rebuild
from service.metrics.schemas import FreshnessOut

#: Dirty days claimed per transaction, and claims per run (the next tick goes on).
BATCH = 500
MAX_BATCHES = 40
#: A claim not finished by then is taken again by another scheduler.
LEASE = timedelta(minutes=10)


async def mark_user_sessions(conn: asyncpg.Connection, user_id: int) -> int:
    """Mark every day of a user's sessions: call it in the transaction of a change that alters
    how those sessions count (a membership or affiliation that is verified, moved or revoked)."""
    return int(await conn.fetchval(sql.DIRTY_MARK_USER_SESSIONS, user_id))


async def _quick(db: Database, method: str, statement: str, *args: Any) -> Any:
    """A claim or a release: a lost one only delays a day (its lease runs out), so it does not
    wait for the WAL flush either."""
    async with db.transaction() as conn:
        await conn.execute("SET LOCAL synchronous_commit = off")
        return await getattr(conn, method)(statement, *args)


def _claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def rollup_dirty(db: Database, now: datetime, before: date) -> int:
    """Recompute the dirty days before `before` (the first day the recent pass covers);
    returns the number of instrument-days rewritten."""
    written = 0
    me = _claimer()
    for _ in range(MAX_BATCHES):
        claimed = [
            (int(r["instrument_id"]), r["day"])
            for r in await _quick(db, "fetch", sql.DIRTY_CLAIM, before, now, BATCH, now + LEASE, me)
        ]
        for ids, lo, hi in group_claimed(claimed):
            written += await rebuild(db, lo, hi, ids, whole_sessions=False)
        if claimed:
            days = ([c[0] for c in claimed], [c[1] for c in claimed])
            await _quick(db, "execute", sql.DIRTY_RELEASE, me, *days)
        if len(claimed) < BATCH:
            break
    return written


async def freshness(db: Database) -> FreshnessOut:
    row = await db.fetchrow(sql.DIRTY_FRESHNESS)
    assert row is not None, "the migration inserts the one freshness row"
    return FreshnessOut(
        as_of=row["as_of"],
        last_rollup_at=row["last_rollup_at"],
        dirty_days=int(row["dirty_days"]),
        oldest_dirty_day=row["oldest_dirty_day"],
        dirty_since=row["dirty_since"],
    )


async def note_as_of(db: Database, now: datetime) -> None:
    """Record that every day up to `now` was rolled up (the recent pass, or a seeded history)."""
    await db.execute(sql.DIRTY_NOTE_AS_OF, now)
