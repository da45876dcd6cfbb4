"""Reminders: queued when their lead time comes, one per booking, lead and version; never sent
late; caught up after an outage, with reminders that no longer make sense recorded as expired
(their booking started or changed: `expired_reason`) or skipped (not wanted any more)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from service.db import Database
from service.notifications import rules
from service.notifications.delivery import deliver_outbox
from service.notifications.reminders import queue_reminders
from service.settings import Settings
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    make_booking,
    make_scene,
    outbox_message_id,
    outbox_rows,
    smtp,  # noqa: F401 - fixture
)

H = timedelta(hours=1)
M = timedelta(minutes=1)


async def _reminders(db: Database, booking: int) -> list[tuple[str, str, str]]:
    """(dedupe key, state, why): the expiry code for expired rows, else the skip reason."""
    return [
        (r["dedupe_key"], r["state"], r["expired_reason"] or r["skip_reason"])
        for r in await outbox_rows(db, [booking])
        if r["kind"] == "reminder"
    ]


async def test_reminders_follow_the_lead_times(db: Database, settings: Settings) -> None:
    scene = await make_scene(db)  # default leads: 24 h and 1 h
    now = datetime(2032, 5, 10, 8, tzinfo=UTC)
    far = await make_booking(db, scene, now + 30 * H, minutes=20)
    day = await make_booking(db, scene, now + 23 * H, minutes=20)
    soon = await make_booking(db, scene, now + 30 * M, minutes=20)
    held = await make_booking(db, scene, now + 2 * H, status="held")
    done = await make_booking(db, scene, now - 2 * H, status="completed")

    await queue_reminders(db, settings, now)

    assert await _reminders(db, far) == []  # 24 h lead not reached yet
    assert await _reminders(db, day) == [(rules.reminder_key(day, 1440, 1), "pending", "")]
    # Booked 30 min ahead: only the nearest lead whose time has come, not the 24 h one too.
    assert await _reminders(db, soon) == [(rules.reminder_key(soon, 60, 1), "pending", "")]
    assert await _reminders(db, held) == []
    assert await _reminders(db, done) == []

    await queue_reminders(db, settings, now + 7 * H)  # far is now 23 h ahead
    await queue_reminders(db, settings, now + 7 * H)  # a second tick adds nothing
    assert [k for k, _, _ in await _reminders(db, far)] == [rules.reminder_key(far, 1440, 1)]


async def test_custom_and_disabled_leads(db: Database, settings: Settings) -> None:
    custom = await make_scene(db, leads=[90])
    off = await make_scene(db, leads=[])
    now = datetime(2032, 6, 1, 8, tzinfo=UTC)
    a = await make_booking(db, custom, now + 80 * M, minutes=20)
    b = await make_booking(db, off, now + 10 * M, minutes=20)
    await queue_reminders(db, settings, now)
    assert await _reminders(db, a) == [(rules.reminder_key(a, 90, 1), "pending", "")]
    assert await _reminders(db, b) == []


async def test_concurrent_queueing_creates_each_reminder_once(
    db: Database, settings: Settings
) -> None:
    scene = await make_scene(db, leads=[600])
    now = datetime(2032, 7, 1, 8, tzinfo=UTC)
    bookings = [await make_booking(db, scene, now + (i + 1) * H) for i in range(8)]
    await asyncio.gather(*(queue_reminders(db, settings, now) for _ in range(3)))
    rows = await outbox_rows(db, bookings)
    assert sorted(r["booking_id"] for r in rows) == sorted(bookings)


async def test_rescheduled_and_cancelled_bookings(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, leads=[120])
    now = datetime(2032, 8, 2, 8, tzinfo=UTC)
    moved = await make_booking(db, scene, now + 90 * M, minutes=5)
    cancelled = await make_booking(db, scene, now + 100 * M, minutes=5)
    await queue_reminders(db, mail_settings, now)
    # The booking moves 15 minutes later (a new version); the other is cancelled.
    await db.execute(
        """UPDATE booking SET starts_at = starts_at + interval '15 minutes',
                              ends_at = ends_at + interval '15 minutes',
                              occupied_until = occupied_until + interval '15 minutes',
                              version = version + 1 WHERE id = $1""",
        moved,
    )
    await db.execute(
        "UPDATE booking SET status = 'cancelled', version = version + 1 WHERE id = $1", cancelled
    )
    later = now + 5 * M
    await queue_reminders(db, mail_settings, later)
    await deliver_outbox(db, mail_settings, later)

    assert await _reminders(db, moved) == [
        (rules.reminder_key(moved, 120, 1), "expired", "booking_changed"),
        (rules.reminder_key(moved, 120, 2), "sent", ""),
    ]
    assert await _reminders(db, cancelled) == [
        (rules.reminder_key(cancelled, 120, 1), "expired", "booking_changed")
    ]
    rows = await outbox_rows(db, [moved, cancelled])
    received = smtp.sink.ids()
    assert [received[outbox_message_id(r["id"])] for r in rows] == [
        int(r["state"] == "sent") for r in rows
    ]
    assert sum(received[outbox_message_id(r["id"])] for r in rows) == 1


async def test_two_hour_outage_sends_what_is_still_relevant(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db)  # 24 h and 1 h
    before = datetime(2032, 9, 6, 8, tzinfo=UTC)
    started = await make_booking(db, scene, before + 30 * M, minutes=20)
    also_started = await make_booking(db, scene, before + 100 * M, minutes=20)
    upcoming = await make_booking(db, scene, before + 150 * M, minutes=20)
    tomorrow = await make_booking(db, scene, before + 25 * H, minutes=20)
    # The last tick before the outage queued reminders (1 h for the first booking, 24 h for the
    # next two), then the scheduler stopped before delivering them.
    await queue_reminders(db, mail_settings, before)
    queued = await outbox_rows(db, [started, also_started, upcoming, tomorrow])
    assert sorted(r["booking_id"] for r in queued) == sorted([started, also_started, upcoming])

    after = before + 2 * H
    await queue_reminders(db, mail_settings, after)
    result = await deliver_outbox(db, mail_settings, after)

    assert await _reminders(db, started) == [
        (rules.reminder_key(started, 60, 1), "expired", "booking_started")
    ]
    assert await _reminders(db, also_started) == [
        (rules.reminder_key(also_started, 1440, 1), "expired", "booking_started")
    ]
    # 30 minutes to go: the 1 h reminder goes out at once; the stale 24 h one is skipped.
    assert await _reminders(db, upcoming) == [
        (rules.reminder_key(upcoming, 1440, 1), "skipped", "superseded by a nearer reminder"),
        (rules.reminder_key(upcoming, 60, 1), "sent", ""),
    ]
    # Its 24 h lead came during the outage: queued and sent on the first tick.
    assert await _reminders(db, tomorrow) == [(rules.reminder_key(tomorrow, 1440, 1), "sent", "")]
    assert result.counts["expired"] >= 2 and result.counts["skipped"] >= 1
    assert result.counts["sent"] >= 2
    received = smtp.sink.ids()
    for row in await outbox_rows(db, [started, also_started, upcoming, tomorrow]):
        assert received[outbox_message_id(row["id"])] == int(row["state"] == "sent")
        if row["state"] == "sent":
            assert row["sent_at"] >= after


async def test_queued_far_lead_gives_way_to_a_nearer_one(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db)  # 24 h and 1 h
    before = datetime(2032, 10, 4, 8, tzinfo=UTC)
    booking = await make_booking(db, scene, before + 23 * H, minutes=20)
    await queue_reminders(db, mail_settings, before)  # the 24 h reminder, not delivered
    after = before + 22 * H + 30 * M  # down until 30 minutes before the start
    await queue_reminders(db, mail_settings, after)
    await deliver_outbox(db, mail_settings, after)
    assert await _reminders(db, booking) == [
        (rules.reminder_key(booking, 1440, 1), "skipped", "superseded by a nearer reminder"),
        (rules.reminder_key(booking, 60, 1), "sent", ""),
    ]


async def test_turning_reminders_off_drops_queued_ones(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, leads=[60])
    now = datetime(2032, 11, 8, 8, tzinfo=UTC)
    booking = await make_booking(db, scene, now + 40 * M, minutes=20)
    await queue_reminders(db, mail_settings, now)
    await db.execute(
        "UPDATE app_user SET reminder_lead_minutes = '{}' WHERE id = $1", scene.user_id
    )
    await deliver_outbox(db, mail_settings, now + M)
    assert await _reminders(db, booking) == [
        (
            rules.reminder_key(booking, 60, 1),
            "skipped",
            "reminder lead time no longer chosen by the user",
        )
    ]
    [row] = await outbox_rows(db, [booking])
    assert smtp.sink.ids()[outbox_message_id(row["id"])] == 0
