"""Availability at scale: search across 10,000 instruments and 1,000,000 bookings (by class, and
with a search query), and the free/busy of single instruments, through the real app
(in-process ASGI).

Builds the database `is_bench_availability` on the server named by `DATABASE_URL` once and
reuses it afterwards (`BENCH_REBUILD=1` rebuilds). Prints p50/p99 latencies.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import result  # noqa: E402
from service.app import create_app  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.seed import seed_scale  # noqa: E402
from service.migrate import migrate  # noqa: E402
from service.settings import Settings  # noqa: E402

INSTRUMENTS = int(os.environ.get("BENCH_INSTRUMENTS", "10000"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "1000000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
NAME = "is_bench_availability"
#: Free-time searches with a query: broad ones (a class of thousands) and narrow ones.
QUERIES = ["电镜", "质谱", "显微镜", "TEM", "核磁", "XRD", "色谱", "液质"]
REGIONS = ["220100", "220200", "220300", "220400", "220500", "220600", "220700", "220800"]


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def prepare(server_url: str) -> str:
    url = _with_database(server_url, NAME)
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT true FROM pg_database WHERE datname = $1", NAME)
        if exists and os.environ.get("BENCH_REBUILD"):
            await conn.execute(f'DROP DATABASE "{NAME}" WITH (FORCE)')
            exists = False
        if not exists:
            await conn.execute(f'CREATE DATABASE "{NAME}"')
    finally:
        await conn.close()
    migrate(url)
    db = Database(url, 1, 4)
    await db.connect()
    try:
        have = await db.fetchval("SELECT count(*) FROM instrument")
        if have < INSTRUMENTS:
            started = time.perf_counter()
            # In fiftieths: one COPY of a million rows outlasts the pool's 30 s command timeout.
            missing = INSTRUMENTS - have
            remaining = max(0, BOOKINGS - await db.fetchval("SELECT count(*) FROM booking"))
            for part in range(50):
                count = missing // 50 + (1 if part < missing % 50 else 0)
                if count:
                    await seed_scale(db, count, remaining * count // missing)
            await db.execute("ANALYZE")
            print(
                f"seeded {INSTRUMENTS - have} instruments, {BOOKINGS} bookings "
                f"in {time.perf_counter() - started:.0f} s"
            )
    finally:
        await db.close()
    return url


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


async def timed(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    response = await client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code} {response.text[:300]}")
    body = response.json()
    return elapsed, int(body.get("total", len(body.get("busy", []))))


def window(rng: random.Random, now: datetime, hours: tuple[int, int]) -> tuple[str, str]:
    start = now + timedelta(minutes=30 * rng.randrange(0, 48 * 14))
    end = start + timedelta(minutes=30 * rng.randrange(hours[0] * 2, hours[1] * 2 + 1))
    return start.isoformat(), end.isoformat()


async def run(url: str) -> None:
    settings = Settings(
        database_url=url, environment="test", secret_key="bench", scheduler_enabled=False
    )
    db = Database(url, 2, 4)
    await db.connect()
    rng = random.Random(7)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    try:
        categories = [
            r["category_code"]
            for r in await db.fetch("SELECT DISTINCT category_code FROM instrument")
        ]
        classes = sorted({c[:2] for c in categories})
        ids = [
            r["id"] for r in await db.fetch("SELECT id FROM instrument ORDER BY random() LIMIT 500")
        ]
        app = create_app(settings, db=db)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            search: list[float] = []
            found: list[int] = []
            for n in range(SAMPLES):
                start, end = window(rng, now, (1, 4))
                category = rng.choice(classes) if n % 2 else rng.choice(categories)
                params = {
                    "start": start,
                    "end": end,
                    "category": category,
                    "region": rng.choice(REGIONS),
                    "page_size": "20",
                }
                elapsed, total = await timed(client, "/api/v1/availability/search", params)
                search.append(elapsed)
                found.append(total)
            matched: list[float] = []
            for n in range(SAMPLES // 2):
                start, end = window(rng, now, (1, 4))
                params = {
                    "start": start,
                    "end": end,
                    "q": QUERIES[n % len(QUERIES)],
                    "region": rng.choice(REGIONS),
                    "page_size": "20",
                }
                elapsed, _ = await timed(client, "/api/v1/availability/search", params)
                matched.append(elapsed)
            single: list[float] = []
            for n in range(SAMPLES):
                start, end = window(rng, now, (24, 24 * 7))
                elapsed, _ = await timed(
                    client,
                    f"/api/v1/instruments/{ids[n % len(ids)]}/availability",
                    {"from": start, "to": end},
                )
                single.append(elapsed)
    finally:
        await db.close()
    p50, p99 = percentiles(search)
    print(
        f"search: {SAMPLES} windows (1-4 h, half by class, half by sub-class), "
        f"median {statistics.median(found):.0f} instruments free per query"
    )
    result("availability search p50", p50, "ms")
    result("availability search p99", p99, "ms")
    p50, p99 = percentiles(matched)
    print(f"search with a query ({', '.join(QUERIES)}): {len(matched)} windows of 1-4 h")
    result("availability search with q p50", p50, "ms")
    result("availability search with q p99", p99, "ms")
    p50, p99 = percentiles(single)
    print(f"single instrument: {SAMPLES} windows of 1-7 days")
    result("instrument availability p50", p50, "ms")
    result("instrument availability p99", p99, "ms")


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    url = await prepare(server)
    await run(url)


if __name__ == "__main__":
    asyncio.run(main())
