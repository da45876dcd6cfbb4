"""Calendar changes over existing bookings: closures displace like maintenance blocks, and a
policy's buffer change recomputes the changeover future bookings hold."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from service.db import Database
from tests.bookings_support import OVERLAPS, book, future_day, local, make_world


async def test_a_closure_over_bookings_is_refused_by_default_and_lists_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(10)
    inside = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    url = f"/api/v1/instruments/{w.instrument}/closures"
    preview = await client.post(
        f"{url}/preview",
        json={"day": day.isoformat(), "reason": "power cut"},
        headers=w.manager.headers,
    )
    assert preview.status_code == 200, preview.text
    assert [d["id"] for d in preview.json()["displaced"]] == [inside["id"]]
    refused = await client.post(
        url, json={"day": day.isoformat(), "reason": "power cut"}, headers=w.manager.headers
    )
    assert refused.status_code == 409
    assert [d["id"] for d in refused.json()["displaced"]] == [inside["id"]]
    assert "on_conflict=cancel" in refused.json()["detail"]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM calendar_exception WHERE instrument_id = $1", w.instrument
        )
        == 0
    )
    assert (
        await db.fetchval("SELECT status FROM booking WHERE id = $1", inside["id"])
        == inside["status"]
    )


async def test_a_closure_that_cancels_tells_the_displaced_with_alternatives(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(10)
    morning = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    noon = (await book(client, w.insider, w.instrument, local(day, 12), local(day, 13))).json()
    tomorrow = day + timedelta(days=1)
    next_day = (
        await book(client, w.insider, w.instrument, local(tomorrow, 9), local(tomorrow, 10))
    ).json()
    url = f"/api/v1/instruments/{w.instrument}/closures"
    # Special hours 11:00-14:00: the morning booking falls outside, noon stays inside.
    placed = await client.post(
        url,
        json={
            "day": day.isoformat(),
            "opens": "11:00",
            "closes": "14:00",
            "reason": "half-day inspection",
            "on_conflict": "cancel",
        },
        headers=w.manager.headers,
    )
    assert placed.status_code == 201, placed.text
    assert [d["id"] for d in placed.json()["displaced"]] == [morning["id"]]
    status = dict(
        await db.fetch(
            "SELECT id, status FROM booking WHERE id = ANY($1::bigint[])",
            [morning["id"], noon["id"], next_day["id"]],
        )
    )
    assert status == {
        morning["id"]: "cancelled",
        noon["id"]: noon["status"],
        next_day["id"]: next_day["status"],
    }
    notice = await db.fetchrow(
        "SELECT user_id, payload FROM notification_outbox "
        "WHERE booking_id = $1 AND kind = 'booking_closed'",
        morning["id"],
    )
    assert notice is not None
    assert notice["user_id"] == w.outsider.id
    assert notice["payload"]["reason"] == "half-day inspection"
    assert notice["payload"]["alternatives"]["slots"], "free slots are offered"
    offered = [
        datetime.fromisoformat(s["start"]) for s in notice["payload"]["alternatives"]["slots"]
    ]
    assert not [s for s in offered if local(day, 0) <= s < local(day, 11)], "none in the closure"
    # The closed part of the day is not bookable any more.
    assert (
        await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    ).status_code == 422


async def test_lowering_the_buffer_frees_the_changeover_of_future_bookings(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, buffer_minutes=60)
    day = future_day(11)
    first = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    assert await db.fetchval(
        "SELECT occupied_until FROM booking WHERE id = $1", first["id"]
    ) == local(day, 11)
    blocked = await book(client, w.outsider, w.instrument, local(day, 10), local(day, 11))
    assert blocked.status_code == 409, "the old buffer holds 10:00-11:00"
    policy = f"/api/v1/instruments/{w.instrument}/policy"
    lowered = await client.put(
        policy, json={"buffer_minutes": 15, "min_notice_minutes": 0}, headers=w.manager.headers
    )
    assert lowered.status_code == 200, lowered.text
    held = await db.fetchval("SELECT occupied_until FROM booking WHERE id = $1", first["id"])
    assert held == local(day, 10, 15)
    after = await book(client, w.outsider, w.instrument, local(day, 10, 30), local(day, 11))
    assert after.status_code == 201, after.text
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


async def test_raising_the_buffer_keeps_existing_changeovers_and_never_overlaps(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, buffer_minutes=0)
    day = future_day(11)
    first = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    second = (await book(client, w.outsider, w.instrument, local(day, 10), local(day, 11))).json()
    raised = await client.put(
        f"/api/v1/instruments/{w.instrument}/policy",
        json={"buffer_minutes": 60, "min_notice_minutes": 0},
        headers=w.manager.headers,
    )
    assert raised.status_code == 200, raised.text
    held = dict(
        await db.fetch(
            "SELECT id, occupied_until FROM booking WHERE id = ANY($1::bigint[])",
            [first["id"], second["id"]],
        )
    )
    assert held == {first["id"]: local(day, 10), second["id"]: local(day, 11)}
    # New bookings get the new buffer.
    third = (await book(client, w.insider, w.instrument, local(day, 14), local(day, 15))).json()
    assert await db.fetchval(
        "SELECT occupied_until FROM booking WHERE id = $1", third["id"]
    ) == local(day, 16)
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


async def test_an_institution_default_lowering_the_buffer_frees_its_instruments_changeovers(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    await db.execute("DELETE FROM booking_policy WHERE instrument_id = $1", w.instrument)
    await db.execute(
        "INSERT INTO booking_policy (institution_id, buffer_minutes, min_notice_minutes) "
        "VALUES ($1, 60, 0)",
        w.owner,
    )
    day = future_day(12)
    first = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    assert await db.fetchval(
        "SELECT occupied_until FROM booking WHERE id = $1", first["id"]
    ) == local(day, 11)
    changed = await client.put(
        f"/api/v1/institutions/{w.owner}/policy",
        json={"buffer_minutes": 0, "min_notice_minutes": 0},
        headers=w.admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert await db.fetchval(
        "SELECT occupied_until FROM booking WHERE id = $1", first["id"]
    ) == local(day, 10)
