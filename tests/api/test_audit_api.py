"""Reading the audit log: platform admins see everything, institution admins their own
people's events, everyone else nothing."""

from __future__ import annotations

import httpx

from service.db import Database
from tests.accounts_support import assert_problem, login
from tests.factories import make_institution, make_user


async def test_who_reads_which_events(client: httpx.AsyncClient, db: Database) -> None:
    a, b = await make_institution(db), await make_institution(db)
    admin_a = await make_user(db, a, admin_of=[a])
    researcher_a, researcher_b = await make_user(db, a), await make_user(db, b)
    platform = await make_user(db, await make_institution(db), platform_admin=True)
    assert_problem(await login(client, researcher_a.email, "wrong"), 401)
    assert_problem(await login(client, researcher_b.email, "wrong"), 401)
    created = await client.post("/api/v1/tokens", json={"name": "ci"}, headers=researcher_a.headers)
    await client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=researcher_a.headers)

    mine = await client.get("/api/v1/audit-events", headers=admin_a.headers)
    assert mine.status_code == 200, mine.text
    actions = [(e["action"], e["subject_user_id"]) for e in mine.json()["items"]]
    assert actions == [
        ("token.revoked", researcher_a.id),
        ("token.created", researcher_a.id),
        ("login.failed", researcher_a.id),
    ]
    assert all(e["institution_id"] == a for e in mine.json()["items"])
    assert_problem(
        await client.get("/api/v1/audit-events", params={"institution": b},
                         headers=admin_a.headers), 403)  # fmt: skip
    assert_problem(await client.get("/api/v1/audit-events", headers=researcher_a.headers), 403)
    everything = await client.get(
        "/api/v1/audit-events", params={"action": "login", "subject": researcher_b.id},
        headers=platform.headers,
    )  # fmt: skip
    assert [e["action"] for e in everything.json()["items"]] == ["login.failed"]
    bad = await client.get(
        "/api/v1/audit-events", params={"since": "2026-01-01T00:00:00"}, headers=platform.headers
    )
    assert bad.status_code in (400, 422)
