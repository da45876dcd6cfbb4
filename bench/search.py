"""Search: relevance on the demo catalogue, latency at national scale.

1. Relevance: the queries of `tests/search_relevance.py` against the demo data set (its own
   database, built on first use and kept as `is_bench_search_demo`): mean recall@20 and
   precision@10.
2. Latency: the same queries (and their pages 2) through `GET /api/v1/instruments` in-process
   (ASGI), on 100,000 synthetic instruments made by the `seed --scale` machinery (database
   `is_bench_search`, built once and kept; `BENCH_REBUILD=1` rebuilds), and the suggestions
   endpoint with prefixes of the same queries. Prints p50/p99.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._report import result  # noqa: E402
from service.app import create_app  # noqa: E402
from service.catalog import instruments  # noqa: E402
from service.catalog.seed import seed_demo, seed_scale  # noqa: E402
from service.db import Database  # noqa: E402
from service.migrate import migrate  # noqa: E402
from service.search import index  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.search_relevance import CASES, DEMO, score  # noqa: E402

SERVER = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
INSTRUMENTS = int(os.environ.get("BENCH_SEARCH_INSTRUMENTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "3"))
PART = 5000


def _url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER)._replace(path="/" + name))


async def _database(name: str) -> tuple[str, bool]:
    conn = await asyncpg.connect(SERVER)
    try:
        exists = await conn.fetchval("SELECT true FROM pg_database WHERE datname = $1", name)
        if exists and os.environ.get("BENCH_REBUILD"):
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = _url(name)
    migrate(url)
    return url, not exists


async def relevance() -> None:
    url, _ = await _database("is_bench_search_demo")
    db = Database(url, 1, 4)
    await db.connect()
    try:
        await seed_demo(db)
        await index.refresh(db)
        rows = await db.fetch(
            "SELECT i.id FROM instrument i JOIN institution s ON s.id = i.institution_id "
            "WHERE s.code NOT LIKE 'scale-%' ORDER BY i.id"
        )
        by_id = {r["id"]: plan for r, plan in zip(rows, DEMO, strict=True)}
        scores = []
        for case in CASES:
            page = await instruments.list_instruments(db, {"q": case.query}, 1, 40)
            ranked = [by_id[i.id] for i in page.items if i.id in by_id]
            scores.append(score(case, ranked))
    finally:
        await db.close()
    kinds = sorted({s.case.kind for s in scores})
    for kind in kinds:
        mine = [s for s in scores if s.case.kind == kind]
        print(
            f"  {kind:<13} {len(mine):>3} queries  recall@20 "
            f"{statistics.mean(s.recall for s in mine):.3f}  precision@10 "
            f"{statistics.mean(s.precision for s in mine):.3f}"
        )
    for s in scores:
        if s.recall < 1 or s.precision < 1:
            print(f"  {s.case.query!r}: recall {s.recall:.2f} precision {s.precision:.2f}")
    print(f"{len(scores)} queries on the demo catalogue ({len(DEMO)} instruments)")
    result("relevance: mean recall@20", statistics.mean(s.recall for s in scores), "", ">= 0.95")
    result(
        "relevance: mean precision@10", statistics.mean(s.precision for s in scores), "", ">= 0.9"
    )


async def _scale() -> str:
    url, _ = await _database("is_bench_search")
    db = Database(url, 1, 4)
    await db.connect()
    try:
        have = await db.fetchval("SELECT count(*) FROM instrument")
        started = time.perf_counter()
        while have < INSTRUMENTS:
            count = min(PART, INSTRUMENTS - have)
            await seed_scale(db, count)
            have += count
            print(
                f"  seeded {have} instruments ({time.perf_counter() - started:.0f} s)", flush=True
            )
        await index.refresh(db)
        await db.execute("ANALYZE")
    finally:
        await db.close()
    return url


def _pct(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def latency() -> None:
    url = await _scale()
    settings = Settings(
        database_url=url, environment="test", secret_key="bench", scheduler_enabled=False
    )
    db = Database(url, 2, 4)
    await db.connect()
    app = create_app(settings, db=db)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            total = await db.fetchval("SELECT count(*) FROM instrument_search")
            searches: list[float] = []
            suggestions: list[float] = []
            for round_no in range(ROUNDS + 1):
                for case in CASES:
                    for page in (1, 2):
                        t = time.perf_counter()
                        r = await client.get(
                            "/api/v1/instruments", params={"q": case.query, "page": page}
                        )
                        searches.append((time.perf_counter() - t) * 1000)
                        assert r.status_code == 200, r.text
                    prefix = case.query[: max(1, len(case.query) * 2 // 3)]
                    t = time.perf_counter()
                    r = await client.get("/api/v1/search/suggestions", params={"q": prefix})
                    suggestions.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text
                if round_no == 0:  # the first round warms caches
                    searches.clear()
                    suggestions.clear()
    finally:
        await db.close()
    p50, p99 = _pct(searches)
    s50, s99 = _pct(suggestions)
    print(f"{total} indexed instruments; {len(searches)} searches, {len(suggestions)} suggestions")
    print(
        f"search p50 {p50:.1f} ms p99 {p99:.1f} ms; suggestions p50 {s50:.1f} ms p99 {s99:.1f} ms"
    )
    result("search p50, 100k instruments (HTTP, in-process)", p50, "ms", "< 20")
    result("search p99, 100k instruments", p99, "ms", "< 60")
    result("suggestions p50, 100k instruments", s50, "ms", "< 10")
    result("suggestions p99, 100k instruments", s99, "ms", "")


async def main() -> None:
    logging.disable(logging.WARNING)
    await relevance()
    await latency()


if __name__ == "__main__":
    asyncio.run(main())
