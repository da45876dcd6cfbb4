"""Time to serve calendar feeds through the ASGI app: 1,000 and 10,000 events, cold and warm
event cache, and the 304 path. Creates its own database and drops it afterwards.

    DATABASE_URL=postgresql://user@host/postgres python -m bench.feeds
(without DATABASE_URL the embedded PostgreSQL is used)
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import result  # noqa: E402
from service.accounts.secrets import digest, new_secret  # noqa: E402
from service.app import create_app  # noqa: E402
from service.calendars.cache import EVENT_CACHE  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.reference import seed_reference  # noqa: E402
from service.embedded_db import ensure_database_url  # noqa: E402
from service.migrate import migrate  # noqa: E402
from service.settings import Settings  # noqa: E402

INSTRUMENTS = 20

SEED = """
WITH inst AS (
    INSERT INTO institution (code, name_zh, name_en, kind, region_code)
    VALUES ('bench-inst', '基准大学', 'Bench University', 'university', '220100') RETURNING id
)
INSERT INTO instrument (institution_id, name_zh, name_en, category_code, original_value, building, room)
SELECT inst.id, '基准质谱仪 ' || g, 'Bench spectrometer ' || g, '0102', 300, '化学楼', '10' || g
FROM inst, generate_series(1, $1) g
"""

BOOKINGS = """
INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status, purpose,
                     service_way, booker_institution_id, booker_region_code)
SELECT ids[1 + g % cardinality(ids)], $2, t, t + interval '1 hour', t + interval '1 hour',
       CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'confirmed' END,
       '样品分析 sample analysis #' || g, 'occupy', $4, '220100'
FROM (SELECT $5::bigint[] AS ids) i,
     generate_series(0, $1 - 1) g,
     LATERAL (SELECT date_trunc('day', now()) + interval '1 day'
                     + (g / cardinality(ids)) * $3::interval + interval '1 hour' * (g % 3)) s(t)
"""


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _user(db: Database, institution_id: int, name: str) -> int:
    return int(
        await db.fetchval(
            """INSERT INTO app_user (email, display_name, institution_id, password_hash)
           VALUES ($1, $2, $3, 'x') RETURNING id""",
            f"{name}@bench.example.org",
            name,
            institution_id,
        )
    )


async def _feed(db: Database, user_id: int) -> str:
    token = new_secret()
    await db.execute(
        "INSERT INTO feed_token (user_id, scope, target_id, token_hash) VALUES ($1, 'user', $1, $2)",
        user_id,
        digest(token),
    )
    return f"/feeds/{token}.ics"


async def _seed(db: Database) -> dict[int, str]:
    await seed_reference(db)
    await db.execute(SEED, INSTRUMENTS)
    institution = int(await db.fetchval("SELECT id FROM institution WHERE code = 'bench-inst'"))
    paths = {}
    instruments = [r["id"] for r in await db.fetch("SELECT id FROM instrument ORDER BY id")]
    half = len(instruments) // 2
    plans = (
        (1_000, timedelta(hours=12), instruments[:half]),
        (10_000, timedelta(hours=12), instruments[half:]),
    )
    for count, spacing, ids in plans:
        user = await _user(db, institution, f"bench-{count}")
        await db.execute(BOOKINGS, count, user, spacing, institution, ids)
        paths[count] = await _feed(db, user)
    await db.execute("ANALYZE")
    return paths


async def _time(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = await client.get(path + "?future_days=730", headers=headers)
    return (time.perf_counter() - start) * 1000, response


async def _measure(client: httpx.AsyncClient, count: int, path: str) -> None:
    cold = []
    for _ in range(3):
        EVENT_CACHE.clear()
        elapsed, response = await _time(client, path)
        cold.append(elapsed)
    events = response.content.count(b"BEGIN:VEVENT")
    assert response.status_code == 200 and events == count, (response.status_code, events)
    warm = [(await _time(client, path))[0] for _ in range(20)]
    etag = response.headers["etag"]
    not_modified = []
    cpu_start = time.process_time()
    for _ in range(50):
        elapsed, response = await _time(client, path, {"If-None-Match": etag})
        assert response.status_code == 304
        not_modified.append(elapsed)
    cpu_304 = (time.process_time() - cpu_start) * 1000 / 50
    print(
        f"{count:>6} events: "
        f"cold p50 {statistics.median(cold):7.1f} ms | warm p50 {statistics.median(warm):6.1f} ms "
        f"(min {min(warm):5.1f}) | 304 p50 {statistics.median(not_modified):5.2f} ms "
        f"(p90 {sorted(not_modified)[44]:5.2f}; client+server CPU {cpu_304:4.2f} ms/request)"
    )
    goal = count == 1_000
    result(f"feed {count} events, cold cache p50", statistics.median(cold), "ms")
    result(
        f"feed {count} events, warm cache p50",
        statistics.median(warm),
        "ms",
        "< 100" if goal else "",
    )
    result(f"feed {count} events, 304 p50", statistics.median(not_modified), "ms", "< 5")
    result(f"feed {count} events, 304 CPU per request", cpu_304, "ms")


async def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server_url, embedded = ensure_database_url(Path(".data") / "bench")
    server_url = os.environ.get("DATABASE_URL") or server_url
    name = "is_bench_" + uuid.uuid4().hex[:10]
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = _with_database(server_url, name)
    try:
        migrate(url)
        settings = Settings(
            database_url=url, base_url="https://bench.example.org", environment="test"
        )
        db = Database(url, 2, 5)
        await db.connect()
        try:
            paths = await _seed(db)
            app = create_app(settings, db=db)
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _time(client, paths[1_000])  # warm-up: imports, prepared statements
                for count, path in sorted(paths.items()):
                    await _measure(client, count, path)
        finally:
            await db.close()
    finally:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    asyncio.run(main())
