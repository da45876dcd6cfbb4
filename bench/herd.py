"""Conflict herd: many clients race for the same few slots of one instrument through the HTTP
API (one uvicorn worker). Prints the time to settle 1,000 attempts, the outcome counts and the
latency tail; the database must end with no overlap (checked here too)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_database  # noqa: E402
from bench._http import KeepAliveClient  # noqa: E402
from bench._report import result  # noqa: E402
from bench._server import running_server  # noqa: E402
from service.accounts.secrets import digest, new_secret  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.reference import seed_reference  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_HERD_CLIENTS", "64"))
ATTEMPTS = int(os.environ.get("BENCH_HERD_ATTEMPTS", "1000"))
SLOTS = 12


async def _setup(url: str) -> tuple[int, list[str]]:
    db = Database(url, 1, 2)
    await db.connect()
    await seed_reference(db)
    inst = await db.fetchval(
        "INSERT INTO institution (code, name_zh, name_en, kind, region_code) "
        "VALUES ('herd', '基准', 'Herd', 'university', '220100') RETURNING id"
    )
    instrument = await db.fetchval(
        "INSERT INTO instrument (institution_id, name_zh, category_code, original_value) "
        "VALUES ($1, '热门质谱仪', '0102', 900) RETURNING id",
        inst,
    )
    await db.execute(
        "INSERT INTO booking_policy (instrument_id, min_notice_minutes, approval, horizon_days,"
        " buffer_minutes) VALUES ($1, 0, 'none', 365, 15)",
        instrument,
    )
    tokens = []
    for i in range(CLIENTS):
        user = await db.fetchval(
            "INSERT INTO app_user (email, display_name, institution_id, password_hash) "
            "VALUES ($1, 'herd', $2, 'x') RETURNING id",
            f"herd{i}@example.org",
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
        tokens.append(token)
    await db.close()
    return int(instrument), tokens


async def _racer(
    port: int,
    token: str,
    instrument: int,
    n: int,
    rng: random.Random,
    outcomes: list[int],
    latencies: list[float],
) -> None:
    client = KeepAliveClient(port, token)
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    try:
        for _ in range(n):
            start = base + timedelta(minutes=30 * rng.randrange(SLOTS))
            end = start + timedelta(minutes=30 * rng.choice((1, 2, 3)))
            body = {"instrument_id": instrument, "start": start.isoformat(), "end": end.isoformat()}
            t = time.perf_counter()
            outcomes.append(await client.post("/api/v1/bookings", body))
            latencies.append(time.perf_counter() - t)
    finally:
        client.close()


async def run(url: str) -> None:
    instrument, tokens = await _setup(url)
    async with running_server(url, pool_size=32) as port:
        outcomes: list[int] = []
        latencies: list[float] = []
        rng = random.Random(2026)
        per = [ATTEMPTS // CLIENTS + (i < ATTEMPTS % CLIENTS) for i in range(CLIENTS)]
        start = time.perf_counter()
        await asyncio.gather(
            *(
                _racer(port, tok, instrument, n, random.Random(rng.random()), outcomes, latencies)
                for tok, n in zip(tokens, per, strict=True)
            )
        )
        elapsed = time.perf_counter() - start
    conn = await asyncpg.connect(url)
    overlaps = await conn.fetchval(
        "SELECT count(*) FROM booking a JOIN booking b ON a.instrument_id = b.instrument_id "
        "AND a.id < b.id AND tstzrange(a.starts_at, a.occupied_until) && "
        "tstzrange(b.starts_at, b.occupied_until) WHERE a.status IN ('pending','confirmed') "
        "AND b.status IN ('pending','confirmed')"
    )
    await conn.close()
    counts = {s: outcomes.count(s) for s in sorted(set(outcomes))}
    qs = statistics.quantiles(latencies, n=100)
    print(f"{CLIENTS} clients, {ATTEMPTS} attempts on {SLOTS} half-hour slots of one instrument")
    print(f"settled in {elapsed:.2f} s; outcomes {counts}; overlaps {overlaps}")
    print(f"p50 {qs[49] * 1000:.1f} ms  p99 {qs[98] * 1000:.1f} ms")
    if overlaps or any(s >= 500 and s != 503 for s in outcomes):
        raise SystemExit("herd broke an invariant")
    result(f"conflict herd: {ATTEMPTS} attempts settled", elapsed, "s")
    result("conflict herd p99", qs[98] * 1000, "ms")


async def main() -> None:
    async with scratch_database("herd") as url:
        await run(url)


if __name__ == "__main__":
    asyncio.run(main())
