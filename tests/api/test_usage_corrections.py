"""Managers correct and delete usage sessions with a reason; the history keeps every version;
late entry through the page keeps the booking's user and service way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.common.time import utcnow
from service.db import Database
from tests.accounts_support import assert_problem
from tests.factories import UserHandle, make_institution, make_instrument, make_user
from tests.metrics_support import add_booking, add_session
from tests.web_support import csrf_from, local_input, signed_in

T = datetime(2026, 1, 12, 1, tzinfo=UTC)


async def _setup(db: Database) -> tuple[int, int, UserHandle, UserHandle, int]:
    owner = await make_institution(db)
    guest = await make_institution(db, region="222400")
    inst = await make_instrument(db, owner)
    manager = await make_user(db, owner, manages=[inst])
    stranger = await make_user(db, guest, admin_of=[guest])
    return inst, guest, manager, stranger, owner


async def test_a_correction_keeps_the_old_values_in_the_history(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, guest, manager, stranger, owner = await _setup(db)
    session = await add_session(db, inst, owner, T, T + timedelta(hours=2))
    url = f"/api/v1/usage/{session}"
    change = {"reason": "wrong end time", "end": (T + timedelta(hours=3)).isoformat(), "samples": 4}
    assert_problem(await client.patch(url, json=change, headers=stranger.headers), 403)
    r = await client.patch(url, json=change, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["end"] == "2026-01-12T04:00:00Z" and r.json()["samples"] == 4
    # the user of a session without a booking may be corrected: an outside institution
    r = await client.patch(
        url,
        json={"reason": "it was their samples", "user_institution_id": guest},
        headers=manager.headers,
    )
    assert (r.json()["is_external"], r.json()["is_cross_region"]) == (True, True)
    history = (await client.get(f"{url}/history", headers=manager.headers)).json()
    assert [h["action"] for h in history] == ["corrected", "corrected"]
    assert history[0]["reason"] == "wrong end time"
    assert history[0]["before"]["ended_at"].startswith("2026-01-12T03:00:00")
    assert history[0]["after"]["ended_at"].startswith("2026-01-12T04:00:00")
    assert history[0]["actor_user_id"] == manager.id
    assert history[1]["after"]["user_institution_id"] == guest


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"reason": "", "samples": 1}, 422),  # a reason is required
        ({"samples": 1}, 422),
        ({"reason": "x"}, 422),  # nothing changes
        ({"reason": "x", "end": "2026-01-12T00:00:00Z"}, 422),  # ends before it starts
        ({"reason": "x", "start": "2099-01-01T00:00:00Z", "end": "2099-01-01T01:00:00Z"}, 422),
        ({"reason": "x", "end": "2026-01-12T03:00:00"}, 422),  # no offset
        ({"reason": "x", "bogus": 1}, 422),
        ({"reason": "x", "amount": "-1"}, 422),
    ],
)
async def test_bad_corrections_are_refused_and_change_nothing(
    client: httpx.AsyncClient, db: Database, change: dict[str, object], status: int
) -> None:
    inst, _, manager, _, owner = await _setup(db)
    session = await add_session(db, inst, owner, T, T + timedelta(hours=2))
    r = await client.patch(f"/api/v1/usage/{session}", json=change, headers=manager.headers)
    assert_problem(r, status)
    row = await db.fetchrow(
        "SELECT started_at, ended_at, samples, amount FROM usage_session WHERE id = $1", session
    )
    assert row is not None and (row["started_at"], row["ended_at"], row["samples"]) == (
        T,
        T + timedelta(hours=2),
        0,
    )
    assert not await db.fetchval(
        "SELECT count(*) FROM usage_session_revision WHERE session_id = $1", session
    )


async def test_corrections_cannot_overlap_or_change_a_bookings_user(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, guest, manager, _, owner = await _setup(db)
    booker = await make_user(db, guest)
    booking = await add_booking(db, inst, booker, T, T + timedelta(hours=2))
    booked = await add_session(
        db, inst, guest, T, T + timedelta(hours=2), booking_id=booking, user_id=booker.id
    )
    later = await add_session(db, inst, owner, T + timedelta(hours=3), T + timedelta(hours=4))
    overlap = {"reason": "x", "start": (T + timedelta(hours=1)).isoformat()}
    r = await client.patch(f"/api/v1/usage/{later}", json=overlap, headers=manager.headers)
    body = assert_problem(r, 409)
    assert body["conflicts"] == [{"start": "2026-01-12T01:00:00Z", "end": "2026-01-12T03:00:00Z"}]
    r = await client.patch(
        f"/api/v1/usage/{booked}",
        json={"reason": "x", "user_institution_id": owner},
        headers=manager.headers,
    )
    assert assert_problem(r, 422)["violations"][0]["rule"] == "user_of_booking"


async def test_a_deletion_needs_a_reason_and_keeps_the_values(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, _, manager, stranger, owner = await _setup(db)
    session = await add_session(db, inst, owner, T, T + timedelta(hours=2))
    url = f"/api/v1/usage/{session}"
    assert_problem(
        await client.request("DELETE", url, json={"reason": ""}, headers=manager.headers), 422
    )
    assert_problem(
        await client.request("DELETE", url, json={"reason": "x"}, headers=stranger.headers), 403
    )
    r = await client.request(
        "DELETE", url, json={"reason": "recorded twice"}, headers=manager.headers
    )
    assert r.status_code == 204
    assert not await db.fetchval("SELECT 1 FROM usage_session WHERE id = $1", session)
    assert_problem(await client.get(url, headers=manager.headers), 404)
    history = (await client.get(f"{url}/history", headers=manager.headers)).json()
    assert [(h["action"], h["reason"], h["after"]) for h in history] == [
        ("deleted", "recorded twice", None)
    ]
    assert history[0]["before"]["id"] == session
    assert_problem(await client.get(f"{url}/history", headers=stranger.headers), 403)
    assert_problem(
        await client.get("/api/v1/usage/999999999/history", headers=manager.headers), 404
    )
    # the deleted day is marked for the figures
    assert await db.fetchval("SELECT 1 FROM metrics_dirty_day WHERE instrument_id = $1", inst)


async def test_the_page_corrects_and_deletes(app: Any, db: Database) -> None:
    inst, _, manager, _, owner = await _setup(db)
    start = utcnow().replace(second=0, microsecond=0) - timedelta(days=3)
    session = await add_session(db, inst, owner, start, start + timedelta(hours=2))
    async with signed_in(app, manager.email) as (c, _):
        listing = await c.get(f"/manage/instruments/{inst}/usage")
        assert f'href="/manage/usage/{session}"' in listing.text
        page = await c.get(f"/manage/usage/{session}")
        assert page.status_code == 200 and 'id="correct-form"' in page.text
        token = csrf_from(page.text)
        form = {"csrf_token": token, "start": local_input(start), "end": local_input(start + timedelta(hours=3)),
                "service_way": "technical", "samples": "2", "amount": "0", "note": ""}  # fmt: skip
        missing = await c.post(f"/manage/usage/{session}", data=form)
        assert missing.status_code == 422
        done = await c.post(f"/manage/usage/{session}", data={**form, "reason": "longer"})
        assert done.status_code == 303, done.text
        assert await db.fetchval(
            "SELECT ended_at FROM usage_session WHERE id = $1", session
        ) == start + timedelta(hours=3)
        page = await c.get(f"/manage/usage/{session}")
        assert "longer" in page.text and 'id="usage-history"' in page.text
        gone = await c.post(
            f"/manage/usage/{session}/delete", data={"csrf_token": token, "reason": "test entry"}
        )
        assert gone.status_code == 303
        assert not await db.fetchval("SELECT 1 FROM usage_session WHERE id = $1", session)


async def test_late_entry_on_a_no_show_keeps_the_outside_user(app: Any, db: Database) -> None:
    """After the no-show time the booking is still offered; recording on it keeps the booker
    and the entrusted service way: external use, not the own group's."""
    inst, guest, manager, _, _ = await _setup(db)
    booker = await make_user(db, guest)
    start = utcnow().replace(second=0, microsecond=0) - timedelta(days=2)
    booking = await add_booking(
        db, inst, booker, start, start + timedelta(hours=2), status="no_show"
    )
    await db.execute("UPDATE booking SET service_way = 'entrusted' WHERE id = $1", booking)
    url = f"/manage/instruments/{inst}/usage"
    async with signed_in(app, manager.email) as (c, token):
        page = await c.get(url)
        assert f'<option value="{booking}"' in page.text
        form = {"csrf_token": token, "booking_id": str(booking), "start": local_input(start),
                "end": local_input(start + timedelta(hours=2)), "service_way": ""}  # fmt: skip
        assert (await c.post(url, data=form)).status_code == 303
        other = {"csrf_token": token, "booking_id": "other", "user_email": booker.email.upper(),
                 "start": local_input(start - timedelta(hours=5)), "end": local_input(start - timedelta(hours=4)),
                 "service_way": "entrusted"}  # fmt: skip
        assert (await c.post(url, data=other)).status_code == 303
    rows = await db.fetch(
        "SELECT user_id, service_way, is_external FROM usage_session WHERE instrument_id = $1 ORDER BY started_at",
        inst,
    )
    assert [tuple(r) for r in rows] == [
        (booker.id, "entrusted", True),
        (booker.id, "entrusted", True),
    ]
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "completed"
