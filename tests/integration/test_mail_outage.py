"""A mail outage holds the whole queue instead of failing each notice: the circuit breaker's
state is shared through the database, so two deliverers (as two scheduler processes) agree;
the outage is logged once when it starts and once when it ends; the delivery job reads as
degraded in the jobs view, the readiness details and the Prometheus gauges; and once the
server is back every notice arrives exactly once, none dead."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.outbox.store import enqueue
from service.settings import Settings
from tests.factories import UserHandle, make_institution, make_user
from tests.scheduler_support import (
    Sink,
    SmtpServer,
    close_mail_circuit,
    free_port,
    insert_bookings,
    make_scene,
    outbox_message_id,
    outbox_rows,
)

NOTICES = 30


@pytest.fixture
async def two_processes(settings: Settings) -> AsyncIterator[list[Database]]:
    pools = [Database(settings.database_url or "", 1, 3) for _ in range(2)]
    for pool in pools:
        await pool.connect()
    try:
        yield pools
    finally:
        for pool in pools:
            await pool.close()


async def _circuit(db: Database) -> dict[str, object]:
    return dict(await db.fetchrow("SELECT * FROM mail_circuit WHERE id = 1") or {})


def _lines(caplog: pytest.LogCaptureFixture, start: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(start)]


async def _observed(
    client: httpx.AsyncClient, admin: UserHandle
) -> tuple[str, dict[str, Any], str]:
    jobs = await client.get("/api/v1/admin/jobs", headers=admin.headers)
    delivery = next(j for j in jobs.json()["items"] if j["name"] == "deliver_outbox")
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, "a mail outage must not make the service unready"
    metrics = (await client.get("/metrics")).text
    return delivery["health"], ready.json(), metrics


def _gauge(metrics: str, name: str) -> float:
    line = next(line for line in metrics.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


async def test_an_outage_holds_the_queue_logs_twice_and_loses_nothing(
    db: Database,
    settings: Settings,
    two_processes: list[Database],
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="service.notifications")
    admin = await make_user(db, await make_institution(db), platform_admin=True)
    scene = await make_scene(db)
    bookings = await insert_bookings(db, scene, utcnow() + timedelta(days=2), NOTICES)
    async with db.transaction() as conn:
        for booking in bookings:
            await enqueue(
                conn,
                kind="booking_confirmed",
                user_id=scene.user_id,
                booking_id=booking,
                dedupe_key=f"outage:{booking}",
            )
    await close_mail_circuit(db)
    port = free_port()
    mail = dataclasses.replace(
        settings,
        smtp_url=f"smtp://127.0.0.1:{port}",
        mail_retry_base_seconds=10,
        mail_retry_max_seconds=60,
    )
    now = utcnow()

    async def both(at: object) -> list[dict[str, int]]:
        runs = [deliver_outbox(p, mail, at, batch_size=10) for p in two_processes]  # type: ignore[arg-type]
        return [r.counts for r in await asyncio.gather(*runs)]

    try:
        # The server is down: the first batch finds out, the circuit opens, nothing is spent.
        await both(now)
        state = await _circuit(db)
        assert state["state"] == "open" and "Connect" in str(state["last_error"])
        assert len(_lines(caplog, "mail outage started")) == 1, caplog.text
        rows = await outbox_rows(db, bookings)
        assert {(r["state"], r["attempts"]) for r in rows} == {("pending", 0)}
        assert all(r["failing_since"] is None for r in rows)

        # Until the probe is due nobody claims anything, and nothing is logged per notice.
        records = len(caplog.records)
        counts = await both(now + timedelta(seconds=1))
        assert all(set(c) == {"held"} and c["held"] >= NOTICES for c in counts), counts
        assert len(caplog.records) == records

        # One of the two probes when it is due; the server is still down: backoff.
        probe_at = state["probe_at"]
        await both(probe_at)
        after = await _circuit(db)
        assert after["failed_probes"] == 1 and after["probe_at"] > probe_at  # type: ignore[operator]

        health, ready, metrics = await _observed(client, admin)
        assert health == "degraded"
        assert ready["mail"] == "degraded" and ready["details"]["mail"]["undelivered"] >= NOTICES
        assert _gauge(metrics, "instrument_share_mail_outage") == 1.0
        assert _gauge(metrics, "instrument_share_outbox_oldest_undelivered_age_seconds") >= 0
        assert 'instrument_share_outbox_rows{state="pending"}' in metrics

        # The server is back: the next due probe closes the circuit and the queue drains.
        with SmtpServer(Sink(), port=port) as server:
            await both(after["probe_at"])
            for _ in range(5):
                await both(after["probe_at"])
            received = server.sink.ids()
        assert len(_lines(caplog, "mail outage started")) == 1
        ended = _lines(caplog, "mail outage ended")
        assert len(ended) == 1 and "1 failed probes" in ended[0], ended
        rows = await outbox_rows(db, bookings)
        assert {r["state"] for r in rows} == {"sent"}
        assert all(received[outbox_message_id(r["id"])] == 1 for r in rows)
        assert all(r["attempts"] == 1 for r in rows)
        assert (await _circuit(db))["state"] == "closed"
        health, ready, metrics = await _observed(client, admin)
        assert health != "degraded" and ready["mail"] == "ok"
        assert _gauge(metrics, "instrument_share_mail_outage") == 0.0
    finally:
        await close_mail_circuit(db)
