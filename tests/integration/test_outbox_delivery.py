"""Outbox delivery through a real SMTP server: exactly once with concurrent deliverers,
backoff and dead letters, and what the mails say."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from service.common.time import utcnow
from service.db import Database
from service.notifications import circuit
from service.notifications.delivery import deliver_outbox, retry_policy
from service.notifications.mailer import parse_smtp_url
from service.notifications.reminders import queue_reminders
from service.outbox.store import enqueue
from service.settings import Settings
from tests.scheduler_support import (
    Sink,
    SmtpServer,
    close_mail_circuit,
    free_port,
    insert_bookings,
    mail_settings,  # noqa: F401 - fixture
    make_booking,
    make_scene,
    outbox_message_id,
    outbox_rows,
    smtp,  # noqa: F401 - fixture
)


async def test_three_schedulers_deliver_each_of_500_reminders_once(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, leads=[100_000])
    now = utcnow()
    bookings = await insert_bookings(db, scene, now + timedelta(hours=2), 500)

    async def scheduler(index: int) -> int:
        own = Database(mail_settings.database_url or "", 1, 3)
        await own.connect()
        sent = 0
        try:
            for _ in range(200):
                await queue_reminders(own, mail_settings, now)
                result = await deliver_outbox(own, mail_settings, now, batch_size=25)
                sent += result.counts.get("sent", 0)
                rows = await outbox_rows(own, bookings)
                if len(rows) == 500 and all(r["state"] != "pending" for r in rows):
                    break
        finally:
            await own.close()
        return sent

    per_scheduler = await asyncio.gather(*(scheduler(i) for i in range(3)))

    rows = await outbox_rows(db, bookings)
    assert len(rows) == 500
    assert {r["state"] for r in rows} == {"sent"}
    received = smtp.sink.ids()
    for row in rows:
        assert row["message_id"] == outbox_message_id(row["id"])
        assert received[row["message_id"]] == 1, row["id"]
    assert sum(1 for n in per_scheduler if n > 0) >= 2, per_scheduler


async def test_refused_mail_backs_off_with_jitter_until_the_horizon_then_goes_dead(
    db: Database, settings: Settings
) -> None:
    scene = await make_scene(db)
    start = datetime(2031, 3, 3, 1, tzinfo=UTC)
    booking = await make_booking(db, scene, start)
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn,
            kind="booking_confirmed",
            user_id=scene.user_id,
            booking_id=booking,
            dedupe_key=f"test-refused:{booking}",
        )
    await close_mail_circuit(db)
    with SmtpServer(Sink(refuse="550 5.7.1 Mailbox unavailable")) as server:
        refusing = dataclasses.replace(
            settings, smtp_url=server.url, mail_retry_horizon_seconds=3600
        )
        policy = retry_policy(refusing)
        first = at = utcnow()
        attempt = 0
        while True:
            attempt += 1
            await deliver_outbox(db, refusing, at)
            row = await db.fetchrow("SELECT * FROM notification_outbox WHERE id = $1", outbox_id)
            assert row is not None
            assert row["attempts"] == attempt and "550" in row["last_error"]
            assert row["sent_at"] is None and row["failing_since"] == first
            if row["state"] == "dead":
                break
            assert row["state"] == "pending"
            full = min(policy.base * 2 ** (attempt - 1), policy.cap)
            wait = row["next_attempt_at"] - at
            deadline = first + policy.horizon
            assert full / 2 <= wait <= full or row["next_attempt_at"] == deadline, (attempt, wait)
            # Not due yet: a run just before the backoff ends leaves it alone.
            await deliver_outbox(db, refusing, row["next_attempt_at"] - timedelta(seconds=1))
            again = await db.fetchval(
                "SELECT attempts FROM notification_outbox WHERE id = $1", outbox_id
            )
            assert again == attempt
            at = row["next_attempt_at"]
        # The last try fell on the horizon itself: an hour after the first failure, not 4 tries.
        assert at == first + policy.horizon and attempt > 5
        assert server.sink.refused >= attempt
        assert await circuit.is_closed(db), "a refused message is not an outage"


async def test_an_unreachable_server_holds_the_queue_without_spending_attempts(
    db: Database, settings: Settings
) -> None:
    scene = await make_scene(db)
    booking = await make_booking(db, scene, datetime(2031, 4, 1, 2, tzinfo=UTC))
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn,
            kind="booking_requested",
            user_id=scene.user_id,
            booking_id=booking,
            dedupe_key=f"test-unreachable:{booking}",
        )
    await close_mail_circuit(db)
    closed = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    now = utcnow()
    try:
        result = await deliver_outbox(db, closed, now)
        row = await db.fetchrow("SELECT * FROM notification_outbox WHERE id = $1", outbox_id)
        assert result.counts.get("held", 0) >= 1 and "failed" not in result.counts
        assert row is not None
        assert (row["state"], row["attempts"], row["failing_since"]) == ("pending", 0, None)
        assert row["next_attempt_at"] == now and "mail outage" in row["last_error"]
        assert not await circuit.is_closed(db)
    finally:
        await close_mail_circuit(db)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, False, None, None)),
        ("smtp://mail.example.org", ("mail.example.org", 25, False, None, None)),
        ("smtps://bot:p%40ss@mail.example.org", ("mail.example.org", 465, True, "bot", "p@ss")),
    ],
)
def test_smtp_urls(url: str, expected: tuple[object, ...]) -> None:
    target = parse_smtp_url(url)
    assert (target.host, target.port, target.use_tls, target.username, target.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP_URL must be"):
        parse_smtp_url(url)


async def test_a_malformed_notice_is_dead_at_once_and_holds_up_nothing(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db)
    bookings = [await make_booking(db, scene, datetime(2031, 5, 1, h, tzinfo=UTC)) for h in (1, 3)]
    ids = []
    async with db.transaction() as conn:
        for booking in bookings:
            ids.append(
                await enqueue(
                    conn,
                    kind="booking_confirmed",
                    user_id=scene.user_id,
                    booking_id=booking,
                    dedupe_key=f"test-malformed:{booking}",
                )
            )
    await db.execute(
        "UPDATE notification_outbox SET payload = payload #- '{booking,start}' WHERE id = $1",
        ids[0],
    )
    await deliver_outbox(db, mail_settings, utcnow())
    broken, fine = await outbox_rows(db, bookings)
    assert (broken["state"], broken["attempts"]) == ("dead", 0)
    assert "malformed notice: KeyError" in broken["last_error"]
    assert fine["state"] == "sent" and smtp.sink.ids()[outbox_message_id(fine["id"])] == 1
