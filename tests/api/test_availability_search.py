"""Search across instruments and alternatives: category, region order, exclusions, hours."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import httpx

from service.availability.search import alternative_instruments, search_free
from service.availability.store import conflicts_in, next_free_slots, open_intervals_for
from service.db import Database
from service.policies.schemas import Policy
from tests.availability_support import (
    add_booking,
    ensure_berlin_region,
    ensure_test_category,
    make_place,
    new_instrument,
    set_hours,
    set_policy,
    utc,
    weekdays,
)

# A private sub-class keeps other tests' instruments out of these result lists.
START, END = "2032-05-10T02:00:00Z", "2032-05-10T04:00:00Z"  # a Monday, 10:00–12:00 Shanghai


async def _search(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get(
        "/api/v1/availability/search", params={"start": START, "end": END, **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_search_orders_region_then_distance_and_excludes_unavailable(
    db: Database, client: httpx.AsyncClient
) -> None:
    cc, jl, yb = [await make_place(db, r) for r in ("220100", "220200", "222400")]
    category = await ensure_test_category(db, "9802")
    near = await new_instrument(db, jl, category=category)
    far = await new_instrument(db, yb, category=category)
    home = await new_instrument(db, cc, category=category)
    busy = await new_instrument(db, cc, category=category)
    await add_booking(db, cc, busy, utc(2032, 5, 10, 3), utc(2032, 5, 10, 5))
    buffered = await new_instrument(db, cc, category=category)
    await set_policy(db, buffered, buffer_minutes=30)
    await add_booking(db, cc, buffered, utc(2032, 5, 10, 4, 15), utc(2032, 5, 10, 5))
    closed = await new_instrument(db, cc, category=category)
    await set_hours(db, closed, weekdays(time(13), time(17)))
    holiday = await new_instrument(db, cc, category=category)
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day) VALUES ($1, $2)",
        holiday,
        date(2032, 5, 10),
    )
    await new_instrument(db, cc, category=category, retired_at=utc(2030, 1, 1))
    await new_instrument(db, cc, category=category, share_mode="internal")
    await new_instrument(db, cc, category=category, status="awaiting_repair")
    open_hours = await new_instrument(db, cc, category=category)
    await set_hours(db, open_hours, weekdays(time(9), time(12)))

    body = await _search(client, category=category, region="220100")
    ids = [item["id"] for item in body["items"]]
    assert ids == [home, open_hours, near, far]
    assert body["total"] == 4
    assert body["items"][0]["distance_km"] == 0
    assert 0 < body["items"][2]["distance_km"] < body["items"][3]["distance_km"]

    class_wide = await _search(client, category="98", region="222400")
    class_ids = [item["id"] for item in class_wide["items"]]
    assert class_ids[0] == far and set(ids) <= set(class_ids)

    page = await _search(client, category=category, region="220100", page="2", page_size="3")
    assert [i["id"] for i in page["items"]] == [far] and page["total"] == 4
    beyond = await _search(client, category=category, page="9", page_size="3")
    assert beyond["items"] == [] and beyond["total"] == 4


async def test_search_bad_inputs(client: httpx.AsyncClient) -> None:
    cases = [
        {"start": END, "end": START},
        {"start": "2032-05-10T02:00:00", "end": END},
        {"start": START, "end": END, "category": "1"},
        {"start": START, "end": END, "category": "99"},
        {"start": START, "end": END, "region": "NOPE-1"},
        {"start": START, "end": END, "page_size": "1000"},
        {"start": "2032-01-01T00:00:00Z", "end": "2032-06-01T00:00:00Z"},
    ]
    for params in cases:
        response = await client.get("/api/v1/availability/search", params=params)
        assert response.status_code in {400, 422}, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_sql_hours_agree_with_python_in_berlin_across_dst(db: Database) -> None:
    """The set-based check in search and `open_intervals_for` accept exactly the same windows."""
    region = await ensure_berlin_region(db)
    place = await make_place(db, region)
    category = await ensure_test_category(db, "9803")
    instrument = await new_instrument(db, place, category=category)
    await set_hours(
        db,
        instrument,
        [
            (7, time(1), time(4)),
            (6, time(20), time.max),
            (1, time(0), time(3)),
            (1, time(9), time(17)),
        ],
    )
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, opens, closes) VALUES ($1, $2, $3, $4)",
        instrument,
        date(2031, 10, 28),
        time(10),
        time(12),
    )
    base = utc(2031, 10, 25, 12)  # Saturday before the fall-back Sunday 2031-10-26
    async with db.connection() as conn:
        for step in range(0, 24 * 4 * 4, 5):
            start = base + timedelta(minutes=15 * step)
            for length in (30, 60, 150, 420):
                end = start + timedelta(minutes=length)
                opens = await open_intervals_for(conn, instrument, start, end)
                expected = opens == [(start, end)]
                found, _ = await search_free(
                    conn, start, end, category=category, region=None, limit=5, offset=0
                )
                assert (instrument in [f["id"] for f in found]) == expected, (start, end)


async def test_service_functions_for_the_booking_engine(db: Database) -> None:
    cc, yb = await make_place(db, "220100"), await make_place(db, "222400")
    category = await ensure_test_category(db, "9804")
    target = await new_instrument(db, cc, category=category)
    await set_hours(db, target, weekdays(time(9), time(17)))
    same_sub_far = await new_instrument(db, yb, category=category)
    same_class_near = await new_instrument(db, cc, category=await ensure_test_category(db, "9805"))
    await add_booking(db, cc, target, utc(2032, 5, 10, 1), utc(2032, 5, 10, 3))
    await add_booking(db, cc, target, utc(2032, 5, 10, 3), utc(2032, 5, 10, 4), kind="maintenance")
    async with db.connection() as conn:
        conflicts = await conflicts_in(conn, target, utc(2032, 5, 10, 2), utc(2032, 5, 10, 5))
        assert [(c["kind"], c["start"].hour, c["end"].hour) for c in conflicts] == [
            ("booking", 1, 3),
            ("maintenance", 3, 4),
        ]
        assert all(set(c) == {"kind", "start", "end"} for c in conflicts)
        policy = Policy(min_minutes=60, granularity_minutes=60, min_notice_minutes=0)
        slots = await next_free_slots(
            conn,
            target,
            timedelta(hours=2),
            utc(2032, 5, 10),
            policy=policy,
            now=utc(2032, 5, 1),
            limit=3,
        )
        assert slots == [
            (utc(2032, 5, 10, 4), utc(2032, 5, 10, 6)),
            (utc(2032, 5, 10, 5), utc(2032, 5, 10, 7)),
            (utc(2032, 5, 10, 6), utc(2032, 5, 10, 8)),
        ]
        later = await next_free_slots(
            conn,
            target,
            timedelta(hours=2),
            utc(2032, 5, 10, 8),
            policy=policy,
            now=utc(2032, 5, 1),
            limit=1,
        )
        assert later == [(utc(2032, 5, 11, 1), utc(2032, 5, 11, 3))]
        alternatives = await alternative_instruments(
            conn, target, utc(2032, 5, 10, 2), utc(2032, 5, 10, 3), user_region="222400", limit=100
        )
    ids = [a["id"] for a in alternatives]
    assert ids.index(same_sub_far) < ids.index(same_class_near)
    assert target not in ids
    first = alternatives[ids.index(same_sub_far)]
    assert first["region_code"] == "222400" and first["distance_km"] > 100
    assert {"institution_name_zh", "region_name_en", "institution_id"} <= set(first)
