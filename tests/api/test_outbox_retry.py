"""Platform admins put dead notices back in the queue in one action: all of them, or those of
a kind, a creation range or an error; each gets a new retry horizon, and the action is
recorded in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.common.time import utcnow
from service.db import Database
from service.outbox.store import enqueue
from tests.factories import UserHandle, make_institution, make_user
from tests.scheduler_support import make_booking, make_scene

URL = "/api/v1/admin/outbox/retry"
DAY = datetime(2024, 2, 1, tzinfo=UTC)


@pytest.fixture
async def admin(db: Database) -> UserHandle:
    return await make_user(db, await make_institution(db), platform_admin=True)


async def _dead(db: Database, kind: str, error: str, created: datetime) -> int:
    scene = await make_scene(db)
    booking = await make_booking(db, scene, utcnow() + timedelta(days=3))
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn, kind=kind, user_id=scene.user_id, booking_id=booking, dedupe_key=f"dead:{booking}"
        )
    await db.execute(
        """UPDATE notification_outbox SET state = 'dead', attempts = 9, last_error = $2,
                  created_at = $3, failing_since = $3 WHERE id = $1""",
        outbox_id,
        error,
        created,
    )
    assert outbox_id is not None
    return outbox_id


async def _states(db: Database, ids: list[int]) -> dict[int, str]:
    rows = await db.fetch(
        "SELECT id, state FROM notification_outbox WHERE id = ANY($1::bigint[])", ids
    )
    return {r["id"]: r["state"] for r in rows}


async def test_retry_by_kind_error_and_date_range_then_all(
    client: httpx.AsyncClient, db: Database, admin: UserHandle
) -> None:
    refused = "SMTPResponseException: (550, '5.1.1 Mailbox unknown')"
    timeout = "SMTPTimeoutError: Timed out connecting"
    a = await _dead(db, "booking_confirmed", refused, DAY)
    b = await _dead(db, "booking_cancelled", refused, DAY + timedelta(days=1))
    c = await _dead(db, "booking_cancelled", timeout, DAY + timedelta(days=2))
    d = await _dead(db, "reminder", timeout, DAY + timedelta(days=10))

    async def retry(body: dict[str, object]) -> int:
        response = await client.post(URL, json=body, headers=admin.headers)
        assert response.status_code == 200, response.text
        return int(response.json()["retried"])

    window = {"created_from": DAY.isoformat(), "created_to": (DAY + timedelta(days=3)).isoformat()}
    assert await retry({**window, "kind": "booking_cancelled", "error": "TIMED OUT"}) == 1
    assert await _states(db, [a, b, c, d]) == {a: "dead", b: "dead", c: "pending", d: "dead"}
    assert await retry({**window, "error": "550"}) == 2
    assert await _states(db, [a, b, c, d]) == {a: "pending", b: "pending", c: "pending", d: "dead"}
    assert await retry({}) >= 1
    row = await db.fetchrow("SELECT * FROM notification_outbox WHERE id = $1", d)
    assert row is not None
    assert (row["state"], row["attempts"], row["failing_since"]) == ("pending", 0, None)
    assert row["retried_at"] is not None and row["last_error"] == ""
    events = await db.fetch(
        "SELECT detail FROM audit_event WHERE action = 'outbox.retried' AND actor_user_id = $1"
        " ORDER BY id",
        admin.id,
    )
    assert [e["detail"]["retried"] for e in events][:2] == [1, 2]
    assert events[0]["detail"]["kind"] == "booking_cancelled"


@pytest.mark.parametrize(
    "body",
    [
        {"created_from": "2024-02-02T00:00:00Z", "created_to": "2024-02-01T00:00:00Z"},
        {"created_from": "2024-02-02T00:00:00"},
        {"kind": ""},
        {"error": "x" * 201},
        {"state": "dead"},
        [],
    ],
)
async def test_bad_filters_are_422(
    client: httpx.AsyncClient, admin: UserHandle, body: object
) -> None:
    response = await client.post(URL, json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_only_platform_admins_may_retry(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    assert (await client.post(URL, json={})).status_code == 401
    for user in (await make_user(db, inst), await make_user(db, inst, admin_of=[inst])):
        assert (await client.post(URL, json={}, headers=user.headers)).status_code == 403
