"""Two clients book the two configurations of one resource at the same moment: at most one
wins, every time. Each client has its own pooled connection, so the two transactions are truly
concurrent and take different instrument locks: only the database's constraint keeps them
apart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.bookings_support import book, future_day, local, make_world, set_policy
from tests.factories import make_instrument, make_user

ROUNDS = 30


@pytest.fixture(scope="module")
async def pair_client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    pool = Database(settings.database_url or "", min_size=4, max_size=4)
    await pool.connect()
    transport = httpx.ASGITransport(app=create_app(settings, db=pool))  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await pool.close()


async def test_two_clients_booking_both_configurations_at_once_at_most_one_wins(
    pair_client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    other = await make_instrument(db, w.owner)
    await set_policy(db, other, min_notice_minutes=0, approval="none")
    manager = await make_user(db, w.owner, manages=[w.instrument, other])
    shared = await pair_client.put(
        f"/api/v1/instruments/{w.instrument}/shared-calendar",
        json={"shared_with": [other]},
        headers=manager.headers,
    )
    assert shared.status_code == 200
    day = future_day(30)
    wins = []
    for n in range(ROUNDS):
        start = local(day, 0) + timedelta(minutes=90 * n)  # rounds apart from each other
        end = start + timedelta(minutes=60)
        a, b = await asyncio.gather(
            book(pair_client, w.insider, w.instrument, start, end),
            book(pair_client, w.outsider, other, start + timedelta(minutes=30), end),
        )
        assert {a.status_code, b.status_code} <= {201, 409}, (a.text, b.text)
        wins.append((a.status_code == 201) + (b.status_code == 201))
    assert wins == [1] * ROUNDS, wins
    overlaps = await db.fetchval(
        """SELECT count(*) FROM booking x JOIN booking y ON x.id < y.id
             AND tstzrange(x.starts_at, x.occupied_until, '[)')
                 && tstzrange(y.starts_at, y.occupied_until, '[)')
           WHERE x.instrument_id = ANY($1::bigint[]) AND y.instrument_id = ANY($1::bigint[])
             AND x.status IN ('held', 'pending', 'confirmed', 'in_use')
             AND y.status IN ('held', 'pending', 'confirmed', 'in_use')""",
        [w.instrument, other],
    )
    assert overlaps == 0
