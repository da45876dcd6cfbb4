"""Lifecycle and housekeeping jobs through the registry: each does its work once, and a second
run at the same instant finds nothing left."""

from __future__ import annotations

from datetime import timedelta

from service.common.time import utcnow
from service.db import Database
from service.scheduler.registry import JOBS, run_job
from service.settings import Settings
from tests.factories import make_user
from tests.scheduler_support import make_booking, make_scene, outbox_rows

H = timedelta(hours=1)


async def _status(db: Database, booking: int) -> str:
    return str(await db.fetchval("SELECT status FROM booking WHERE id = $1", booking))


async def _twice(db: Database, settings: Settings, name: str) -> tuple[dict[str, int], ...]:
    now = utcnow()
    first = await run_job(db, settings, JOBS[name], now, tick=now)
    second = await run_job(db, settings, JOBS[name], now, tick=now + timedelta(microseconds=1))
    assert first is not None and first.outcome == "ok", first
    assert second is not None and second.outcome == "ok", second
    return first.result.counts, second.result.counts


async def test_expire_pending_frees_the_slot_and_tells_the_booker(
    db: Database, settings: Settings
) -> None:
    scene = await make_scene(db)
    now = utcnow()
    overdue = await make_booking(
        db, scene, now + 5 * H, status="pending", approval_deadline=now - timedelta(minutes=1)
    )
    waiting = await make_booking(
        db, scene, now + 7 * H, status="pending", approval_deadline=now + H
    )
    first, second = await _twice(db, settings, "expire_pending")
    assert first["expired"] >= 1 and second == {"expired": 0}
    assert await _status(db, overdue) == "expired"
    assert await _status(db, waiting) == "pending"
    assert [r["kind"] for r in await outbox_rows(db, [overdue])] == ["booking_expired"]
    # The slot is free again: a new booking over the same time is accepted.
    await make_booking(db, scene, now + 5 * H)


async def test_no_shows_and_completions(db: Database, settings: Settings) -> None:
    scene = await make_scene(db)
    now = utcnow()
    absent = await make_booking(db, scene, now - 3 * H)
    present = await make_booking(db, scene, now - 5 * H, status="in_use")
    recent = await make_booking(db, scene, now - timedelta(minutes=10), status="confirmed")
    await db.execute(
        """INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
                                      user_region_code, is_external, is_cross_region, started_at)
           VALUES ($1, $2, $3, $4, '220100', false, false, $5)""",
        scene.instrument_id,
        present,
        scene.user_id,
        scene.institution_id,
        now - 5 * H,
    )
    first, second = await _twice(db, settings, "mark_no_shows")
    assert first["no_shows"] >= 1 and second == {"no_shows": 0}
    first, second = await _twice(db, settings, "complete_bookings")
    assert first["completed"] >= 1 and second == {"completed": 0}
    assert await _status(db, absent) == "no_show"
    assert await _status(db, present) == "completed"
    assert await _status(db, recent) == "confirmed"  # still inside the grace period
    ended = await db.fetchval("SELECT ended_at FROM usage_session WHERE booking_id = $1", present)
    assert ended == now - 4 * H


async def test_purge_removes_only_what_expired(db: Database, settings: Settings) -> None:
    scene = await make_scene(db)
    other = await make_user(db, scene.institution_id)
    now = utcnow()
    for key, expires in (("old", now - H), ("live", now + H)):
        await db.execute(
            """INSERT INTO idempotency_key (user_id, key, request_hash, expires_at)
               VALUES ($1, $2, '\\x00', $3)""",
            other.id,
            key,
            expires,
        )
        await db.execute(
            """INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at)
               VALUES ($1, $2, 'x', $3)""",
            f"{other.id}-{key}".encode(),
            other.id,
            expires,
        )
    email = other.email.lower()
    for age in (2 * 24 * H, H):
        await db.execute(
            "INSERT INTO login_failure (email_lower, failed_at) VALUES ($1, $2)", email, now - age
        )
    first, second = await _twice(db, settings, "purge_expired")
    assert first["idempotency_keys"] >= 1 and first["sessions"] >= 1
    assert first["login_failures"] >= 1
    assert second["idempotency_keys"] == second["sessions"] == second["login_failures"] == 0
    keys = await db.fetch("SELECT key FROM idempotency_key WHERE user_id = $1", other.id)
    assert [r["key"] for r in keys] == ["live"]
    sessions = await db.fetch("SELECT id_hash FROM user_session WHERE user_id = $1", other.id)
    assert [bytes(r["id_hash"]) for r in sessions] == [f"{other.id}-live".encode()]
    failures = await db.fetchval("SELECT count(*) FROM login_failure WHERE email_lower = $1", email)
    assert failures == 1


async def test_purge_closes_runs_abandoned_by_a_dead_process(
    db: Database, settings: Settings
) -> None:
    now = utcnow()
    abandoned = await db.fetchval(
        """INSERT INTO job_run (job, tick, started_at) VALUES ('test_abandoned', $1, $1)
           RETURNING id""",
        now - 2 * H,
    )
    running = await db.fetchval(
        """INSERT INTO job_run (job, tick, started_at) VALUES ('test_abandoned', $1, $1)
           RETURNING id""",
        now - timedelta(minutes=5),
    )
    first, second = await _twice(db, settings, "purge_expired")
    assert first["abandoned_runs"] >= 1 and second["abandoned_runs"] == 0
    rows = await db.fetch(
        "SELECT id, outcome, error FROM job_run WHERE id = ANY($1::bigint[]) ORDER BY id",
        [abandoned, running],
    )
    assert [(r["outcome"], r["error"].split(":")[0]) for r in rows] == [
        ("failed", "abandoned"),
        ("running", ""),
    ]
