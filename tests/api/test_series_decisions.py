"""A manager answers a recurring request once through the API: every waiting occurrence is
approved, or rejected with one reason, in one transaction, and nothing changes when the
caller may not answer or a reason is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from service.db import Database
from tests.bookings_support import World, book, local, make_world


async def _requested_series(
    client: httpx.AsyncClient, db: Database
) -> tuple[World, int, list[int]]:
    w = await make_world(db, approval="all")
    day = datetime.now(UTC).date() + timedelta(days=3)
    made = await book(
        client, w.outsider, w.instrument, local(day, 9), local(day, 10),
        recurrence={"rrule": "FREQ=DAILY;COUNT=3"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    ids = [b["id"] for b in made.json()["booked"]]
    series = await db.fetchval("SELECT series_id FROM booking WHERE id = $1", ids[0])
    assert series is not None and len(ids) == 3
    return w, int(series), ids


async def _statuses(db: Database, ids: list[int]) -> list[str]:
    rows = dict(await db.fetch("SELECT id, status FROM booking WHERE id = ANY($1::bigint[])", ids))
    return [rows[i] for i in ids]


async def test_a_manager_approves_every_waiting_occurrence_at_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    w, series, ids = await _requested_series(client, db)
    assert await _statuses(db, ids) == ["pending"] * 3
    response = await client.post(
        f"/api/v1/series/{series}/approve", json={"reason": "weekly slot agreed"},
        headers=w.manager.headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert sorted(b["id"] for b in response.json()) == sorted(ids)
    assert {b["status"] for b in response.json()} == {"confirmed"}
    assert await _statuses(db, ids) == ["confirmed"] * 3
    again = await client.post(f"/api/v1/series/{series}/approve", headers=w.manager.headers)
    assert again.status_code == 404, again.text


async def test_rejecting_a_series_needs_a_reason_and_then_rejects_all(
    client: httpx.AsyncClient, db: Database
) -> None:
    w, series, ids = await _requested_series(client, db)
    # No reason at all fails the body's schema; a blank one breaks the rule.
    for body, words in (({}, "missing required field"), ({"reason": "  "}, "reason_required")):
        refused = await client.post(
            f"/api/v1/series/{series}/reject", json=body, headers=w.manager.headers
        )
        assert refused.status_code == 422 and words in refused.text, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _statuses(db, ids) == ["pending"] * 3
    response = await client.post(
        f"/api/v1/series/{series}/reject", json={"reason": "the magnet is being refilled"},
        headers=w.manager.headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert await _statuses(db, ids) == ["rejected"] * 3
    reasons = await db.fetch(
        "SELECT reason FROM booking_event WHERE booking_id = ANY($1::bigint[])"
        " AND to_status = 'rejected'",
        ids,
    )
    assert [r["reason"] for r in reasons] == ["the magnet is being refilled"] * 3


async def test_someone_who_does_not_manage_the_instrument_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    w, series, ids = await _requested_series(client, db)
    # The requester sees the series but may not answer it; to others it does not exist, as
    # for a single booking.
    for user, status in ((w.outsider, 403), (w.insider, 404), (w.enterprise, 404)):
        response = await client.post(f"/api/v1/series/{series}/approve", headers=user.headers)
        assert response.status_code == status, (user.email, response.text)
    anonymous = await client.post(f"/api/v1/series/{series}/approve")
    assert anonymous.status_code == 401, anonymous.text
    assert await _statuses(db, ids) == ["pending"] * 3


async def test_an_unknown_series_is_not_found(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    response = await client.post("/api/v1/series/987654321/approve", headers=w.manager.headers)
    assert response.status_code == 404, response.text
