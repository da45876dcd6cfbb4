"""Creating bookings: the happy path, every policy rule, adjacency, buffers and opening hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import httpx

from service.db import Database
from tests.bookings_support import (
    OVERLAPS,
    book,
    future_day,
    local,
    make_region,
    make_world,
    outbox,
    rules_of,
)
from tests.factories import make_institution, make_instrument


async def test_insider_booking_is_confirmed_with_snapshot_and_outbox(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, fee_internal=100)
    day = future_day(5)
    response = await book(
        client, w.insider, w.instrument, local(day, 9), local(day, 10, 30), purpose="XRD"
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["status"] == "confirmed"
    assert data["is_external"] is False and data["is_cross_region"] is False
    assert data["fee_class"] == "internal" and data["estimated_cost"] == "150.00"
    assert datetime.fromisoformat(data["start"]) == local(day, 9)
    assert data["approval_deadline"] is None and data["version"] == 1
    assert await outbox(db, data["id"]) == [("booking_confirmed", w.insider.id)]
    history = await client.get(f"/api/v1/bookings/{data['id']}/history", headers=w.insider.headers)
    assert [e["action"] for e in history.json()] == ["created"]


async def test_outsider_needs_approval_and_managers_hear_of_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, fee_external_academic=200, approval_deadline_hours=24)
    day = future_day(10)
    response = await book(client, w.outsider, w.instrument, local(day, 9), local(day, 11))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["status"] == "pending" and data["is_external"] is True
    assert data["fee_class"] == "external_academic" and data["estimated_cost"] == "400.00"
    deadline = datetime.fromisoformat(data["approval_deadline"])
    assert timedelta(hours=23) < deadline - datetime.now(UTC) <= timedelta(hours=24)
    kinds = await outbox(db, data["id"])
    assert ("booking_requested", w.outsider.id) in kinds
    assert ("approval_needed", w.manager.id) in kinds
    # Notices carry what a mail needs without another query, keyed by booking version.
    rows = await db.fetch(
        "SELECT dedupe_key, payload FROM notification_outbox WHERE booking_id = $1 ORDER BY id",
        data["id"],
    )
    requested = next(r for r in rows if r["dedupe_key"].startswith("booking_requested:"))
    assert requested["dedupe_key"] == f"booking_requested:{data['id']}:v1"
    snapshot = requested["payload"]["booking"]
    assert snapshot["id"] == data["id"] and snapshot["status"] == "pending"
    assert snapshot["version"] == 1 and snapshot["timezone"] == "Asia/Shanghai"
    assert datetime.fromisoformat(snapshot["start"]) == datetime.fromisoformat(data["start"])
    assert datetime.fromisoformat(snapshot["end"]) == datetime.fromisoformat(data["end"])
    assert snapshot["booker_email"] == w.outsider.email
    assert f"approval_needed:{data['id']}:v1:u{w.manager.id}" in {r["dedupe_key"] for r in rows}


async def test_enterprise_cross_region_fee_class(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none", fee_enterprise=500)
    day = future_day(3)
    response = await book(client, w.enterprise, w.instrument, local(day, 14), local(day, 15))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["status"] == "confirmed" and data["fee_class"] == "enterprise"
    assert data["is_cross_region"] is True and data["booker_region_code"] == "222400"
    assert data["estimated_cost"] == "500.00"


async def test_approval_deadline_never_after_start(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval_deadline_hours=48)
    start = (datetime.now(UTC) + timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    response = await book(client, w.outsider, w.instrument, start, start + timedelta(hours=1))
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["approval_deadline"]) == start


async def test_adjacent_bookings_both_accepted(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(4)
    first = await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    second = await book(client, w.manager, w.instrument, local(day, 10), local(day, 11))
    assert first.status_code == 201 and second.status_code == 201, second.text
    overlap = await book(client, w.admin, w.instrument, local(day, 10, 30), local(day, 11, 30))
    assert overlap.status_code == 409
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


async def test_buffer_is_occupied_time(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, buffer_minutes=30)
    day = future_day(4)
    first = await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    assert first.json()["occupied_until"] == local(day, 10, 30).astimezone(UTC).isoformat().replace(
        "+00:00", "Z"
    )
    inside_buffer = await book(client, w.manager, w.instrument, local(day, 10), local(day, 11))
    assert inside_buffer.status_code == 409
    problem = inside_buffer.json()
    assert problem["conflicts"] and problem["conflicts"][0]["kind"] == "booking"
    after_buffer = await book(
        client, w.manager, w.instrument, local(day, 10, 30), local(day, 11, 30)
    )
    assert after_buffer.status_code == 201, after_buffer.text


async def test_conflict_lists_interval_and_alternatives_never_who(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, region=await make_region(db, 0.0, 0.0))
    twin = await make_instrument(db, w.owner, category="0102")
    day = future_day(6)
    await book(client, w.insider, w.instrument, local(day, 9), local(day, 11))
    response = await book(client, w.outsider, w.instrument, local(day, 10), local(day, 11))
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert len(problem["conflicts"]) == 1
    conflict = problem["conflicts"][0]
    assert set(conflict) == {"kind", "start", "end"}
    assert datetime.fromisoformat(conflict["start"]) == local(day, 9)
    assert "user" not in response.text and w.insider.email not in response.text
    slots = problem["alternatives"]["slots"]
    assert slots and datetime.fromisoformat(slots[0]["start"]) >= local(day, 11)
    assert all(
        datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"]) == timedelta(hours=1)
        for s in slots
    )
    assert problem["alternatives"]["instruments"][0]["id"] == twin


async def test_alternatives_reach_other_regions_nearest_first(
    client: httpx.AsyncClient, db: Database
) -> None:
    home = await make_region(db, 10.0, 10.0)
    w = await make_world(db, region=home)
    near = await make_institution(db, region=await make_region(db, 10.2, 10.2))
    far = await make_institution(db, region=await make_region(db, 14.0, 14.0))
    far_twin = await make_instrument(db, far, category="0102")
    near_twin = await make_instrument(db, near, category="0102")
    day = future_day(6)
    await book(client, w.insider, w.instrument, local(day, 9), local(day, 11))
    response = await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))
    assert response.status_code == 409
    ids = [i["id"] for i in response.json()["alternatives"]["instruments"]]
    assert ids[:2] == [near_twin, far_twin]
    first = response.json()["alternatives"]["instruments"][0]
    assert first["distance_km"] > 0 and first["region_code"] != home


async def test_every_rule_reported_at_once(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(
        db,
        min_minutes=60,
        max_minutes=120,
        granularity_minutes=30,
        horizon_days=30,
        service_ways=["entrusted"],
        min_notice_minutes=0,
    )
    await db.execute("UPDATE instrument SET share_mode = 'internal' WHERE id = $1", w.instrument)
    day = future_day(40)
    response = await book(
        client, w.outsider, w.instrument, local(day, 9, 10), local(day, 9, 25), service_way="occupy"
    )
    assert response.status_code == 422
    assert rules_of(response) == {
        "min_duration",
        "granularity",
        "horizon",
        "share_mode",
        "service_way_not_offered",
    }
    assert all(v["message"] for v in response.json()["violations"])
    too_long = await book(
        client,
        w.insider,
        w.instrument,
        local(future_day(3), 8),
        local(future_day(3), 11),
        service_way="entrusted",
    )
    assert rules_of(too_long) == {"max_duration"}


async def test_messages_follow_user_language(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, min_minutes=60)
    day = future_day(3)
    english = await book(client, w.outsider, w.instrument, local(day, 9), local(day, 9, 30))
    chinese = await book(client, w.insider, w.instrument, local(day, 9), local(day, 9, 30))
    assert "at least 60 minutes" in english.json()["violations"][0]["message"]
    assert "60 分钟" in chinese.json()["violations"][0]["message"]


async def test_notice_and_past(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, min_notice_minutes=24 * 60)
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    assert rules_of(
        await book(client, w.insider, w.instrument, soon, soon + timedelta(hours=1))
    ) == {"min_notice"}
    past = soon - timedelta(days=2)
    assert rules_of(
        await book(client, w.insider, w.instrument, past, past + timedelta(hours=1))
    ) == {"in_the_past"}


async def test_share_mode_none_only_managers(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    await db.execute("UPDATE instrument SET share_mode = 'none' WHERE id = $1", w.instrument)
    day = future_day(3)
    insider = await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    assert rules_of(insider) == {"share_mode"}
    manager = await book(client, w.manager, w.instrument, local(day, 9), local(day, 10))
    assert manager.status_code == 201 and manager.json()["status"] == "confirmed"


async def test_instrument_status_rules(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(3)
    await db.execute("UPDATE instrument SET status = 'awaiting_repair' WHERE id = $1", w.instrument)
    assert rules_of(await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))) == {
        "instrument_not_running"
    }
    await db.execute(
        "UPDATE instrument SET status = 'normal', retired_at = now() WHERE id = $1", w.instrument
    )
    assert rules_of(await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))) == {
        "instrument_retired"
    }


async def test_per_user_limits(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(
        db, max_hours_per_day=3, max_hours_per_week=5, max_future_bookings=3, approval="none"
    )
    monday = future_day(14, weekday=1)
    tuesday = monday + timedelta(days=1)
    assert (
        await book(client, w.outsider, w.instrument, local(monday, 8), local(monday, 10))
    ).status_code == 201
    day_over = await book(client, w.outsider, w.instrument, local(monday, 12), local(monday, 14))
    assert rules_of(day_over) == {"daily_limit"}
    assert (
        await book(client, w.outsider, w.instrument, local(tuesday, 8), local(tuesday, 11))
    ).status_code == 201
    week_over = await book(
        client,
        w.outsider,
        w.instrument,
        local(tuesday + timedelta(days=1), 8),
        local(tuesday + timedelta(days=1), 9),
    )
    assert rules_of(week_over) == {"weekly_limit"}
    next_week = monday + timedelta(days=7)
    assert (
        await book(client, w.outsider, w.instrument, local(next_week, 8), local(next_week, 9))
    ).status_code == 201
    fourth = await book(
        client, w.outsider, w.instrument, local(next_week, 10), local(next_week, 11)
    )
    assert rules_of(fourth) == {"future_bookings_limit"}
    # Limits are per person: someone else still fits.
    assert (
        await book(client, w.insider, w.instrument, local(monday, 12), local(monday, 14))
    ).status_code == 201


async def test_opening_hours_and_closures(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    monday = future_day(8, weekday=1)
    for weekday in range(1, 6):
        await db.execute(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)",
            w.instrument,
            weekday,
            time(8),
            time(18),
        )
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, reason) VALUES ($1, $2, 'holiday')",
        w.instrument,
        monday + timedelta(days=1),
    )
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, opens, closes) VALUES ($1, $2, $3, $4)",
        w.instrument,
        monday + timedelta(days=2),
        time(13),
        time(15),
    )
    ok = await book(client, w.insider, w.instrument, local(monday, 8), local(monday, 9))
    assert ok.status_code == 201, ok.text
    late = await book(client, w.insider, w.instrument, local(monday, 17, 30), local(monday, 18, 30))
    assert rules_of(late) == {"outside_opening_hours"}
    saturday = monday + timedelta(days=5)
    assert rules_of(
        await book(client, w.insider, w.instrument, local(saturday, 9), local(saturday, 10))
    ) == {"outside_opening_hours"}
    holiday = monday + timedelta(days=1)
    assert rules_of(
        await book(client, w.insider, w.instrument, local(holiday, 9), local(holiday, 10))
    ) == {"outside_opening_hours"}
    short = monday + timedelta(days=2)
    assert rules_of(
        await book(client, w.insider, w.instrument, local(short, 9), local(short, 10))
    ) == {"outside_opening_hours"}
    assert (
        await book(client, w.insider, w.instrument, local(short, 13), local(short, 15))
    ).status_code == 201


async def test_bad_inputs(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(3)
    naive = {"instrument_id": w.instrument, "start": f"{day}T09:00:00", "end": f"{day}T10:00:00"}
    assert (
        await client.post("/api/v1/bookings", json=naive, headers=w.insider.headers)
    ).status_code == 422
    backwards = await book(client, w.insider, w.instrument, local(day, 10), local(day, 9))
    assert backwards.status_code == 422 and rules_of(backwards) == {"end_before_start"}
    wild = {
        "instrument_id": w.instrument,
        "start": "0001-01-01T00:00:00+14:00",
        "end": "9999-12-31T23:00:00-12:00",
    }
    assert (
        await client.post("/api/v1/bookings", json=wild, headers=w.insider.headers)
    ).status_code == 422
    missing = await book(client, w.insider, 2**40, local(day, 9), local(day, 10))
    assert missing.status_code == 404
    extra = await book(client, w.insider, w.instrument, local(day, 9), local(day, 10), colour="red")
    assert extra.status_code in (400, 422)
    way = await book(
        client, w.insider, w.instrument, local(day, 9), local(day, 10), service_way="teleport"
    )
    assert way.status_code in (400, 422)
    anonymous = await client.post(
        "/api/v1/bookings",
        json={
            "instrument_id": w.instrument,
            "start": local(day, 9).isoformat(),
            "end": local(day, 10).isoformat(),
        },
    )
    assert anonymous.status_code == 401
    broken = await client.post(
        "/api/v1/bookings",
        content=b"{not json",
        headers={**w.insider.headers, "content-type": "application/json"},
    )
    assert broken.status_code in (400, 422)
