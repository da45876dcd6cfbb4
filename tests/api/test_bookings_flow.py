"""After the booking: approvals, cancellations, check-in/out, no-shows, listings, authorization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from service.bookings.lifecycle import complete_finished, expire_overdue_pending, mark_no_shows
from service.db import Database
from tests.bookings_support import book, future_day, local, make_world, outbox
from tests.factories import make_institution, make_instrument, make_user


async def test_approval_flow(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(9)
    await db.execute("UPDATE app_user SET phone = '+86 431 8516 6000' WHERE id = $1", w.outsider.id)
    booking = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    queue = await client.get("/api/v1/approvals", headers=w.manager.headers)
    assert queue.status_code == 200
    item = next(i for i in queue.json()["items"] if i["booking"]["id"] == booking["id"])
    assert item["requester_institution_id"] == w.outsider.institution_id
    assert item["requester_phone"] == "+86 431 8516 6000"
    assert item["requester_region_code"] == "220100" and item["requester_region_zh"] == "长春市"
    # A researcher cannot approve, not even their own request.
    own = await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=w.outsider.headers)
    assert own.status_code == 403
    stranger = await make_user(db, await make_institution(db))
    hidden = await client.post(
        f"/api/v1/bookings/{booking['id']}/approve", headers=stranger.headers
    )
    assert hidden.status_code == 404
    approved = await client.post(
        f"/api/v1/bookings/{booking['id']}/approve", headers=w.manager.headers
    )
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    assert approved.json()["version"] == 2
    again = await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=w.admin.headers)
    assert again.status_code == 409 and again.json()["booking_status"] == "confirmed"
    assert again.json()["detail"] == "该预约已确认，不能批准。", "the state in words, not its code"
    assert ("booking_confirmed", w.outsider.id) in await outbox(db, booking["id"])
    queue = await client.get("/api/v1/approvals", headers=w.manager.headers)
    assert booking["id"] not in [i["booking"]["id"] for i in queue.json()["items"]]


async def test_reject_needs_reason_and_frees_the_slot(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(9)
    booking = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    url = f"/api/v1/bookings/{booking['id']}/reject"
    assert (await client.post(url, json={}, headers=w.admin.headers)).status_code in (400, 422)
    assert (
        await client.post(url, json={"reason": "  "}, headers=w.admin.headers)
    ).status_code == 422
    rejected = await client.post(url, json={"reason": "sample unsafe"}, headers=w.admin.headers)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert ("booking_rejected", w.outsider.id) in await outbox(db, booking["id"])
    retry = await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    assert retry.status_code == 201
    history = await client.get(
        f"/api/v1/bookings/{booking['id']}/history", headers=w.outsider.headers
    )
    last = history.json()[-1]
    assert last["action"] == "reject" and last["reason"] == "sample unsafe"
    assert last["actor_user_id"] == w.admin.id


async def test_manager_of_another_instrument_cannot_touch(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    other = await make_instrument(db, w.owner)
    other_manager = await make_user(db, w.owner, manages=[other])
    day = future_day(9)
    booking = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    for action in ("approve", "cancel", "no-show", "check-in"):
        response = await client.post(
            f"/api/v1/bookings/{booking['id']}/{action}",
            json={"reason": "x"},
            headers=other_manager.headers,
        )
        assert response.status_code == 404, action
    assert (
        await client.get(f"/api/v1/bookings/{booking['id']}", headers=other_manager.headers)
    ).status_code == 404
    managed = await client.get("/api/v1/bookings?scope=managed", headers=other_manager.headers)
    assert booking["id"] not in [b["id"] for b in managed.json()["items"]]
    mine = await client.get(
        f"/api/v1/bookings?scope=managed&instrument_id={w.instrument}&status=pending",
        headers=w.admin.headers,
    )
    assert [b["id"] for b in mine.json()["items"]] == [booking["id"]]
    listed = await client.get("/api/v1/bookings?scope=mine", headers=w.outsider.headers)
    assert booking["id"] in [b["id"] for b in listed.json()["items"]]
    bad = await client.get("/api/v1/bookings?from=2027-01-01T00:00:00", headers=w.outsider.headers)
    assert bad.status_code in (400, 422)


async def test_cancel_by_booker_flags_late_cancellation(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, late_cancel_hours=48, approval="none")
    soon = (datetime.now(UTC) + timedelta(hours=30)).replace(minute=0, second=0, microsecond=0)
    later = local(future_day(10), 9)
    late = (await book(client, w.outsider, w.instrument, soon, soon + timedelta(hours=1))).json()
    early = (await book(client, w.outsider, w.instrument, later, later + timedelta(hours=1))).json()
    one = await client.post(
        f"/api/v1/bookings/{late['id']}/cancel", json={"reason": "ill"}, headers=w.outsider.headers
    )
    two = await client.post(f"/api/v1/bookings/{early['id']}/cancel", headers=w.outsider.headers)
    assert one.status_code == 200 and one.json()["late_cancellation"] is True
    assert two.status_code == 200 and two.json()["late_cancellation"] is False
    assert ("booking_cancelled", w.outsider.id) in await outbox(db, late["id"])
    again = await client.post(f"/api/v1/bookings/{late['id']}/cancel", headers=w.outsider.headers)
    assert again.status_code == 409


async def test_check_in_out_makes_usage_session(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none", min_notice_minutes=0)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    booking_id = await db.fetchval(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status,
               booker_institution_id, booker_region_code, is_external)
           VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100', true) RETURNING id""",
        w.instrument,
        w.outsider.id,
        start,
        start + timedelta(hours=1),
        w.outsider.institution_id,
    )
    no_show_early = await client.post(
        f"/api/v1/bookings/{booking_id}/check-out", headers=w.outsider.headers
    )
    assert no_show_early.status_code == 409
    checked_in = await client.post(
        f"/api/v1/bookings/{booking_id}/check-in", headers=w.outsider.headers
    )
    assert checked_in.status_code == 200 and checked_in.json()["status"] == "in_use"
    out = await client.post(
        f"/api/v1/bookings/{booking_id}/check-out", json={"samples": 4}, headers=w.manager.headers
    )
    assert out.status_code == 200 and out.json()["status"] == "completed"
    session = await db.fetchrow("SELECT * FROM usage_session WHERE booking_id = $1", booking_id)
    assert session is not None
    assert session["is_external"] is True and session["samples"] == 4
    assert session["user_institution_id"] == w.outsider.institution_id and session["ended_at"]
    usage = await client.get(f"/api/v1/instruments/{w.instrument}/usage", headers=w.manager.headers)
    assert [u["booking_id"] for u in usage.json()["items"]] == [booking_id]
    assert (
        await client.get(f"/api/v1/instruments/{w.instrument}/usage", headers=w.outsider.headers)
    ).status_code == 403


