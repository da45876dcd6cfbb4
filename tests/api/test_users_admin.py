"""User administration and role grants: who may see and change whom.

Every cell of the role x institution x read/write matrix is asserted explicitly; none but the
platform admin may succeed across institutions.
"""

from __future__ import annotations

import httpx

from service.db import Database
from tests.accounts_support import Org, assert_problem, org_fixture  # noqa: F401 - fixture
from tests.factories import UserHandle, make_user

# caller -> (status reading/writing a user of institution A, of institution B)
# The callers all belong to institution A, except the platform admin (a third institution).
EXPECTED: dict[str, dict[str, int]] = {
    "platform_admin": {"read_own": 200, "write_own": 200, "read_other": 200, "write_other": 200},
    "admin_a": {"read_own": 200, "write_own": 200, "read_other": 404, "write_other": 404},
    "manager_a": {"read_own": 404, "write_own": 404, "read_other": 404, "write_other": 404},
    "researcher_a": {"read_own": 404, "write_own": 404, "read_other": 404, "write_other": 404},
    # an evaluator of A reads figures and records, not accounts; its writes stop at the gate
    "evaluator_a": {"read_own": 404, "write_own": 403, "read_other": 404, "write_other": 403},
}


async def _cell(
    client: httpx.AsyncClient, db: Database, caller: UserHandle, target: UserHandle, write: bool
) -> int:
    if not write:
        return (await client.get(f"/api/v1/users/{target.id}", headers=caller.headers)).status_code
    before = await db.fetchval("SELECT display_name FROM app_user WHERE id = $1", target.id)
    response = await client.patch(
        f"/api/v1/users/{target.id}", json={"display_name": "renamed"}, headers=caller.headers
    )
    after = await db.fetchval("SELECT display_name FROM app_user WHERE id = $1", target.id)
    assert (after != before) == (response.status_code == 200), "a refused write changed data"
    if response.status_code == 200:
        await db.execute("UPDATE app_user SET display_name = $2 WHERE id = $1", target.id, before)
    return response.status_code


async def test_user_read_write_matrix(client: httpx.AsyncClient, db: Database, org: Org) -> None:
    outcome: dict[str, dict[str, int]] = {}
    for role in EXPECTED:
        caller: UserHandle = getattr(org, role)
        outcome[role] = {
            "read_own": await _cell(client, db, caller, org.member_a, write=False),
            "write_own": await _cell(client, db, caller, org.member_a, write=True),
            "read_other": await _cell(client, db, caller, org.member_b, write=False),
            "write_other": await _cell(client, db, caller, org.member_b, write=True),
        }
    assert outcome == EXPECTED
    cross = [
        (role, cell)
        for role, cells in outcome.items()
        if role != "platform_admin"
        for cell, status in cells.items()
        if cell.endswith("other") and status < 400
    ]
    assert cross == []


async def test_everyone_may_read_themselves_but_not_promote(
    client: httpx.AsyncClient, org: Org
) -> None:
    for caller in (org.manager_a, org.researcher_a, org.admin_a):
        mine = await client.get(f"/api/v1/users/{caller.id}", headers=caller.headers)
        assert mine.status_code == 200 and mine.json()["id"] == caller.id
    denied = await client.patch(
        f"/api/v1/users/{org.researcher_a.id}",
        json={"display_name": "me"},
        headers=org.researcher_a.headers,
    )
    assert_problem(denied, 403)
    promote = await client.patch(
        f"/api/v1/users/{org.researcher_a.id}",
        json={"is_platform_admin": True},
        headers=org.admin_a.headers,
    )
    assert_problem(promote, 403)
    self_promote = await client.patch(
        f"/api/v1/users/{org.admin_a.id}",
        json={"is_platform_admin": True},
        headers=org.admin_a.headers,
    )
    assert_problem(self_promote, 403)


