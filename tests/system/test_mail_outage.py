"""Scenario: the SMTP server goes down, under load, for longer than the old retry window (four
retries 30 s · 2^n apart, then dead: 15 × the first delay), and comes back.

Meanwhile three researchers at once keep booking through the three servers and cancel some
of their bookings again. The web stays ready (`/health/ready` 200, mail `degraded`), the delivery job reads as
degraded, the two schedulers log the outage once when it starts and once when it ends, and
afterwards every notice that still makes sense arrives exactly once (distinct Message-IDs at
the SMTP server); the confirmations of bookings cancelled meanwhile expire unsent
(`booking_changed`); nothing is dead.

The retry settings are scaled down (`cluster.MAIL_RETRY_*`), so the scenario takes seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.notifications.rules import message_id
from tests.factories import make_user
from tests.system.cluster import MAIL_RETRY_BASE_SECONDS
from tests.system.conftest import Stage
from tests.system.figures import record
from tests.system.invariants import outbox_for
from tests.system.load import Fleet, Tally, booking_body
from tests.system.world import day_ahead

pytestmark = pytest.mark.system

#: How long the old rules kept trying: 30 + 60 + 120 + 240 s at a 30 s first delay.
OLD_WINDOW = 15 * MAIL_RETRY_BASE_SECONDS
DOWN_SECONDS = OLD_WINDOW + 5.0
BOOKINGS = 90
CANCEL_EVERY = 5
SETTLE_SECONDS = 40.0


async def _lane(stage: Stage, fleet: Fleet, tally: Tally, lane: int, until: float) -> list[int]:
    """One client booking the slots of one instrument through the servers in turn, spread
    over the outage, and cancelling every CANCEL_EVERY-th booking a moment later."""
    world = stage.world
    instrument = world.mail[lane]
    first = day_ahead(utcnow(), 40)
    count = BOOKINGS // len(world.mail)
    pause = max(0.05, (until - time.monotonic()) / count)
    ids: list[int] = []
    for n in range(count):
        start = first + timedelta(minutes=30 * n)
        body = booking_body(instrument, start, start + timedelta(minutes=30), "mail outage")
        user = world.users[(lane + 3 * n) % len(world.users)]
        answer = tally.add(await fleet.book(lane + n, user, body))
        assert answer.status == 201, answer.body
        ids.append(int(answer.body["id"]))
        if n % CANCEL_EVERY == CANCEL_EVERY - 1:
            path = f"/api/v1/bookings/{ids[-1]}/cancel"
            cancel = tally.add(await fleet.request(lane + n + 1, "POST", path, user=user))
            assert cancel.status == 200, cancel.body
        await asyncio.sleep(pause)
    return ids


async def _load(stage: Stage, fleet: Fleet, tally: Tally, until: float) -> list[list[int]]:
    """Three clients at once, one per instrument of the scenario."""
    lanes = range(len(stage.world.mail))
    return list(await asyncio.gather(*(_lane(stage, fleet, tally, i, until) for i in lanes)))


async def _watch(stage: Stage, fleet: Fleet, admin: Any, until: float) -> dict[str, Counter[str]]:
    """What readiness and the jobs view say during the outage."""
    seen: dict[str, Counter[str]] = {"ready": Counter(), "jobs": Counter()}
    while time.monotonic() < until:
        ready = await fleet.request(0, "GET", "/health/ready")
        label = f"{ready.status}:{ready.body.get('mail') if ready.status == 200 else '-'}"
        seen["ready"][label] += 1
        jobs = await fleet.request(1, "GET", "/api/v1/admin/jobs", user=admin)
        if jobs.status == 200:
            delivery = next(j for j in jobs.body["items"] if j["name"] == "deliver_outbox")
            seen["jobs"][delivery["health"]] += 1
        await asyncio.sleep(0.5)
    return seen


def _log_lines(stage: Stage, text: str) -> int:
    return sum(
        path.read_text(errors="replace").count(text) for path in stage.cluster.log_dir.glob("*.log")
    )


async def _settled(stage: Stage, bookings: list[int]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        rows = await outbox_for(stage.db, bookings)
        if all(r["state"] in ("sent", "expired") for r in rows) or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.5)


async def test_an_smtp_outage_longer_than_the_old_retry_window_loses_no_notice(
    stage: Stage,
) -> None:
    cluster = stage.cluster
    admin = await make_user(stage.db, stage.world.owner, platform_admin=True)
    started_before = _log_lines(stage, "mail outage started")
    ended_before = _log_lines(stage, "mail outage ended")
    tally = Tally()
    async with stage.fleet() as fleet:
        await asyncio.to_thread(cluster.stop_smtp)
        down_at = time.monotonic()
        until = down_at + DOWN_SECONDS
        lanes, seen = await asyncio.gather(
            _load(stage, fleet, tally, until - 1.0), _watch(stage, fleet, admin, until)
        )
        await asyncio.sleep(max(0.0, until - time.monotonic()))
        await asyncio.to_thread(cluster.start_smtp_again)
        up_at = time.monotonic()
    load = [booking for lane in lanes for booking in lane]
    rows = await _settled(stage, load)
    settled_in = time.monotonic() - up_at
    received = Counter(m.message_id for m in cluster.mail.snapshot())
    states = Counter((r["kind"], r["state"], r["expired_reason"]) for r in rows)
    record(
        "mail outage",
        f"SMTP down {up_at - down_at:.1f} s (old retry window {OLD_WINDOW:.1f} s) under "
        f"{tally}; outbox {dict(states)}; all settled {settled_in:.1f} s after the server "
        f"came back; readiness {dict(seen['ready'])}, delivery job {dict(seen['jobs'])}",
    )

    assert up_at - down_at > OLD_WINDOW
    assert seen["ready"] and set(seen["ready"]) <= {"200:ok", "200:degraded"}, seen
    assert seen["ready"]["200:degraded"] > 0 and seen["jobs"]["degraded"] > 0, seen
    cancelled = {b for lane in lanes for b in lane[CANCEL_EVERY - 1 :: CANCEL_EVERY]}
    wrong: list[Any] = []
    for row in rows:
        mid = message_id(row["id"])
        if row["kind"] == "booking_confirmed" and row["booking_id"] in cancelled:
            ok = (row["state"], row["expired_reason"], received[mid]) == (
                "expired",
                "booking_changed",
                0,
            )
        else:
            ok = row["state"] == "sent" and received[mid] == 1
        if not ok:
            wrong.append((row["kind"], row["booking_id"], row["state"], received[mid]))
    assert not wrong, f"(kind, booking, state, times received) not as expected: {wrong[:10]}"
    per_booking = Counter((r["kind"], r["booking_id"]) for r in rows)
    assert all(per_booking[("booking_confirmed", b)] == 1 for b in load)
    assert all(per_booking[("booking_cancelled", b)] == 1 for b in cancelled)
    twice = {m: n for m, n in received.items() if n > 1}
    assert not twice, f"Message-IDs received more than once: {twice}"
    dead = await stage.db.fetchval("SELECT count(*) FROM notification_outbox WHERE state = 'dead'")
    assert dead == 0
    assert _log_lines(stage, "mail outage started") == started_before + 1
    assert _log_lines(stage, "mail outage ended") == ended_before + 1
    assert not cluster.dead_processes(), cluster.dead_processes()