async def test_check_in_opens_the_policys_lead_time_before_the_start(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", check_in_lead_minutes=120)
    policy = await client.get(
        f"/api/v1/instruments/{w.instrument}/policy", headers=w.manager.headers
    )
    assert policy.json()["check_in_lead_minutes"] == 120
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    ids = []
    for minutes in (150, 90):
        start = now + timedelta(minutes=minutes)
        ids.append(
            await db.fetchval(
                """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until,
                       status, booker_institution_id, booker_region_code)
                   VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100') RETURNING id""",
                w.instrument,
                w.insider.id,
                start,
                start + timedelta(minutes=30),
                w.insider.institution_id,
            )  # fmt: skip
        )
    early = await client.post(f"/api/v1/bookings/{ids[0]}/check-in", headers=w.manager.headers)
    assert early.status_code == 409
    assert early.json()["detail"] == "签到时间为预约开始前 120 分钟至预约结束。"
    within = await client.post(f"/api/v1/bookings/{ids[1]}/check-in", headers=w.manager.headers)
    assert within.status_code == 200 and within.json()["status"] == "in_use"
    out = await client.post(
        f"/api/v1/bookings/{ids[1]}/check-out",
        json={"samples": 2, "amount": "150.50", "service_way": "technical", "note": "离心"},
        headers=w.manager.headers,
    )
    assert out.status_code == 200
    session = await db.fetchrow("SELECT * FROM usage_session WHERE booking_id = $1", ids[1])
    assert session is not None
    assert (session["samples"], str(session["amount"]), session["service_way"], session["note"]) == (
        2, "150.50", "technical", "离心"
    )  # fmt: skip
    changed = await client.put(
        f"/api/v1/instruments/{w.instrument}/policy",
        json={"check_in_lead_minutes": 15},
        headers=w.manager.headers,
    )
    assert changed.status_code == 200 and changed.json()["check_in_lead_minutes"] == 15


async def test_no_show_only_after_start(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none")
    day = future_day(5)
    booking = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    early = await client.post(
        f"/api/v1/bookings/{booking['id']}/no-show", headers=w.manager.headers
    )
    assert early.status_code == 409
    by_booker = await client.post(
        f"/api/v1/bookings/{booking['id']}/no-show", headers=w.insider.headers
    )
    assert by_booker.status_code == 403
    await db.execute(
        "UPDATE booking SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour', "
        "occupied_until = now() - interval '1 hour' WHERE id = $1",
        booking["id"],
    )
    marked = await client.post(
        f"/api/v1/bookings/{booking['id']}/no-show",
        json={"reason": "nobody came"},
        headers=w.manager.headers,
    )
    assert marked.status_code == 200 and marked.json()["status"] == "no_show"


async def test_manual_usage_without_booking_counts_as_internal(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    now = datetime.now(UTC)
    owner_use = {
        "start": (now - timedelta(hours=3)).isoformat(),
        "end": (now - timedelta(hours=1)).isoformat(),
        "samples": 2,
    }
    response = await client.post(
        f"/api/v1/instruments/{w.instrument}/usage", json=owner_use, headers=w.manager.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["is_external"] is False and response.json()["user_id"] is None
    guest = {
        **owner_use,
        "start": (now - timedelta(hours=6)).isoformat(),
        "end": (now - timedelta(hours=4)).isoformat(),
        "user_id": w.enterprise.id,
        "service_way": "entrusted",
    }
    response = await client.post(
        f"/api/v1/instruments/{w.instrument}/usage", json=guest, headers=w.admin.headers
    )
    assert response.json()["is_external"] is True and response.json()["is_cross_region"] is True
    denied = await client.post(
        f"/api/v1/instruments/{w.instrument}/usage", json=owner_use, headers=w.insider.headers
    )
    assert denied.status_code == 403
    backwards = {**owner_use, "end": owner_use["start"]}
    assert (
        await client.post(
            f"/api/v1/instruments/{w.instrument}/usage", json=backwards, headers=w.manager.headers
        )
    ).status_code == 422


async def test_lifecycle_jobs_are_idempotent(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval_deadline_hours=1)
    day = future_day(5)
    pending = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    confirmed = (await book(client, w.insider, w.instrument, local(day, 11), local(day, 12))).json()
    in_use = (await book(client, w.manager, w.instrument, local(day, 13), local(day, 14))).json()
    # Move them into the past, so the jobs at the real "now" touch only what is really due.
    shift = local(day, 15) - datetime.now(UTC)
    await db.execute(
        "UPDATE booking SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval, "
        "occupied_until = occupied_until - $2::interval, "
        "approval_deadline = approval_deadline - $2::interval "
        "WHERE instrument_id = $1",
        w.instrument,
        shift,
    )
    await db.execute("UPDATE booking SET status = 'in_use' WHERE id = $1", in_use["id"])
    later = datetime.now(UTC)
    assert await expire_overdue_pending(db, later) >= 1
    assert await expire_overdue_pending(db, later) == 0
    assert await mark_no_shows(db, later) >= 1
    assert await mark_no_shows(db, later) == 0
    assert await complete_finished(db, later) >= 1
    assert await complete_finished(db, later) == 0
    statuses = dict(
        await db.fetch("SELECT id, status FROM booking WHERE instrument_id = $1", w.instrument)
    )
    assert statuses == {
        pending["id"]: "expired",
        confirmed["id"]: "no_show",
        in_use["id"]: "completed",
    }
    assert ("booking_expired", w.outsider.id) in await outbox(db, pending["id"])
