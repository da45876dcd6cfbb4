"""Users are told ahead of maintenance or a closure on the day of their booking (exactly
once, some days before, by mail), and the next user is told when a session ends early."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx

from service.common.time import utcnow
from service.db import Database
from service.notifications.ahead import queue_calendar_notices
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.bookings_support import book, future_day, local, make_world
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    outbox_message_id,
    smtp,  # noqa: F401 - fixture
    text_of,
)


async def _notices(db: Database, booking_id: int, kind: str) -> list[int]:
    rows = await db.fetch(
        "SELECT id FROM notification_outbox WHERE booking_id = $1 AND kind = $2 ORDER BY id",
        booking_id,
        kind,
    )
    return [r["id"] for r in rows]


async def test_users_hear_of_maintenance_and_closures_on_their_day_once_and_days_ahead(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    w = await make_world(db, horizon_days=60)
    settings = dataclasses.replace(mail_settings, notice_days_before_closure=3)
    soon, later = future_day(2), future_day(12)
    near = (await book(client, w.outsider, w.instrument, local(soon, 14), local(soon, 15))).json()
    far = (await book(client, w.insider, w.instrument, local(later, 14), local(later, 15))).json()
    closed_day = future_day(1)
    special = (
        await book(client, w.insider, w.instrument, local(closed_day, 10), local(closed_day, 11))
    ).json()
    for day in (soon, later):
        placed = await client.post(
            f"/api/v1/instruments/{w.instrument}/blocks",
            json={
                "start": local(day, 8).isoformat(),
                "end": local(day, 10).isoformat(),
                "reason": "annual calibration",
            },
            headers=w.manager.headers,
        )
        assert placed.status_code == 201, placed.text
    closure = await client.post(
        f"/api/v1/instruments/{w.instrument}/closures",
        json={
            "day": closed_day.isoformat(),
            "opens": "09:00",
            "closes": "12:00",
            "reason": "audit",
        },
        headers=w.manager.headers,
    )
    assert closure.status_code == 201, closure.text

    now = utcnow()
    await queue_calendar_notices(db, settings, now)
    await queue_calendar_notices(db, settings, now + timedelta(minutes=10))
    assert len(await _notices(db, near["id"], "calendar_ahead")) == 1
    assert len(await _notices(db, special["id"], "calendar_ahead")) == 1
    assert await _notices(db, far["id"], "calendar_ahead") == [], "not yet: 12 days ahead"

    await deliver_outbox(db, settings, utcnow())
    (near_notice,) = await _notices(db, near["id"], "calendar_ahead")
    mail = smtp.sink.by_id(outbox_message_id(near_notice))
    assert mail["To"] == w.outsider.email
    assert mail["Subject"].startswith("Maintenance or closure on the day of your booking")
    text = text_of(mail)
    assert "annual calibration" in text and f"{soon:%Y-%m-%d} 08:00" in text
    (closure_notice,) = await _notices(db, special["id"], "calendar_ahead")
    zh = text_of(smtp.sink.by_id(outbox_message_id(closure_notice)))
    assert "09:00–12:00" in zh and "当日开放" in zh

    # Nine days on, the far booking's turn comes, and only once.
    await queue_calendar_notices(db, settings, now + timedelta(days=9, hours=12))
    await queue_calendar_notices(db, settings, now + timedelta(days=9, hours=13))
    assert len(await _notices(db, far["id"], "calendar_ahead")) == 1
    assert len(await _notices(db, near["id"], "calendar_ahead")) == 1


async def test_the_next_user_is_told_when_a_session_ends_early(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    w = await make_world(db, approval="none")
    clock = datetime.now(UTC)
    start = clock.replace(minute=clock.minute // 30 * 30, second=0, microsecond=0)
    current = await db.fetchval(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status,
               booker_institution_id, booker_region_code)
           VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100') RETURNING id""",
        w.instrument,
        w.insider.id,
        start,
        start + timedelta(hours=2),
        w.owner,
    )
    nxt = await book(
        client,
        w.outsider,
        w.instrument,
        start + timedelta(hours=2),
        start + timedelta(hours=3),
    )
    assert nxt.status_code == 201, nxt.text
    later = await book(
        client, w.enterprise, w.instrument, start + timedelta(hours=3), start + timedelta(hours=4)
    )
    assert later.status_code == 201
    assert (
        await client.post(f"/api/v1/bookings/{current}/check-in", headers=w.insider.headers)
    ).status_code == 200
    out = await client.post(f"/api/v1/bookings/{current}/check-out", headers=w.insider.headers)
    assert out.status_code == 200, out.text
    (notice,) = await _notices(db, nxt.json()["id"], "instrument_free_early")
    assert await _notices(db, later.json()["id"], "instrument_free_early") == []
    await deliver_outbox(db, mail_settings, utcnow())
    mail = smtp.sink.by_id(outbox_message_id(notice))
    assert mail["To"] == w.outsider.email
    assert mail["Subject"].startswith("The instrument is free early")
    assert "Free from" in text_of(mail)
