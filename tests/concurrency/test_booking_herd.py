"""A herd of clients on one instrument through the HTTP app: never an overlap, never a 500.

Each client has its own pooled connection (the pool is sized for the herd), so the exclusion
constraint and the advisory lock are exercised by truly concurrent transactions.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.bookings_support import OVERLAPS, body, future_day, local, make_world
from tests.factories import UserHandle, make_user

CLIENTS = 40
ATTEMPTS = 25
SEEDS = list(range(int(os.environ.get("BOOKING_HERD_SEEDS", "3"))))


@pytest.fixture(scope="module")
async def herd_client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    pool = Database(settings.database_url or "", min_size=CLIENTS, max_size=CLIENTS)
    await pool.connect()
    app = create_app(settings, db=pool)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await pool.close()


async def _client_run(
    client: httpx.AsyncClient, user: UserHandle, instrument: int, rng: random.Random, day: object
) -> list[int]:
    statuses = []
    for _ in range(ATTEMPTS):
        hour = rng.randrange(0, 22)
        minute = rng.choice([0, 0, 0, 30, 15])  # 15 breaks the 30-minute grid: a 422
        start = local(day, hour, minute)  # type: ignore[arg-type]
        end = start + timedelta(minutes=rng.choice([30, 60, 90, 120]))
        response = await client.post(
            "/api/v1/bookings", json=body(instrument, start, end), headers=user.headers
        )
        statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize("seed", SEEDS)
async def test_herd_never_double_books(
    herd_client: httpx.AsyncClient, db: Database, seed: int
) -> None:
    w = await make_world(db, approval="external", buffer_minutes=rng_buffer(seed))
    users = [w.insider, w.outsider, w.manager, w.enterprise]
    users += [await make_user(db, w.owner) for _ in range(CLIENTS - len(users))]
    rng = random.Random(seed)
    day = future_day(20 + seed)
    results = await asyncio.gather(
        *(
            _client_run(herd_client, users[i], w.instrument, random.Random(rng.random()), day)
            for i in range(CLIENTS)
        )
    )
    counts = Counter(s for statuses in results for s in statuses)
    assert sum(counts.values()) == CLIENTS * ATTEMPTS
    assert set(counts) <= {201, 409, 422, 503}, counts
    assert counts[201] > 0 and counts[409] > 0
    rows = await db.fetchval(
        "SELECT count(*) FROM booking WHERE instrument_id = $1 AND kind = 'booking'", w.instrument
    )
    assert rows == counts[201]
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


def rng_buffer(seed: int) -> int:
    return [0, 15, 30][seed % 3]