async def test_list_users_is_scoped(client: httpx.AsyncClient, org: Org) -> None:
    a_users = {org.admin_a.id, org.manager_a.id, org.researcher_a.id, org.member_a.id}
    listed = await client.get(
        "/api/v1/users", params={"page_size": 200}, headers=org.admin_a.headers
    )
    assert listed.status_code == 200
    assert {u["id"] for u in listed.json()["items"]} == a_users and listed.json()["total"] == 4
    for forbidden in (
        client.get(
            "/api/v1/users", params={"institution": org.inst_b}, headers=org.admin_a.headers
        ),
        client.get("/api/v1/users", headers=org.manager_a.headers),
        client.get("/api/v1/users", headers=org.researcher_a.headers),
    ):
        assert_problem(await forbidden, 403)
    everyone = await client.get(
        "/api/v1/users", params={"institution": org.inst_b}, headers=org.platform_admin.headers
    )
    assert {u["id"] for u in everyone.json()["items"]} == {
        org.admin_b.id,
        org.manager_b.id,
        org.researcher_b.id,
        org.member_b.id,
    }
    assert_problem(await client.get("/api/v1/users"), 401)


async def test_list_filters_and_pages(client: httpx.AsyncClient, db: Database, org: Org) -> None:
    headers = org.platform_admin.headers
    by_name = await client.get(
        "/api/v1/users", params={"q": org.manager_a.email.split("@")[0].upper()}, headers=headers
    )
    assert [u["id"] for u in by_name.json()["items"]] == [org.manager_a.id]
    wildcard = await client.get(
        "/api/v1/users", params={"q": "%", "institution": org.inst_a}, headers=headers
    )
    assert wildcard.json()["total"] == 0  # LIKE wildcards are literal
    await db.execute("UPDATE app_user SET is_active = false WHERE id = $1", org.researcher_a.id)
    inactive = await client.get(
        "/api/v1/users", params={"institution": org.inst_a, "active": "false"}, headers=headers
    )
    assert [u["id"] for u in inactive.json()["items"]] == [org.researcher_a.id]
    page2 = await client.get(
        "/api/v1/users",
        params={"institution": org.inst_a, "page": 2, "page_size": 2},
        headers=headers,
    )
    assert page2.json()["total"] == 4 and len(page2.json()["items"]) == 2
    past = await client.get(
        "/api/v1/users", params={"institution": org.inst_a, "page": 9}, headers=headers
    )
    assert past.json() == {"items": [], "total": 4, "page": 9, "page_size": 20}
    for bad in (
        {"page": 0},
        {"page_size": 201},
        {"institution": "x"},
        {"active": "maybe"},
        {"q": "x" * 101},
    ):
        assert_problem(await client.get("/api/v1/users", params=bad, headers=headers), 422)


async def test_deactivation_by_institution_admin(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    target = org.researcher_a
    off = await client.patch(
        f"/api/v1/users/{target.id}", json={"is_active": False}, headers=org.admin_a.headers
    )
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert_problem(await client.get("/api/v1/me", headers=target.headers), 401)
    on = await client.patch(
        f"/api/v1/users/{target.id}", json={"is_active": True}, headers=org.admin_a.headers
    )
    assert on.status_code == 200
    assert (await client.get("/api/v1/me", headers=target.headers)).status_code == 200
    selfoff = await client.patch(
        f"/api/v1/users/{org.admin_a.id}", json={"is_active": False}, headers=org.admin_a.headers
    )
    assert_problem(selfoff, 409)
    for body in ({"is_active": "no"}, {"display_name": ""}, {"email": "x@y.cn"}):
        response = await client.patch(
            f"/api/v1/users/{target.id}", json=body, headers=org.admin_a.headers
        )
        assert_problem(response, 422)


async def test_institution_admin_cannot_touch_a_platform_admin(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    staff = await make_user(db, org.inst_a, platform_admin=True)
    response = await client.patch(
        f"/api/v1/users/{staff.id}", json={"is_active": False}, headers=org.admin_a.headers
    )
    assert_problem(response, 403)
    granted = await client.patch(
        f"/api/v1/users/{org.researcher_b.id}",
        json={"is_platform_admin": True},
        headers=org.platform_admin.headers,
    )
    assert granted.status_code == 200 and granted.json()["is_platform_admin"] is True
