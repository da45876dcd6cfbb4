"""Search: relevance on the demo catalogue, latency at national scale.

1. Relevance: the queries of `tests/search_relevance.py` against the demo data set (its own
   database, built on first use and kept as `is_bench_search_demo`): mean recall@20 and
   precision@10.
2. Latency: the same queries (and their pages 2) through `GET /api/v1/instruments` in-process
   (ASGI), on 100,000 synthetic instruments made by the `seed --scale` machinery (database
   `is_bench_search`, built once and kept; `BENCH_REBUILD=1` rebuilds), the suggestions
   endpoint with prefixes of the same queries, and the free-time search
   (`GET /api/v1/availability/search`) with the same queries. Prints p50/p99.
3. Bad input at the same scale: a 200-character mixed-script query, SQL and regular-expression
   metacharacters, punctuation alone, 500 characters; each must answer 200 (or 422 naming the
   limit) quickly. Prints the status and the slowest of the runs of each.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._report import result  # noqa: E402
from service.app import create_app  # noqa: E402
from service.catalog import instruments  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.seed import seed_demo, seed_scale  # noqa: E402
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
        # A live database is vacuumed by autovacuum; a benchmark server may run without it
        # (CI's does), and the seeding and indexing leave a dead version of every row behind.
        await db.execute("VACUUM ANALYZE")
    finally:
        await db.close()
    return url


def _pct(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


#: The free-time search's window: far enough ahead that nothing is booked there.
FREE_WINDOW = {"start": "2031-03-04T09:00:00+08:00", "end": "2031-03-04T11:00:00+08:00"}

#: Bad input: name -> query. The 200-character one mixes Han, Latin, Cyrillic, half-width kana,
#: a mathematical letter and digits; the others are metacharacters of SQL, LIKE, regular
#: expressions and tsquery.
_MIXED = "透射电镜TEM микроскоп ﾃｽﾄ 𝔸 LC-MS/MS 600MHz 核磁共振 X射线衍射仪 "
BAD_INPUT = {
    "200 chars, mixed scripts": (_MIXED * 8)[:200],
    "200 chars, one Han run": "电" * 200,
    "SQL": "'; DROP TABLE instrument; --",
    "LIKE": "%_%",
    "regex": ".*(a|b)+$ [^x]{2,} \\d+",
    "tsquery": "a & !b | (c <-> d) :* 'e'",
    "quotes and comments": "\\ ' \" ` ; -- /* */",
    "punctuation alone": "!!! ，。？",
    "500 chars": "x" * 500,
}


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> float:
    t = time.perf_counter()
    r = await client.get(path, params=params)
    elapsed = (time.perf_counter() - t) * 1000
    assert r.status_code == 200, r.text
    return elapsed


async def _round(client: httpx.AsyncClient, out: dict[str, list[float]]) -> None:
    for case in CASES:
        for page in (1, 2):
            params = {"q": case.query, "page": page}
            out["search"].append(await _timed(client, "/api/v1/instruments", params))
        prefix = case.query[: max(1, len(case.query) * 2 // 3)]
        out["suggest"].append(await _timed(client, "/api/v1/search/suggestions", {"q": prefix}))
        params = {"q": case.query, "region": "220100", **FREE_WINDOW}
        out["free"].append(await _timed(client, "/api/v1/availability/search", params))


async def _bad_input(client: httpx.AsyncClient) -> None:
    paths = {
        "catalogue": ("/api/v1/instruments", {}),
        "suggestions": ("/api/v1/search/suggestions", {}),
        "free time": ("/api/v1/availability/search", FREE_WINDOW),
    }
    worst = 0.0
    for name, q in BAD_INPUT.items():
        figures = []
        for label, (path, extra) in paths.items():
            times, statuses = [], set()
            for _ in range(5):
                t = time.perf_counter()
                r = await client.get(path, params={"q": q, **extra})
                times.append((time.perf_counter() - t) * 1000)
                statuses.add(r.status_code)
            assert statuses <= {200, 422}, (name, label, statuses)
            figures.append(f"{label} {'/'.join(map(str, sorted(statuses)))} {max(times):.1f} ms")
            worst = max(worst, max(times))
        print(f"  bad input {name!r:<28} " + "; ".join(figures))
    result("bad input, slowest answer, 100k instruments", worst, "ms", "< 60")


async def latency() -> None:
    url = await _scale()
    settings = Settings(
        database_url=url, environment="test", secret_key="bench", scheduler_enabled=False
    )
    db = Database(url, 2, 4)
    await db.connect()
    app = create_app(settings, db=db)
    samples: dict[str, list[float]] = {"search": [], "suggest": [], "free": []}
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            total = await db.fetchval(
                "SELECT count(*) FROM instrument_search WHERE dictionary <> ''"
            )
            await _round(client, {k: [] for k in samples})  # warms caches
            for _ in range(ROUNDS):
                await _round(client, samples)
            await _bad_input(client)
    finally:
        await db.close()
    print(
        f"{total} indexed instruments; {len(samples['search'])} searches, "
        f"{len(samples['suggest'])} suggestions, {len(samples['free'])} free-time searches"
    )
    for key, label, goals in (
        ("search", "search", ("< 20", "< 60")),
        ("suggest", "suggestions", ("< 10", "< 10")),
        ("free", "free-time search (q, 2 h window)", ("", "")),
    ):
        p50, p99 = _pct(samples[key])
        print(f"{label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(samples[key]):.1f} ms")
        result(f"{label} p50, 100k instruments (HTTP, in-process)", p50, "ms", goals[0])
        result(f"{label} p99, 100k instruments", p99, "ms", goals[1])


async def main() -> None:
    logging.disable(logging.WARNING)
    await relevance()
    await latency()


if __name__ == "__main__":
    asyncio.run(main())
