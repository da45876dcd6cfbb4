"""Booking throughput: the HTTP API against raw asyncpg inserts, in one run.

Creates a fresh database on the server named by `DATABASE_URL` (dropped at the end) and starts
uvicorn (one worker) on 127.0.0.1 with a free port. N clients (`BENCH_CLIENTS`, default 32) each
create `BENCH_PER_CLIENT` non-conflicting bookings over keep-alive HTTP, each client on its own
instrument. Then the same number of bookings go in through raw asyncpg with the same exclusion
constraint and the same per-instrument advisory lock (no rules, history or outbox). Prints both
rates, their ratio and the HTTP p50/p99 latency. Clients speak plain keep-alive HTTP/1.1 over
asyncio streams (`bench/_http.py`).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_database  # noqa: E402
from bench._http import KeepAliveClient  # noqa: E402
from bench._report import result  # noqa: E402
from bench._server import running_server  # noqa: E402
from service.accounts.secrets import digest, new_secret  # noqa: E402
from service.db import LOCK_INSTRUMENT, Database  # noqa: E402
from service.demo.reference import seed_reference  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "40"))
WARMUP = 3
_START = asyncio.Event()
_WARMED = asyncio.Event()
_WARM: list[int] = []


async def _setup(url: str) -> tuple[list[tuple[int, str]], int]:
    """One institution; per client a user with a token and an instrument without limits."""
    db = Database(url, 1, 4)
    await db.connect()
    await seed_reference(db)
    inst = await db.fetchval(
        "INSERT INTO institution (code, name_zh, name_en, kind, region_code) "
        "VALUES ('bench', '基准', 'Bench', 'university', '220100') RETURNING id"
    )
    clients = []
    for i in range(CLIENTS * 2):
        instrument = await db.fetchval(
            "INSERT INTO instrument (institution_id, name_zh, category_code, original_value) "
            "VALUES ($1, $2, '0102', 100) RETURNING id",
            inst,
            f"仪器{i}",
        )
        await db.execute(
            "INSERT INTO booking_policy (instrument_id, min_notice_minutes, approval, horizon_days, "
            "max_minutes) VALUES ($1, 0, 'none', 730, 600)",
            instrument,
        )
        user = await db.fetchval(
            "INSERT INTO app_user (email, display_name, institution_id, password_hash) "
            "VALUES ($1, 'bench', $2, 'x') RETURNING id",
            f"bench{i}@example.org",
            inst,
        )
        # A verified member, as the bookers of these figures were before verification existed.
        await db.execute(
            "INSERT INTO membership (user_id, institution_id, state, method, decided_at) "
            "VALUES ($1, $2, 'verified', 'seed', now())",
            user,
            inst,
        )
        token = new_secret("ist_")
        await db.execute(
            "INSERT INTO api_token (user_id, name, token_hash, prefix) VALUES ($1, 'b', $2, $3)",
            user,
            digest(token),
            token[:8],
        )
        clients.append((instrument, token))
    await db.close()
    return clients, int(inst)


def _slot(k: int) -> tuple[datetime, datetime]:
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    start = base + timedelta(hours=2 * k)
    return start, start + timedelta(hours=1)


async def _http_client(port: int, instrument: int, token: str, latencies: list[float]) -> int:
    client = KeepAliveClient(port, token)
    ok = 0
    try:
        for k in range(PER_CLIENT, PER_CLIENT + WARMUP):  # prepares statements, fills caches
            start, end = _slot(k)
            body = {"instrument_id": instrument, "start": start.isoformat(), "end": end.isoformat()}
            await client.post("/api/v1/bookings", body)
        _WARM.append(instrument)
        if len(_WARM) == CLIENTS:
            _WARMED.set()
        await _START.wait()
        for k in range(PER_CLIENT):
            start, end = _slot(k)
            body = {"instrument_id": instrument, "start": start.isoformat(), "end": end.isoformat()}
            t = time.perf_counter()
            status = await client.post("/api/v1/bookings", body)
            latencies.append(time.perf_counter() - t)
            ok += status == 201
    finally:
        client.close()
    return ok


async def _raw_client(pool: asyncpg.Pool, instrument: int, user: int, inst: int) -> int:
    ok = 0
    for k in range(PER_CLIENT):
        start, end = _slot(k)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_INSTRUMENT, instrument)
            await conn.execute(
                "INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, "
                "status, booker_institution_id, booker_region_code) "
                "VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100')",
                instrument,
                user,
                start,
                end,
                inst,
            )
            ok += 1
    return ok


async def run(url: str) -> None:
    clients, inst = await _setup(url)
    async with running_server(url, pool_size=CLIENTS) as port:
        latencies: list[float] = []
        runs = [
            asyncio.create_task(_http_client(port, i, tok, latencies))
            for i, tok in clients[:CLIENTS]
        ]
        await _WARMED.wait()
        t = time.perf_counter()
        _START.set()
        created = await asyncio.gather(*runs)
        http_seconds = time.perf_counter() - t
    pool = await asyncpg.create_pool(url, min_size=CLIENTS, max_size=CLIENTS)
    users = {
        r["instrument"]: r["user"]
        for r in await pool.fetch(
            "SELECT i.id AS instrument, min(u.id) AS user FROM instrument i, app_user u GROUP BY i.id"
        )
    }
    for instrument, _ in clients[CLIENTS:]:  # the same warm-up: one statement prepare each
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", instrument)
    t = time.perf_counter()
    raw = await asyncio.gather(
        *(_raw_client(pool, i, users[i], inst) for i, _ in clients[CLIENTS:])
    )
    raw_seconds = time.perf_counter() - t
    await pool.close()
    _report(sum(created), http_seconds, sum(raw), raw_seconds, latencies)


def _report(http_n: int, http_s: float, raw_n: int, raw_s: float, latencies: list[float]) -> None:
    http_rate, raw_rate = http_n / http_s, raw_n / raw_s
    qs = statistics.quantiles(latencies, n=100)
    p50, p99 = qs[49] * 1000, qs[98] * 1000
    print(
        f"clients={CLIENTS} per_client={PER_CLIENT} (HTTP: python -m service serve, 1 worker, 127.0.0.1)"
    )
    print(f"{'path':<8}{'created':>9}{'seconds':>9}{'per s':>9}")
    print(f"{'http':<8}{http_n:>9}{http_s:>9.2f}{http_rate:>9.0f}")
    print(f"{'raw':<8}{raw_n:>9}{raw_s:>9.2f}{raw_rate:>9.0f}")
    print(
        f"ratio http/raw = {http_rate / raw_rate:.2f}   http p50 = {p50:.1f} ms   p99 = {p99:.1f} ms"
    )
    result("bookings http rate", http_rate, "/s")
    result("bookings raw rate", raw_rate, "/s")
    result("bookings http/raw", http_rate / raw_rate, "ratio", ">= 0.25")
    result("bookings http p99", p99, "ms", "< 100")


async def main() -> None:
    async with scratch_database("bookings") as url:
        await run(url)


if __name__ == "__main__":
    uvloop.run(main())
