"""The job and outbox views: platform admins only; dead letters listed and retried."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from service.common.time import utcnow
from service.db import Database
from service.outbox.store import enqueue
from service.scheduler.registry import JOBS, run_job
from service.settings import Settings
from tests.factories import UserHandle, make_institution, make_user
from tests.scheduler_support import make_booking, make_scene

ROUTES = [
    ("GET", "/api/v1/admin/jobs"),
    ("GET", "/api/v1/admin/outbox"),
    ("POST", "/api/v1/admin/outbox/1/retry"),
]


@pytest.fixture
async def admin(db: Database) -> UserHandle:
    return await make_user(db, await make_institution(db), platform_admin=True)


async def _dead_message(db: Database, state: str = "dead") -> int:
    scene = await make_scene(db)
    booking = await make_booking(db, scene, utcnow() + timedelta(days=3))
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn,
            kind="booking_confirmed",
            user_id=scene.user_id,
            booking_id=booking,
            dedupe_key=f"test-dead:{booking}",
        )
    await db.execute(
        """UPDATE notification_outbox SET state = $2, attempts = 5,
                  last_error = 'SMTPResponseException: (550, refused)' WHERE id = $1""",
        outbox_id,
        state,
    )
    assert outbox_id is not None
    return outbox_id


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_only_platform_admins(
    client: httpx.AsyncClient, db: Database, method: str, path: str
) -> None:
    inst = await make_institution(db)
    assert (await client.request(method, path)).status_code == 401
    for user in (
        await make_user(db, inst),
        await make_user(db, inst, admin_of=[inst]),
    ):
        response = await client.request(method, path, headers=user.headers)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_jobs_show_the_last_run(
    client: httpx.AsyncClient, db: Database, settings: Settings, admin: UserHandle
) -> None:
    now = utcnow()
    await run_job(db, settings, JOBS["purge_expired"], now, tick=now)
    response = await client.get("/api/v1/admin/jobs", headers=admin.headers)
    assert response.status_code == 200
    items = {item["name"]: item for item in response.json()["items"]}
    assert set(items) == set(JOBS)
    purge = items["purge_expired"]
    assert purge["interval_seconds"] == 3600
    assert purge["last_run"]["outcome"] == "ok"
    assert datetime.fromisoformat(purge["last_run"]["tick"]) >= now.replace(microsecond=0)
    assert "idempotency_keys" in purge["last_run"]["counts"]
    assert purge["last_ok_at"] is not None


async def test_outbox_counts_dead_rows_and_retry(
    client: httpx.AsyncClient, db: Database, admin: UserHandle
) -> None:
    dead = await _dead_message(db)
    sent = await _dead_message(db, state="sent")
    response = await client.get(
        "/api/v1/admin/outbox", params={"page_size": 200}, headers=admin.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body["counts"]) == {"pending", "sent", "dead", "skipped", "expired"}
    assert body["counts"]["dead"] >= 1 and body["dead"]["total"] == body["counts"]["dead"]
    row = next(r for r in body["dead"]["items"] if r["id"] == dead)
    assert row["attempts"] == 5 and "550" in row["last_error"]

    retried = await client.post(f"/api/v1/admin/outbox/{dead}/retry", headers=admin.headers)
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    again = await client.post(f"/api/v1/admin/outbox/{dead}/retry", headers=admin.headers)
    assert again.status_code == 409 and again.json()["state"] == "pending"
    not_dead = await client.post(f"/api/v1/admin/outbox/{sent}/retry", headers=admin.headers)
    assert not_dead.status_code == 409
    missing = await client.post("/api/v1/admin/outbox/999999999/retry", headers=admin.headers)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/admin/outbox", {"page": "0"}),
        ("/api/v1/admin/outbox", {"page_size": "201"}),
        ("/api/v1/admin/outbox", {"page": "x"}),
        ("/api/v1/admin/outbox/0/retry", {}),
        ("/api/v1/admin/outbox/abc/retry", {}),
    ],
)
async def test_bad_parameters_are_client_errors(
    client: httpx.AsyncClient, admin: UserHandle, path: str, params: dict[str, str]
) -> None:
    method = "POST" if path.endswith("retry") else "GET"
    response = await client.request(method, path, params=params, headers=admin.headers)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
