"""Instruments that are one physical resource share one calendar: a booking of either blocks
both, enforced by the database and reflected in availability."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest

from service.availability.sharing import regroup
from service.db import Database
from tests.availability_support import (
    add_booking,
    ensure_test_category,
    make_place,
    new_instrument,
    utc,
)
from tests.bookings_support import book, future_day, local, make_world, set_policy
from tests.factories import make_instrument, make_user


async def _second_configuration(db: Database, w: object) -> int:
    other = await make_instrument(db, w.owner)  # type: ignore[attr-defined]
    await set_policy(db, other, min_notice_minutes=0)
    return other


async def test_a_booking_of_one_configuration_blocks_the_other(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    other = await _second_configuration(db, w)
    manager = await make_user(db, w.owner, manages=[w.instrument, other])
    url = f"/api/v1/instruments/{w.instrument}/shared-calendar"
    assert (await client.get(url, headers=manager.headers)).json() == {
        "instrument_id": w.instrument,
        "shared_with": [],
    }
    shared = await client.put(url, json={"shared_with": [other]}, headers=manager.headers)
    assert shared.status_code == 200, shared.text
    assert shared.json() == {"instrument_id": w.instrument, "shared_with": [other]}
    back = await client.get(f"/api/v1/instruments/{other}/shared-calendar", headers=manager.headers)
    assert back.json() == {"instrument_id": other, "shared_with": [w.instrument]}

    day = future_day(8)
    first = await book(client, w.insider, w.instrument, local(day, 9), local(day, 11))
    assert first.status_code == 201
    clash = await book(client, w.insider, other, local(day, 10), local(day, 12))
    assert clash.status_code == 409, clash.text
    # Availability of the other configuration shows the time busy, and the slots skip it.
    avail = await client.get(
        f"/api/v1/instruments/{other}/availability",
        params={"from": local(day, 8).isoformat(), "to": local(day, 12).isoformat()},
    )
    assert avail.status_code == 200
    assert any(b["kind"] == "booking" for b in avail.json()["busy"])
    free = [
        (datetime.fromisoformat(f["start"]), datetime.fromisoformat(f["end"]))
        for f in avail.json()["free"]
    ]
    assert free == [(local(day, 8), local(day, 9)), (local(day, 11), local(day, 12))]
    # Plain SQL cannot get round it either: the database sets the calendar on the row.
    with pytest.raises(asyncpg.ExclusionViolationError):
        await db.execute(
            """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until,
                   status, booker_institution_id, booker_region_code)
               VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100')""",
            other,
            w.insider.id,
            local(day, 10),
            local(day, 10, 30),
            w.owner,
        )
    # Apart again, the other configuration is free at that time.
    apart = await client.put(
        f"/api/v1/instruments/{other}/shared-calendar",
        json={"shared_with": []},
        headers=manager.headers,
    )
    assert apart.json() == {"instrument_id": other, "shared_with": []}
    assert (await book(client, w.insider, other, local(day, 10), local(day, 12))).status_code == 201


async def test_sharing_is_refused_while_bookings_of_the_instruments_overlap(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    other = await _second_configuration(db, w)
    manager = await make_user(db, w.owner, manages=[w.instrument, other])
    day = future_day(8)
    assert (
        await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    ).status_code == 201
    assert (
        await book(client, w.outsider, other, local(day, 9, 30), local(day, 11))
    ).status_code == 201
    refused = await client.put(
        f"/api/v1/instruments/{w.instrument}/shared-calendar",
        json={"shared_with": [other]},
        headers=w.manager.headers,
    )
    assert refused.status_code == 403, "the caller must manage both"
    refused = await client.put(
        f"/api/v1/instruments/{w.instrument}/shared-calendar",
        json={"shared_with": [other]},
        headers=manager.headers,
    )
    assert refused.status_code == 409, refused.text
    keys = await db.fetch(
        "SELECT calendar_key FROM instrument WHERE id = ANY($1::bigint[])", [w.instrument, other]
    )
    assert [k["calendar_key"] for k in keys] == [None, None]
    missing = await client.put(
        f"/api/v1/instruments/{w.instrument}/shared-calendar",
        json={"shared_with": [999_999_999]},
        headers=manager.headers,
    )
    assert missing.status_code == 404


def test_leaving_a_shared_calendar_leaves_the_rest_sharing() -> None:
    # 1, 2, 3 share calendar 1; 3 joins 7: 1 and 2 keep sharing, 3 and 7 share under 3.
    assert regroup({1: 1, 2: 1, 3: 1, 7: 7}, {3, 7}) == {1: 1, 2: 1, 3: 3, 7: 3}
    # 1 leaves {1, 2, 3}: 2 and 3 share under 2, 1 is alone.
    assert regroup({1: 1, 2: 1, 3: 1}, {1}) == {1: None, 2: 2, 3: 2}
    # 2 leaves {1, 2}: both alone.
    assert regroup({1: 1, 2: 1}, {2}) == {1: None, 2: None}


async def test_a_block_on_one_configuration_displaces_bookings_of_the_other(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    other = await _second_configuration(db, w)
    manager = await make_user(db, w.owner, manages=[w.instrument, other])
    await client.put(
        f"/api/v1/instruments/{w.instrument}/shared-calendar",
        json={"shared_with": [other]},
        headers=manager.headers,
    )
    day = future_day(8)
    victim = (await book(client, w.insider, other, local(day, 9), local(day, 10))).json()
    placed = await client.post(
        f"/api/v1/instruments/{w.instrument}/blocks",
        json={
            "start": local(day, 8).isoformat(),
            "end": (local(day, 8) + timedelta(hours=4)).isoformat(),
            "reason": "laser alignment",
            "on_conflict": "cancel",
        },
        headers=manager.headers,
    )
    assert placed.status_code == 201, placed.text
    assert [d["id"] for d in placed.json()["displaced"]] == [victim["id"]]


async def test_the_free_time_search_leaves_out_a_configuration_whose_twin_is_booked(
    client: httpx.AsyncClient, db: Database
) -> None:
    cc = await make_place(db, "220100")
    category = await ensure_test_category(db, "9806")
    booked = await new_instrument(db, cc, category=category)
    twin = await new_instrument(db, cc, category=category)
    alone = await new_instrument(db, cc, category=category)
    await db.execute(
        "UPDATE instrument SET calendar_key = $1 WHERE id = ANY($2::bigint[])",
        min(booked, twin),
        [booked, twin],
    )
    await add_booking(db, cc, booked, utc(2032, 6, 7, 2), utc(2032, 6, 7, 4))
    response = await client.get(
        "/api/v1/availability/search",
        params={
            "start": "2032-06-07T02:00:00Z",
            "end": "2032-06-07T03:00:00Z",
            "category": category,
        },
    )
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [alone]
