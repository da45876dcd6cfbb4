"""Usage that adds up: no overlapping sessions (also in data recorded before the rule), sessions
only on bookings that happened, a no-show with recorded use becomes completed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from service.db import Database
from service.migrate import migrate
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_booking, add_session

#: The last migration before usage sessions had their rules.
BEFORE_RULES = "2026-12-03T08:50:00:000000"
T0 = datetime(2026, 3, 2, 1, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


async def test_overlapping_sessions_are_refused(db: Database) -> None:
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    await add_session(db, inst, owner, h(0), h(2))
    await add_session(db, inst, owner, h(2), h(3))  # adjacent: fine
    with pytest.raises(asyncpg.ExclusionViolationError):
        await add_session(db, inst, owner, h(1), h(1.5))
    await add_session(db, inst, owner, h(4), None)  # checked in, still open
    with pytest.raises(asyncpg.ExclusionViolationError):
        await add_session(db, inst, owner, h(30), h(31))  # an open session holds the instrument
    other = await make_instrument(db, owner)
    await add_session(db, other, owner, h(1), h(1.5))  # another instrument: fine


async def _cleanup_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def test_the_migration_resolves_overlaps_recorded_before_the_rule(database_url: str) -> None:
    """On a copy of the schema before the rule: an open session overlapped later, a session
    inside another and one reaching past it; afterwards none overlap, every change is in the
    history, and a used no-show became completed."""
    name = "is_mig_" + uuid.uuid4().hex[:10]
    server = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    conn = await asyncpg.connect(server)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = urlunsplit(urlsplit(database_url)._replace(path="/" + name))
    try:
        migrate(url, BEFORE_RULES)
        old = await asyncpg.connect(url)
        try:
            ids = await _old_data(old)
        finally:
            await old.close()
        migrate(url)
        new = await asyncpg.connect(url)
        try:
            rows = {
                r["id"]: (r["started_at"], r["ended_at"])
                for r in await new.fetch("SELECT id, started_at, ended_at FROM usage_session")
            }
            assert rows == {
                ids["open"]: (h(0), h(1)),  # closed where the next one starts
                ids["first"]: (h(1), h(5)),
                ids["past"]: (h(5), h(7)),  # starts where the earlier one ends
            }
            history = await new.fetch(
                "SELECT session_id, action FROM usage_session_revision ORDER BY id"
            )
            assert [(r["session_id"], r["action"]) for r in history] == [
                (ids["open"], "trimmed"),
                (ids["inside"], "deleted"),
                (ids["past"], "trimmed"),
            ]
            status = await new.fetchval("SELECT status FROM booking WHERE id = $1", ids["booking"])
            assert status == "completed"
            assert await new.fetchval(
                "SELECT count(*) FROM booking_event WHERE action = 'usage_reconciled'"
            )
        finally:
            await new.close()
    finally:
        await _cleanup_database(server, name)


async def _old_data(conn: asyncpg.Connection) -> dict[str, int]:
    await conn.execute(
        "INSERT INTO region (code, name_zh, name_en, timezone) VALUES ('220100', '长春', 'CC', 'Asia/Shanghai')"
    )
    await conn.execute(
        "INSERT INTO category (code, name_zh, name_en) VALUES ('01', '分析仪器', 'Analytical')"
    )
    owner = await conn.fetchval(
        "INSERT INTO institution (code, name_zh, name_en, kind, region_code) "
        "VALUES ('mig-a', 'A', 'A', 'university', '220100') RETURNING id"
    )
    inst = await conn.fetchval(
        "INSERT INTO instrument (institution_id, name_zh, category_code, original_value) "
        "VALUES ($1, 'NMR', '01', 100) RETURNING id",
        owner,
    )
    user = await conn.fetchval(
        "INSERT INTO app_user (email, display_name, institution_id, password_hash) "
        "VALUES ('m@example.org', 'm', $1, 'x') RETURNING id",
        owner,
    )
    booking = await conn.fetchval(
        "INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status, "
        "booker_institution_id, booker_region_code) "
        "VALUES ($1, $2, $3, $4, $4, 'no_show', $5, '220100') RETURNING id",
        inst,
        user,
        h(1),
        h(5),
        owner,
    )
    insert = (
        "INSERT INTO usage_session (instrument_id, booking_id, user_institution_id, "
        "user_region_code, is_external, is_cross_region, started_at, ended_at) "
        "VALUES ($1, $2, $3, '220100', false, false, $4, $5) RETURNING id"
    )
    return {
        "open": await conn.fetchval(insert, inst, None, owner, h(0), None),
        "first": await conn.fetchval(insert, inst, booking, owner, h(1), h(5)),
        "inside": await conn.fetchval(insert, inst, None, owner, h(2), h(3)),
        "past": await conn.fetchval(insert, inst, None, owner, h(4), h(7)),
        "booking": booking,
    }


async def test_sessions_need_a_booking_that_happened(
    client: httpx.AsyncClient, db: Database
) -> None:
    owner = await make_institution(db)
    guest = await make_institution(db, region="222400")
    inst = await make_instrument(db, owner)
    manager = await make_user(db, owner, manages=[inst])
    booker = await make_user(db, guest)
    now = datetime.now(UTC)
    url = f"/api/v1/instruments/{inst}/usage"
    for n, status in enumerate(("cancelled", "rejected", "expired", "pending")):
        start = now - timedelta(days=2, hours=3 * n)
        booking = await add_booking(
            db, inst, booker, start, start + timedelta(hours=1), status=status
        )
        body = {
            "booking_id": booking,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        }
        r = await client.post(url, json=body, headers=manager.headers)
        assert r.status_code == 409, r.text
        assert r.json()["booking_status"] == status
        assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == status
    assert (
        await db.fetchval("SELECT count(*) FROM usage_session WHERE instrument_id = $1", inst) == 0
    )
    # the database refuses it too, whoever writes
    cancelled = await add_booking(
        db,
        inst,
        booker,
        now - timedelta(days=3),
        now - timedelta(days=3, hours=-1),
        status="cancelled",
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await add_session(
            db,
            inst,
            guest,
            now - timedelta(days=3),
            now - timedelta(days=3, hours=-1),
            booking_id=cancelled,
        )


async def test_a_no_show_with_recorded_use_becomes_completed(
    client: httpx.AsyncClient, db: Database
) -> None:
    owner = await make_institution(db)
    guest = await make_institution(db, region="222400")
    inst = await make_instrument(db, owner)
    manager = await make_user(db, owner, manages=[inst])
    booker = await make_user(db, guest)
    start = datetime.now(UTC) - timedelta(days=1)
    booking = await add_booking(
        db, inst, booker, start, start + timedelta(hours=2), status="no_show"
    )
    await db.execute("UPDATE booking SET service_way = 'entrusted' WHERE id = $1", booking)
    body = {
        "booking_id": booking,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }
    r = await client.post(f"/api/v1/instruments/{inst}/usage", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    # the booking's user and service way: entrusted work for an outsider stays external
    assert (r.json()["user_id"], r.json()["service_way"], r.json()["is_external"]) == (
        booker.id,
        "entrusted",
        True,
    )
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "completed"
    event = await db.fetchrow(
        "SELECT from_status, to_status FROM booking_event WHERE booking_id = $1 AND action = 'usage_recorded'",
        booking,
    )
    assert event is not None and (event["from_status"], event["to_status"]) == (
        "no_show",
        "completed",
    )
    # a second record of the same booking, and an overlapping record without one, are refused
    again = await client.post(
        f"/api/v1/instruments/{inst}/usage", json=body, headers=manager.headers
    )
    assert again.status_code == 409
    own = {
        "start": (start + timedelta(hours=1)).isoformat(),
        "end": (start + timedelta(hours=3)).isoformat(),
    }
    overlap = await client.post(
        f"/api/v1/instruments/{inst}/usage", json=own, headers=manager.headers
    )
    assert overlap.status_code == 409
    assert overlap.json()["conflicts"] == [
        {
            "start": start.isoformat().replace("+00:00", "Z"),
            "end": (start + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        }
    ]
    # the no-show job leaves it alone: a slot never counts as both used and missed
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute("UPDATE booking SET status = 'no_show' WHERE id = $1", booking)


async def test_a_check_in_hands_the_instrument_over(
    client: httpx.AsyncClient, db: Database
) -> None:
    """The next user's check-in ends a session left open, so the two never overlap."""
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    user = await make_user(db, owner)
    now = datetime.now(UTC)
    first = await add_booking(
        db, inst, user, now - timedelta(hours=2), now + timedelta(minutes=10), status="in_use"
    )
    await add_session(
        db, inst, owner, now - timedelta(hours=2), None, booking_id=first, user_id=user.id
    )
    second = await add_booking(
        db, inst, user, now + timedelta(minutes=10), now + timedelta(hours=1), status="confirmed"
    )
    r = await client.post(f"/api/v1/bookings/{second}/check-in", headers=user.headers)
    assert r.status_code == 200, r.text
    rows = await db.fetch(
        "SELECT booking_id, started_at, ended_at FROM usage_session WHERE instrument_id = $1 ORDER BY started_at",
        inst,
    )
    assert [r["booking_id"] for r in rows] == [first, second]
    assert rows[0]["ended_at"] is not None and rows[0]["ended_at"] <= rows[1]["started_at"]
