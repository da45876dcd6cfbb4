"""A delivery worker killed with SIGKILL mid-batch loses nothing: once its lease ends another
worker sends the rest, and the only duplicates are rows of the batch in flight, carrying the
same Message-ID."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import sys
from datetime import timedelta
from pathlib import Path

from service.common.time import utcnow
from service.db import Database
from service.notifications import rules
from service.notifications.delivery import deliver_outbox
from service.notifications.reminders import queue_reminders
from service.settings import Settings
from tests.scheduler_support import (
    Sink,
    SmtpServer,
    eventually,
    insert_bookings,
    make_scene,
    outbox_message_id,
    outbox_rows,
)

ROOT = Path(__file__).resolve().parents[2]
BATCH = 20


async def test_sigkilled_worker_loses_no_reminder(db: Database, settings: Settings) -> None:
    scene = await make_scene(db, leads=[100_000])
    now = utcnow()
    bookings = await insert_bookings(db, scene, now + timedelta(hours=3), 200)
    await queue_reminders(db, settings, now)
    sink = Sink(hold_at=50)
    with SmtpServer(sink) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.scheduler_support",
            settings.database_url or "",
            server.url,
            str(BATCH),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 20)).strip() == b"ready"
        # The 50th message reached the server; the worker waits for the reply. Kill it now.
        await eventually(sink.holding.is_set, 20)
        proc.kill()
        assert await proc.wait() == -9
        sink.released.set()

        in_flight = {
            r["id"]
            for r in await db.fetch(
                """SELECT id FROM notification_outbox
                   WHERE state = 'pending' AND claimed_by = $1""",
                f"{socket.gethostname()}:{proc.pid}",
            )
        }
        assert 0 < len(in_flight) <= BATCH
        # Until the lease ends nobody else takes the dead worker's rows.
        survivor = dataclasses.replace(settings, smtp_url=server.url)
        await deliver_outbox(db, survivor, utcnow())
        still = await db.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE id = ANY($1::bigint[])"
            " AND state = 'pending'",
            list(in_flight),
        )
        assert still == len(in_flight)

        await deliver_outbox(db, survivor, utcnow() + rules.LEASE + timedelta(seconds=1))

    rows = await outbox_rows(db, bookings)
    assert len(rows) == 200
    assert {r["state"] for r in rows} == {"sent"}
    received = sink.ids()
    duplicated = {r["id"] for r in rows if received[outbox_message_id(r["id"])] > 1}
    assert all(received[outbox_message_id(r["id"])] >= 1 for r in rows)
    assert duplicated <= in_flight
    assert all(n <= 2 for n in received.values())
