"""Each mail is true to the moment its notice was written: rendered from the snapshot taken in
the transaction of the change, never from the booking as it is at delivery. Messages are
received by a real SMTP server, read with Python's `email` parser and their invitations with
libical (the iTIP restriction check included)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

import httpx

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.bookings_support import World, book, future_day, local, make_world
from tests.libical_support import LibicalEvent, read_with_libical
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    outbox_message_id,
    smtp,  # noqa: F401 - fixture
    text_of,
)


async def _notices(db: Database, booking: int) -> dict[tuple[str, int], dict[str, object]]:
    rows = await db.fetch(
        "SELECT * FROM notification_outbox WHERE booking_id = $1 ORDER BY id", booking
    )
    return {(r["kind"], r["user_id"]): dict(r) for r in rows}


def _mail(server: SmtpServer, outbox_id: object) -> EmailMessage:
    return server.sink.by_id(outbox_message_id(int(str(outbox_id))))


def _invitation(message: EmailMessage) -> tuple[str, LibicalEvent]:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    body = part.get_content().encode()
    report = read_with_libical(body)
    assert report.restrictions_ok and report.errors == [], report.errors
    assert report.method == part.get_param("method")
    [event] = report.events
    return str(report.method), event


async def _booking_times(db: Database, booking: int) -> tuple[datetime, datetime]:
    row = await db.fetchrow("SELECT starts_at, ends_at FROM booking WHERE id = $1", booking)
    assert row is not None
    return row["starts_at"], row["ends_at"]


async def _request(client: httpx.AsyncClient, world: World) -> int:
    day = future_day(5)
    response = await book(client, world.outsider, world.instrument, local(day, 9), local(day, 11))
    assert response.status_code == 201 and response.json()["status"] == "pending"
    return int(response.json()["id"])


async def _act(client: httpx.AsyncClient, who: object, booking: int, action: str) -> None:
    response = await client.post(
        f"/api/v1/bookings/{booking}/{action}",
        headers=who.headers,  # type: ignore[attr-defined]
    )
    assert response.status_code == 200, response.text


async def test_each_step_mails_what_it_was_and_sequences_increase(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    world = await make_world(db)
    booking = await _request(client, world)
    await deliver_outbox(db, mail_settings, utcnow())
    await _act(client, world.manager, booking, "approve")
    await deliver_outbox(db, mail_settings, utcnow())
    await _act(client, world.outsider, booking, "cancel")
    await deliver_outbox(db, mail_settings, utcnow())

    notices = await _notices(db, booking)
    me, manager = world.outsider.id, world.manager.id
    assert {k: n["state"] for k, n in notices.items()} == {
        ("booking_requested", me): "sent",
        ("approval_needed", manager): "sent",
        ("booking_confirmed", me): "sent",
        ("booking_cancelled", me): "sent",
    }
    requested = _mail(smtp, notices[("booking_requested", me)]["id"])
    assert str(requested["Subject"]).startswith("Booking request received")
    assert not list(requested.iter_attachments())
    start, end = await _booking_times(db, booking)
    confirmed = _mail(smtp, notices[("booking_confirmed", me)]["id"])
    assert str(confirmed["Subject"]).startswith("Booking confirmed")
    method, invite = _invitation(confirmed)
    assert (method, invite.status, invite.sequence) == ("REQUEST", "CONFIRMED", 2)
    assert (invite.start, invite.end) == (start, end)
    cancelled = _mail(smtp, notices[("booking_cancelled", me)]["id"])
    method, cancel = _invitation(cancelled)
    assert (method, cancel.status, cancel.sequence) == ("CANCEL", "CANCELLED", 3)
    assert cancel.uid == invite.uid and cancel.sequence > invite.sequence


async def test_approved_then_cancelled_before_the_tick_sends_only_the_cancellation(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    world = await make_world(db)
    booking = await _request(client, world)
    await _act(client, world.manager, booking, "approve")
    await _act(client, world.outsider, booking, "cancel")
    await deliver_outbox(db, mail_settings, utcnow())

    notices = await _notices(db, booking)
    me = world.outsider.id
    outcome = {k[0]: (n["state"], n["expired_reason"]) for k, n in notices.items()}
    assert outcome == {
        "booking_requested": ("expired", "booking_changed"),
        "approval_needed": ("expired", "booking_changed"),
        "booking_confirmed": ("expired", "booking_changed"),
        "booking_cancelled": ("sent", None),
    }
    received = smtp.sink.ids()
    for notice in notices.values():
        assert received[outbox_message_id(int(str(notice["id"])))] == int(notice["state"] == "sent")
    method, event = _invitation(_mail(smtp, notices[("booking_cancelled", me)]["id"]))
    assert (method, event.status, event.sequence) == ("CANCEL", "CANCELLED", 3)


async def test_a_mail_describes_the_booking_as_it_was_when_the_notice_was_written(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    world = await make_world(db, approval="none")
    day = future_day(6)
    response = await book(client, world.insider, world.instrument, local(day, 14), local(day, 15))
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    booking = int(response.json()["id"])
    old = await db.fetchval("SELECT name_zh FROM instrument WHERE id = $1", world.instrument)
    await db.execute(
        "UPDATE instrument SET name_zh = '改名后的仪器', name_en = 'Renamed' WHERE id = $1",
        world.instrument,
    )
    await deliver_outbox(db, mail_settings, utcnow())
    notice = (await _notices(db, booking))[("booking_confirmed", world.insider.id)]
    message = _mail(smtp, notice["id"])
    text = text_of(message)
    assert old in str(message["Subject"]) and old in text and "改名后的仪器" not in text
    _, event = _invitation(message)
    assert event.summary.startswith(old) and "改名后的仪器" not in event.summary
