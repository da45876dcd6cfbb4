"""The roll-up: recompute per instrument and local day what happened, then months and years.

Idempotent: each chunk (at most one calendar month of local dates) deletes and rewrites its rows
from the raw tables in one transaction, so running it twice, or after a session was corrected,
gives the same rows. Chunks of concurrent runs (two schedulers, a backfill) are serialised by
one advisory lock, so they never interleave their deletes and inserts.

A chunk also settles the dirty days it covers (`sql.DIRTY_*`): it notes their marks before it
reads anything and deletes them at its end only if no write marked them again meanwhile. A
rebuild covers whole sessions: the days outside the range of a session crossing its edge are
recomputed with it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import asyncpg

from service.availability.openings import DayException, Interval, WeeklyInterval
from service.db import Database, advisory_xact_lock
from service.metrics import sql as q
from service.metrics.available import AvailabilityCalculator
from service.metrics.dirty_plan import outside_days
from service.metrics.periods import month_chunks, month_start, next_month

log = logging.getLogger("service.metrics")

#: Advisory-lock namespace of the metrics roll-up (key 0: one roll-up chunk at a time).
LOCK_METRICS = 3


async def rebuild(
    db: Database, date_from: date, date_to: date, instruments: Sequence[int] | None = None,
    *, whole_sessions: bool = True,
) -> int:  # fmt: skip
    """Recompute local days `[date_from, date_to)` (for all instruments, or only `instruments`),
    and the days outside the range of the sessions that cross its edges. The scheduled passes
    say `whole_sessions=False`: a changed session has all its days marked dirty already.

    Returns the number of instrument-days written. Month rows are rewritten with each chunk; a
    year's rows once the last chunk of that year in the range is done.
    """
    ids = list(instruments) if instruments is not None else None
    written = await _rebuild_range(db, date_from, date_to, ids)
    edges = await db.fetch(q.DIRTY_EDGES, date_from, date_to, ids) if whole_sessions else []
    for extra_ids, lo, hi in outside_days(edges, date_from, date_to):
        written += await _rebuild_range(db, lo, hi, extra_ids)
    log.info("metrics roll-up %s..%s: %d instrument-days", date_from, date_to, written)
    return written


async def _rebuild_range(
    db: Database, date_from: date, date_to: date, ids: list[int] | None
) -> int:
    chunks = month_chunks(date_from, date_to)
    written = 0
    for n, (lo, hi) in enumerate(chunks):
        last_of_year = n == len(chunks) - 1 or chunks[n + 1][0].year != lo.year
        written += await db.in_transaction(
            partial(_chunk, lo=lo, hi=hi, ids=ids, rebuild_year=last_of_year)
        )
    return written


async def recent_days(db: Database, now: datetime) -> tuple[date, date]:
    """`[yesterday, tomorrow)` stretched over every zone an institution is in."""
    zones = await db.fetch(q.INSTITUTION_ZONES)
    days = {now.astimezone(ZoneInfo(row["timezone"])).date() for row in zones} or {now.date()}
    return min(days) - timedelta(days=1), max(days) + timedelta(days=1)


async def rollup_recent(db: Database, now: datetime) -> int:
    """Yesterday and today in every zone an institution is in (the scheduler calls this);
    afterwards the figures are complete as of `now` but for the dirty days before them."""
    written = await rebuild(db, *await recent_days(db, now), whole_sessions=False)
    await db.execute(q.DIRTY_NOTE_AS_OF, now)
    return written


async def _chunk(
    conn: asyncpg.Connection, lo: date, hi: date, ids: list[int] | None, *, rebuild_year: bool
) -> int:
    # Derived data: a commit lost in a crash leaves its dirty days marked, so they are simply
    # recomputed; nothing is worth waiting for the WAL flush.
    await conn.execute("SET LOCAL synchronous_commit = off")
    await advisory_xact_lock(conn, LOCK_METRICS, 0)
    await conn.execute(q.CREATE_WORK)
    await conn.execute(q.DIRTY_CREATE_SEEN)
    await conn.execute(q.DIRTY_REMEMBER, lo, hi, ids)
    for sql in q.DELETE_DAYS:
        await conn.execute(sql, lo, hi, ids)
    await _copy_available(conn, lo, hi, ids)
    for sql in (q.SESSION_PIECES, q.SESSION_DAYS, q.FLOW_DAYS, q.BOOKED_DAYS, q.BOOKING_COUNTS):
        args = (lo, hi, ids) if "$3" in sql else ()
        await conn.execute(sql, *args)
    status = await conn.execute(q.USAGE_DAYS, lo, hi)
    await conn.execute(q.SLOTS, lo, hi, ids)
    month_lo, month_hi = month_start(lo), next_month(hi - timedelta(days=1))
    for sql in [*q.PERIODS["month"], q.PERIOD_EXT]:
        await conn.execute(sql, month_lo, month_hi, ids, "month")
    for sql in (q.RUN_DELETE, q.RUN_INSERT):
        await conn.execute(sql, month_lo, month_hi, ids)
    if rebuild_year:
        year_lo, year_hi = date(lo.year, 1, 1), date(lo.year + 1, 1, 1)
        for sql in [*q.PERIODS["year"], q.PERIOD_EXT]:
            await conn.execute(sql, year_lo, year_hi, ids, "year")
    await conn.execute(q.DIRTY_RESOLVE)
    await conn.execute(q.DIRTY_NOTE_ROLLUP)
    return int(status.split()[-1])


async def _copy_available(
    conn: asyncpg.Connection, lo: date, hi: date, ids: list[int] | None
) -> None:
    """Available seconds per instrument and local day, computed in Python by the same opening
    rules as booking, then copied into the work table."""
    insts = await conn.fetch(q.INSTRUMENTS, ids)
    weekly: dict[int, list[WeeklyInterval]] = defaultdict(list)
    for r in await conn.fetch(q.OPENING_HOURS, ids):
        weekly[r["instrument_id"]].append(WeeklyInterval(r["weekday"], r["opens"], r["closes"]))
    exceptions: dict[int, list[DayException]] = defaultdict(list)
    for r in await conn.fetch(q.EXCEPTIONS, lo, hi, ids):
        exceptions[r["instrument_id"]].append(DayException(r["day"], r["opens"], r["closes"]))
    blocks: dict[int, list[Interval]] = defaultdict(list)
    for r in await conn.fetch(q.BLOCKS, lo, hi, ids):
        blocks[r["instrument_id"]].append((r["starts_at"], r["ends_at"]))
    calc = AvailabilityCalculator(lo, hi)
    records: list[tuple[int, date, int]] = []
    for inst in insts:
        iid = inst["id"]
        by_day = calc.seconds_by_day(
            inst["tz"],
            weekly.get(iid, []),
            exceptions.get(iid, []),
            blocks.get(iid, []),
            retired_at=inst["retired_at"],
        )
        records.extend((iid, day, secs) for day, secs in by_day.items() if secs > 0)
    await conn.copy_records_to_table(
        "metrics_day", records=records, columns=["instrument_id", "day", "available_s"]
    )
