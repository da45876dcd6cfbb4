"""The first build of a large feed renders every event; it runs in a worker thread, so the
process keeps answering other requests meanwhile (it used to hold the event loop: 1,831 events
kept a concurrent request waiting 1.24 s)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx

from service.calendars.cache import EVENT_CACHE
from service.common.time import utcnow
from service.db import Database
from tests.calendars_support import feed_path, new_feed, parse_with_icalendar
from tests.factories import make_institution, make_instrument, make_user
from tests.integration.test_ics_import_bounds import watch_liveness

EVENTS = 2500


async def test_liveness_answers_promptly_while_a_large_feed_is_first_built(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    user = await make_user(db, inst)
    first = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    await db.execute(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status,
                                booker_institution_id, booker_region_code)
           SELECT $1, $2, s, s + interval '30 minutes', s + interval '30 minutes', 'confirmed',
                  $3, '220100'
           FROM generate_series($4::timestamptz, $4 + ($5 - 1) * interval '1 hour',
                                interval '1 hour') AS s""",
        instrument,
        user.id,
        inst,
        first,
        EVENTS,
    )
    path = feed_path(await new_feed(client, user.headers, scope="user")) + "?future_days=730"
    EVENT_CACHE.clear()
    started = time.perf_counter()
    build = asyncio.create_task(client.get(path))
    gaps = await watch_liveness(client, build)
    took = time.perf_counter() - started
    response = build.result()
    assert response.status_code == 200
    assert len(parse_with_icalendar(response.content)) == EVENTS
    assert len(gaps) >= 5 and max(gaps) < took / 4, (max(gaps), len(gaps), took)
