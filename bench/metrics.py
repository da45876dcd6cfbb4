"""Metrics at scale: roll-up time for a year, the dirty-day roll-up of one late change, and
API latency per grouping and of the evaluation and monitoring reports.

Generates a database with 10,000 instruments and 1,000,000 usage sessions over 2025 (loaded
with COPY) and rolls the year up, then times the sharing API for each grouping through the real
app. Generating and rolling up take minutes, so the database is kept (`--db`, default
`bench_metrics_data`) and reused by later runs: they only apply new migrations, roll the year up
again when the roll-up code changed since, and time the API. `BENCH_METRICS_REBUILD=1` drops
and regenerates it; `--drop` removes it at the end.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.metrics
    [--instruments 10000] [--sessions 1000000] [--bookings 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from bench._report import result
from service.accounts.secrets import digest, new_secret
from service.app import create_app
from service.db import Database
from service.demo.reference import seed_reference
from service.metrics import query, rollup, sql
from service.metrics.dirty import rollup_dirty
from service.metrics.rollup import rebuild
from service.migrate import migrate
from service.settings import Settings

REGIONS = [
    "220100",
    "220200",
    "220300",
    "220400",
    "220500",
    "220600",
    "220700",
    "220800",
    "222400",
    "RU-VVO",
]
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC) - timedelta(hours=8)


async def generate(
    conn: asyncpg.Connection, n_inst: int, n_sessions: int, n_bookings: int, rnd: random.Random
) -> int:
    n_institutions = 100
    await conn.copy_records_to_table(
        "institution",
        records=[
            (f"bench-{i}", f"单位{i}", f"Institution {i}", "university", REGIONS[i % len(REGIONS)])
            for i in range(n_institutions)
        ],
        columns=["code", "name_zh", "name_en", "kind", "region_code"],
    )
    insts = [
        (r["id"], r["region_code"])
        for r in await conn.fetch("SELECT id, region_code FROM institution ORDER BY id")
    ]
    cats = [
        r["code"]
        for r in await conn.fetch("SELECT code FROM category WHERE parent_code IS NOT NULL")
    ]
    owners = [insts[rnd.randrange(len(insts))] for _ in range(n_inst)]
    await conn.copy_records_to_table(
        "instrument",
        records=[
            (
                o[0],
                f"仪器{i}",
                f"Instrument {i}",
                rnd.choice(cats),
                Decimal(rnd.choice([60, 120, 350, 800, 1500])),
                rnd.choice(["general"] * 4 + ["special"]),
                rnd.choice(["external"] * 3 + ["internal", "none"]),
            )
            for i, o in enumerate(owners)
        ],
        columns=[
            "institution_id",
            "name_zh",
            "name_en",
            "category_code",
            "original_value",
            "instrument_type",
            "share_mode",
        ],
    )
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM instrument ORDER BY id")]
    hours = [
        (
            i,
            d,
            dtime(8),
            dtime(18),
        )
        for i in ids[: int(len(ids) * 0.6)]
        for d in range(1, 6)
    ]
    await conn.copy_records_to_table(
        "opening_hours", records=hours, columns=["instrument_id", "weekday", "opens", "closes"]
    )
    region = dict(insts)
    owner_of = {iid: o for iid, o in zip(ids, owners, strict=True)}
    # Each instrument serves its own institution and a handful of regular outside users.
    pools = {
        iid: [owner_of[iid][0]] * 3 + [insts[rnd.randrange(len(insts))][0] for _ in range(8)]
        for iid in ids
    }

    # Sessions of one instrument never overlap (a database constraint): each instrument gets
    # its share of sessions at distinct quarter-hours of the year, each ending by the next start.
    counts = [0] * len(ids)
    for _ in range(n_sessions):
        counts[rnd.randrange(len(ids))] += 1
    slots = 365 * 24 * 4

    def rows() -> Iterator[tuple[Any, ...]]:
        for iid, count in zip(ids, counts, strict=True):
            owner, owner_region = owner_of[iid]
            starts = sorted(rnd.sample(range(slots), min(count, slots)))
            for n, slot in enumerate(starts):
                start = YEAR_START + timedelta(minutes=15 * slot)
                limit = starts[n + 1] if n + 1 < len(starts) else slots
                end = start + timedelta(
                    minutes=min(rnd.randrange(30, 8 * 60, 15), 15 * (limit - slot))
                )
                user_inst = rnd.choice(pools[iid])
                yield (
                    iid,
                    user_inst,
                    region[user_inst],
                    user_inst != owner,
                    region[user_inst] != owner_region,
                    start,
                    end,
                    rnd.choice(["occupy", "technical", "entrusted", "remote"]),
                )

    # Bulk loading: the triggers that mark dirty days are off for this connection (the year is
    # rolled up afterwards anyway); the constraints still hold.
    await conn.execute("SET session_replication_role = replica")
    await conn.copy_records_to_table(
        "usage_session",
        records=rows(),
        columns=[
            "instrument_id",
            "user_institution_id",
            "user_region_code",
            "is_external",
            "is_cross_region",
            "started_at",
            "ended_at",
            "service_way",
        ],
    )
    user_id = await conn.fetchval(
        "INSERT INTO app_user (email, display_name, institution_id, password_hash) VALUES ('b@bench.org', 'b', $1, 'x') RETURNING id",
        insts[0][0],
    )
    statuses = ["completed"] * 8 + ["no_show", "cancelled"]
    await conn.copy_records_to_table(
        "booking",
        records=(
            (
                ids[rnd.randrange(len(ids))],
                user_id,
                s,
                s + timedelta(hours=2),
                s + timedelta(hours=2),
                rnd.choice(statuses),
                insts[0][0],
                insts[0][1],
            )
            for s in (
                YEAR_START + timedelta(minutes=rnd.randrange(0, 365 * 24 * 60, 30))
                for _ in range(n_bookings)
            )
        ),
        columns=[
            "instrument_id",
            "user_id",
            "starts_at",
            "ends_at",
            "occupied_until",
            "status",
            "booker_institution_id",
            "booker_region_code",
        ],
    )
    await conn.execute("ANALYZE")
    return int(user_id)


async def time_api(db: Database, settings: Settings, user_id: int, repeat: int) -> None:
    token = new_secret("ist_")
    await db.execute("UPDATE app_user SET is_platform_admin = true WHERE id = $1", user_id)
    await db.execute(
        "INSERT INTO api_token (user_id, name, token_hash, prefix) VALUES ($1, 'bench', $2, 'ist_')",
        user_id,
        digest(token),
    )
    app = create_app(settings, db=db)
    headers = {"Authorization": f"Bearer {token}"}
    ranges = {
        "calendar year 2025": ("2025-01-01", "2026-01-01"),
        "year 2025-03-15..2026-03-15": ("2025-03-15", "2026-03-15"),
        "2025-02-10..2025-11-20": ("2025-02-10", "2025-11-20"),
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bench",
    ) as client:
        for label, (lo, hi) in ranges.items():
            print(f"API latency, {label} (median / max of {repeat}, ms):")
            for group in ("instrument", "institution", "region", "category", "month", "year"):
                times = []
                for _ in range(repeat + 1):
                    t = time.perf_counter()
                    r = await client.get(
                        "/api/v1/metrics/sharing",
                        params={"from": lo, "to": hi, "group_by": group},
                        headers=headers,
                    )
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                times = times[1:]  # the first call warms caches and prepares statements
                median = statistics.median(times)
                print(f"  {group:<12} {median:7.1f} / {max(times):7.1f}   rows={r.json()['total']}")
                result(f"metrics {group} ({label})", median, "ms", "< 200")
            t = time.perf_counter()
            r = await client.get(
                "/api/v1/metrics/flows", params={"from": lo, "to": hi}, headers=headers
            )
            print(f"  {'flows':<12} {(time.perf_counter() - t) * 1000:7.1f}")
        await time_reports(db, client, headers, repeat)


async def _median_ms(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    repeat: int,
) -> tuple[float, float]:
    times = []
    for _ in range(repeat + 1):
        t = time.perf_counter()
        r = await client.get(url, params=params, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    times = times[1:]
    return statistics.median(times), max(times)


async def time_reports(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str], repeat: int
) -> None:
    """The evaluation ratios of one institution and the monitoring report of everything."""
    year = {"from": "2025-01-01", "to": "2026-01-01"}
    institution = await db.fetchval("SELECT min(id) FROM institution WHERE code LIKE 'bench-%'")
    print(f"API latency of the reports, calendar year 2025 (median / max of {repeat}, ms):")
    for name, url in (
        ("evaluation of one institution", f"/api/v1/metrics/institutions/{institution}/evaluation"),
        ("monitoring report (JSON)", "/api/v1/metrics/monitoring"),
        ("monitoring report (CSV)", "/api/v1/metrics/monitoring.csv"),
    ):
        median, worst = await _median_ms(client, url, year, headers, repeat)
        print(f"  {name:<32} {median:7.1f} / {worst:7.1f}")
        result(f"metrics {name}", median, "ms", "< 200")


async def time_dirty_day(db: Database, repeat: int) -> None:
    """A session of an old day corrected (the trigger marks the day), then the roll-up job's
    dirty pass recomputes that one instrument-day with its month and year."""
    row = await db.fetchrow(
        """SELECT s.id FROM usage_session s
           WHERE s.started_at >= '2025-06-15 00:00+08' AND s.ended_at < '2025-06-16 00:00+08'
           ORDER BY s.id LIMIT 1"""
    )
    assert row is not None, "no session on 2025-06-15"
    await db.execute("DELETE FROM metrics_dirty_day")
    marks, times = [], []
    for k in range(repeat + 1):  # the first run prepares statements; it is not counted
        t = time.perf_counter()
        await db.execute(
            "UPDATE usage_session SET samples = samples + 1, ended_at = ended_at + $2 WHERE id = $1",
            row["id"],
            timedelta(minutes=-1 if k % 2 else 1),
        )
        marks.append((time.perf_counter() - t) * 1000)
        dirty = await db.fetchval("SELECT count(*) FROM metrics_dirty_day")
        t = time.perf_counter()
        written = await rollup_dirty(db, datetime.now(UTC), date(2026, 1, 1))
        times.append(time.perf_counter() - t)
        assert await db.fetchval("SELECT count(*) FROM metrics_dirty_day") == 0
    marks, times = marks[1:], times[1:]
    print(
        f"dirty-day roll-up of one corrected session ({dirty} instrument-day, {written} written): "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
        f"the correction with its trigger: median {statistics.median(marks):.1f} ms"
    )
    result("metrics dirty-day roll-up of one changed day", statistics.median(times), "s", "< 1")


def _fingerprint(args: argparse.Namespace) -> str:
    """Changes when the data set's size or the roll-up's code does: then the year is rolled
    up again."""
    h = hashlib.sha256(f"{args.instruments}/{args.sessions}/{args.bookings}".encode())
    for module in (rollup, sql, query):
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()[:16]


async def _prepare(admin: asyncpg.Connection, url: str, name: str) -> bool:
    """Create the database unless a complete one is kept; True when data must be generated."""
    rebuild_all = os.environ.get("BENCH_METRICS_REBUILD", "") not in ("", "0")
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if exists and not rebuild_all:
        conn = await asyncpg.connect(url)
        try:
            done = await conn.fetchval("SELECT to_regclass('bench_state') IS NOT NULL")
        finally:
            await conn.close()
        if done:
            return False
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    return True


async def _generate(db: Database, url: str, args: argparse.Namespace) -> None:
    await seed_reference(db)
    t = time.perf_counter()
    conn = await asyncpg.connect(url)  # no command timeout: COPY of a million rows
    try:
        user_id = await generate(
            conn, args.instruments, args.sessions, args.bookings, random.Random(7)
        )
        await conn.execute(
            "CREATE TABLE bench_state (user_id bigint NOT NULL, rollup text NOT NULL)"
        )
        await conn.execute("INSERT INTO bench_state VALUES ($1, '')", user_id)
    finally:
        await conn.close()
    took = time.perf_counter() - t
    print(
        f"generated {args.instruments} instruments, {args.sessions} sessions, {args.bookings} bookings in {took:.1f} s"
    )


async def _roll_up(db: Database, fingerprint: str) -> None:
    if await db.fetchval("SELECT rollup FROM bench_state") == fingerprint:
        print("roll-up of 2025: kept from an earlier run (same roll-up code)")
    else:
        t = time.perf_counter()
        days = await rebuild(db, date(2025, 1, 1), date(2026, 1, 1))
        took = time.perf_counter() - t
        print(f"roll-up of 2025: {took:.1f} s ({days} instrument-days)")
        result("metrics roll-up of a year", took, "s")
        await db.execute("UPDATE bench_state SET rollup = $1", fingerprint)
        conn = await asyncpg.connect(db.url)  # no command timeout: a vacuum of millions of rows
        try:
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
    t = time.perf_counter()
    await rebuild(db, date(2025, 6, 1), date(2025, 6, 3))
    took = time.perf_counter() - t
    print(f"roll-up of two days (nightly job): {took:.1f} s")
    result("metrics roll-up of two days", took, "s")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instruments", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="bench_metrics_data", help="database kept between runs")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    name = args.db
    url = urlunsplit(urlsplit(server)._replace(path="/" + name))
    admin = await asyncpg.connect(server)
    try:
        fresh = await _prepare(admin, url, name)
        migrate(url)
        db = Database(url, 2, 8)
        await db.connect()
        try:
            if fresh:
                await _generate(db, url, args)
            await _roll_up(db, _fingerprint(args))
            await time_dirty_day(db, args.repeat)
            user_id = int(await db.fetchval("SELECT user_id FROM bench_state"))
            settings = Settings(database_url=url, environment="test", scheduler_enabled=False)
            await time_api(db, settings, user_id, args.repeat)
        finally:
            await db.close()
    finally:
        if args.drop:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
