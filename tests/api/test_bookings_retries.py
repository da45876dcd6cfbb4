"""Safe retries and edits: Idempotency-Key on create, If-Match on reschedule."""

from __future__ import annotations

import asyncio

import httpx

from service.db import Database
from tests.bookings_support import OVERLAPS, body, book, future_day, local, make_world, outbox


async def test_same_key_same_body_replays(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(6)
    payload = body(w.instrument, local(day, 9), local(day, 10), purpose="TEM")
    headers = {**w.insider.headers, "Idempotency-Key": "create-tem-1"}
    first = await client.post("/api/v1/bookings", json=payload, headers=headers)
    second = await client.post("/api/v1/bookings", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = await client.post(
        "/api/v1/bookings", json={**payload, "purpose": "SEM"}, headers=headers
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    # Keys are per user: another user with the same key books on their own.
    another = await client.post(
        "/api/v1/bookings",
        json=body(w.instrument, local(day, 11), local(day, 12)),
        headers={**w.manager.headers, "Idempotency-Key": "create-tem-1"},
    )
    assert another.status_code == 201 and another.json()["id"] != first.json()["id"]
    assert (
        await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", w.instrument)
        == 2
    )


async def test_refused_request_does_not_burn_the_key(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, min_minutes=60)
    day = future_day(6)
    headers = {**w.insider.headers, "Idempotency-Key": "fix-and-retry"}
    short = body(w.instrument, local(day, 9), local(day, 9, 30))
    assert (await client.post("/api/v1/bookings", json=short, headers=headers)).status_code == 422
    fixed = body(w.instrument, local(day, 9), local(day, 10))
    assert (await client.post("/api/v1/bookings", json=fixed, headers=headers)).status_code == 201
    too_long = {**w.insider.headers, "Idempotency-Key": "k" * 201}
    assert (await client.post("/api/v1/bookings", json=fixed, headers=too_long)).status_code in (
        400,
        422,
    )


async def test_hundred_concurrent_replays_make_one_booking(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(7)
    payload = body(w.instrument, local(day, 9), local(day, 10))
    headers = {**w.outsider.headers, "Idempotency-Key": "herd-of-replays"}
    responses = await asyncio.gather(
        *(client.post("/api/v1/bookings", json=payload, headers=headers) for _ in range(100))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert (
        await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", w.instrument)
        == 1
    )
    booking_id = responses[0].json()["id"]
    assert [k for k, _ in await outbox(db, booking_id)].count("booking_requested") == 1


async def test_reschedule_needs_if_match(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none")
    day = future_day(8)
    booking = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    url = f"/api/v1/bookings/{booking['id']}"
    got = await client.get(url, headers=w.insider.headers)
    etag = got.headers["etag"]
    assert etag == f'"{booking["id"]}-1"'
    move = {"start": local(day, 13).isoformat(), "end": local(day, 14).isoformat()}
    assert (await client.patch(url, json=move, headers=w.insider.headers)).status_code == 428
    first, second = await asyncio.gather(
        client.patch(url, json=move, headers={**w.insider.headers, "If-Match": etag}),
        client.patch(
            url,
            json={"start": local(day, 15).isoformat(), "end": local(day, 16).isoformat()},
            headers={**w.insider.headers, "If-Match": etag},
        ),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = first if first.status_code == 200 else second
    assert winner.json()["version"] == 2 and winner.headers["etag"] == f'"{booking["id"]}-2"'
    assert ("booking_rescheduled", w.insider.id) in await outbox(db, booking["id"])
    history = await client.get(f"{url}/history", headers=w.insider.headers)
    assert [e["action"] for e in history.json()] == ["created", "rescheduled"]


async def test_reschedule_rechecks_rules_and_constraint(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="external", max_minutes=120)
    day = future_day(8)
    mine = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    await client.post(f"/api/v1/bookings/{mine['id']}/approve", headers=w.manager.headers)
    await book(client, w.insider, w.instrument, local(day, 12), local(day, 13))
    url = f"/api/v1/bookings/{mine['id']}"
    match = {**w.outsider.headers, "If-Match": f'W/"{mine["id"]}-2"'}
    too_long = {"start": local(day, 9).isoformat(), "end": local(day, 13).isoformat()}
    refused = await client.patch(url, json=too_long, headers=match)
    assert refused.status_code == 422 and "max_duration" in {
        v["rule"] for v in refused.json()["violations"]
    }
    taken = {"start": local(day, 12, 30).isoformat(), "end": local(day, 13, 30).isoformat()}
    clash = await client.patch(url, json=taken, headers=match)
    assert clash.status_code == 409 and clash.json()["conflicts"]
    moved = await client.patch(
        url,
        json={"start": local(day, 14).isoformat(), "end": local(day, 15).isoformat()},
        headers=match,
    )
    assert moved.status_code == 200
    # An outsider's moved booking waits for approval again.
    assert moved.json()["status"] == "pending" and moved.json()["approval_deadline"]
    only_purpose = await client.patch(
        url,
        json={"purpose": "new"},
        headers={**w.outsider.headers, "If-Match": moved.headers["etag"]},
    )
    assert only_purpose.status_code == 200 and only_purpose.json()["status"] == "pending"
    stranger = await client.patch(
        url, json={"purpose": "x"}, headers={**w.enterprise.headers, "If-Match": "*"}
    )
    assert stranger.status_code == 404
    assert await db.fetchval(OVERLAPS, w.instrument) == 0
