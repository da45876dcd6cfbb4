"""Granting institution admins and instrument managers, across institutions."""

from __future__ import annotations

import httpx

from service.db import Database
from tests.accounts_support import Org, assert_problem, org_fixture  # noqa: F401 - fixture
from tests.factories import make_user


async def _is_manager(db: Database, user_id: int, instrument_id: int) -> bool:
    return bool(
        await db.fetchval(
            "SELECT 1 FROM instrument_manager WHERE user_id = $1 AND instrument_id = $2",
            user_id,
            instrument_id,
        )
    )


async def test_institution_admin_grants_are_platform_admin_only(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    path = f"/api/v1/institutions/{org.inst_a}/admins/{org.researcher_a.id}"
    for caller in (org.admin_a, org.manager_a, org.researcher_a, org.admin_b):
        assert_problem(await client.put(path, headers=caller.headers), 403)
    assert not await db.fetchval(
        "SELECT 1 FROM institution_admin WHERE user_id = $1", org.researcher_a.id
    )
    for _ in range(2):  # idempotent
        assert (await client.put(path, headers=org.platform_admin.headers)).status_code == 204
    me = (await client.get("/api/v1/me", headers=org.researcher_a.headers)).json()
    assert [i["id"] for i in me["institutions_administered"]] == [org.inst_a]
    assert_problem(await client.delete(path, headers=org.admin_a.headers), 403)
    assert (await client.delete(path, headers=org.platform_admin.headers)).status_code == 204
    me = (await client.get("/api/v1/me", headers=org.researcher_a.headers)).json()
    assert me["institutions_administered"] == []
    missing_user = f"/api/v1/institutions/{org.inst_a}/admins/999999999"
    assert_problem(await client.put(missing_user, headers=org.platform_admin.headers), 404)
    missing_inst = f"/api/v1/institutions/999999999/admins/{org.researcher_a.id}"
    assert_problem(await client.put(missing_inst, headers=org.platform_admin.headers), 404)


# caller -> status of PUT managers on (own instrument + own user, own instrument + foreign user,
# foreign instrument + foreign user)
MANAGER_MATRIX: dict[str, tuple[int, int, int]] = {
    "platform_admin": (204, 204, 204),
    "admin_a": (204, 404, 403),
    "manager_a": (403, 403, 403),
    "researcher_a": (403, 403, 403),
    "evaluator_a": (403, 403, 403),
}


async def test_manager_grant_matrix(client: httpx.AsyncClient, db: Database, org: Org) -> None:
    outcome: dict[str, tuple[int, int, int]] = {}
    for role in MANAGER_MATRIX:
        caller = getattr(org, role)
        own_user = await make_user(db, org.inst_a)
        foreign_user = await make_user(db, org.inst_b)
        cells = (
            (org.instrument_a, own_user.id),
            (org.instrument_a, foreign_user.id),
            (org.instrument_b, foreign_user.id),
        )
        statuses = []
        for instrument, user_id in cells:
            path = f"/api/v1/instruments/{instrument}/managers/{user_id}"
            status = (await client.put(path, headers=caller.headers)).status_code
            assert (status == 204) == await _is_manager(db, user_id, instrument)
            statuses.append(status)
        outcome[role] = (statuses[0], statuses[1], statuses[2])
    assert outcome == MANAGER_MATRIX


async def test_manager_removal_and_listing(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    path = f"/api/v1/instruments/{org.instrument_a}/managers"
    listed = await client.get(path, headers=org.manager_a.headers)
    assert listed.status_code == 200
    assert [m["user_id"] for m in listed.json()] == [org.manager_a.id]
    for caller in (org.researcher_a, org.admin_b, org.manager_b):
        assert_problem(await client.get(path, headers=caller.headers), 403)
    target = f"{path}/{org.manager_a.id}"
    for caller in (org.admin_b, org.manager_a, org.manager_b, org.researcher_b):
        assert_problem(await client.delete(target, headers=caller.headers), 403)
    assert await _is_manager(db, org.manager_a.id, org.instrument_a)
    assert (await client.delete(target, headers=org.admin_a.headers)).status_code == 204
    assert not await _is_manager(db, org.manager_a.id, org.instrument_a)
    assert (await client.delete(target, headers=org.admin_a.headers)).status_code == 204
    assert_problem(await client.get(path, headers=org.manager_a.headers), 403)
    missing = "/api/v1/instruments/999999999/managers"
    assert_problem(await client.get(missing, headers=org.platform_admin.headers), 404)
    assert_problem(
        await client.put(f"{missing}/{org.researcher_a.id}", headers=org.platform_admin.headers),
        404,
    )


async def test_deactivated_user_cannot_become_manager(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    await db.execute("UPDATE app_user SET is_active = false WHERE id = $1", org.researcher_a.id)
    response = await client.put(
        f"/api/v1/instruments/{org.instrument_a}/managers/{org.researcher_a.id}",
        headers=org.admin_a.headers,
    )
    assert_problem(response, 422)
