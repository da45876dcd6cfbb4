"""Who may write the registry: every role × own/other institution, with zero cross-institution
successes."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.catalog_support import CatalogWorld, build_world, instrument_body
from tests.factories import make_instrument

URL = "/api/v1/instruments"
ROLES = (
    "platform",
    "admin_a",
    "admin_b",
    "manager_a",
    "researcher_a",
    "researcher_b",
    "evaluator_a",  # reads A, writes nothing
)
#: Institutions each role administers; a manager writes only the instruments it manages.
ADMIN_OF = {"platform": {"a", "b"}, "admin_a": {"a"}, "admin_b": {"b"}}


@pytest.fixture(scope="module")
async def world(db: Database) -> CatalogWorld:
    return await build_world(db)


def _inst(w: CatalogWorld, side: str) -> int:
    return w.inst_a if side == "a" else w.inst_b


async def test_create_matrix(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    outcome: dict[tuple[str, str], int] = {}
    for role in ROLES:
        for side in ("a", "b"):
            body = instrument_body(_inst(world, side), name_en=f"authz create {world.token}")
            response = await client.post(URL, json=body, headers=world.users[role].headers)
            outcome[(role, side)] = response.status_code
    expected = {
        (role, side): 201 if side in ADMIN_OF.get(role, set()) else 403
        for role in ROLES
        for side in ("a", "b")
    }
    assert outcome == expected


async def test_update_and_retire_matrix(
    client: httpx.AsyncClient, db: Database, world: CatalogWorld
) -> None:
    outcome: dict[tuple[str, str, str], int] = {}
    targets = {"ms_a": "a", "nmr_a": "a", "ms_b": "b"}
    for role in ROLES:
        for key, side in targets.items():
            response = await client.patch(
                f"{URL}/{world.instruments[key]}",
                json={"room": f"{role}-room"},
                headers=world.users[role].headers,
            )
            outcome[(role, key, "update")] = response.status_code
            fresh = await make_instrument(db, _inst(world, side), category="0102")
            if key == "ms_a":
                await db.execute(
                    "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
                    world.users["manager_a"].id,
                    fresh,
                )
            response = await client.post(f"{URL}/{fresh}/retire", headers=world.users[role].headers)
            outcome[(role, key, "retire")] = response.status_code

    def allowed(role: str, key: str) -> bool:
        return targets[key] in ADMIN_OF.get(role, set()) or (role, key) == ("manager_a", "ms_a")

    expected = {
        (role, key, action): 200 if allowed(role, key) else 403
        for role in ROLES
        for key in targets
        for action in ("update", "retire")
    }
    assert outcome == expected
    home = {"platform": None, "admin_a": "a", "admin_b": "b", "manager_a": "a"}
    cross = [
        k for k, status in outcome.items()
        if status < 300 and k[0] != "platform" and home.get(k[0]) != targets[k[1]]
    ]  # fmt: skip
    assert cross == []


async def test_refused_update_changes_nothing(
    client: httpx.AsyncClient, db: Database, world: CatalogWorld
) -> None:
    target = world.instruments["ms_b"]
    before = await db.fetchrow("SELECT version, room FROM instrument WHERE id = $1", target)
    response = await client.patch(
        f"{URL}/{target}", json={"room": "hijacked"}, headers=world.users["admin_a"].headers
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    after = await db.fetchrow("SELECT version, room FROM instrument WHERE id = $1", target)
    assert after == before


async def test_moving_an_instrument_needs_admin_of_both(
    client: httpx.AsyncClient, db: Database, world: CatalogWorld
) -> None:
    fresh = await make_instrument(db, world.inst_a)
    await db.execute(
        "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
        world.users["manager_a"].id,
        fresh,
    )
    move = {"institution_id": world.inst_b}
    for role in ("manager_a", "admin_a", "admin_b"):
        response = await client.patch(
            f"{URL}/{fresh}", json=move, headers=world.users[role].headers
        )
        assert response.status_code == 403, role
    unknown = await client.patch(
        f"{URL}/{fresh}",
        json={"institution_id": 987654321},
        headers=world.users["platform"].headers,
    )
    assert unknown.status_code == 422
    moved = await client.patch(f"{URL}/{fresh}", json=move, headers=world.users["platform"].headers)
    assert moved.status_code == 200 and moved.json()["institution_id"] == world.inst_b
    # Now B's: A's admin has lost it.
    again = await client.patch(
        f"{URL}/{fresh}", json={"room": "x"}, headers=world.users["admin_a"].headers
    )
    assert again.status_code == 403


async def test_institution_writes_are_platform_only(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    code = f"t{world.token}"[:30].lower()
    body = {"code": code, "name_zh": "测试研究所", "name_en": "Test Institute",
            "kind": "research_institute", "region_code": "220200"}  # fmt: skip
    assert (await client.post("/api/v1/institutions", json=body)).status_code == 401
    for role in ("admin_a", "manager_a", "researcher_b"):
        response = await client.post(
            "/api/v1/institutions", json=body, headers=world.users[role].headers
        )
        assert response.status_code == 403, role
    platform = world.users["platform"].headers
    created = await client.post("/api/v1/institutions", json=body, headers=platform)
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert created.json()["region_name_zh"] == "吉林市" and created.json()["instrument_count"] == 0
    duplicate = await client.post("/api/v1/institutions", json=body, headers=platform)
    assert duplicate.status_code == 409
    bad_region = await client.post(
        "/api/v1/institutions",
        json={**body, "code": code + "x", "region_code": "999"},
        headers=platform,
    )
    assert bad_region.status_code == 422
    bad_code = await client.post(
        "/api/v1/institutions", json={**body, "code": "Bad Code!"}, headers=platform
    )
    assert bad_code.status_code == 422
    own_admin = await client.patch(
        f"/api/v1/institutions/{world.inst_a}",
        json={"address": "x"},
        headers=world.users["admin_a"].headers,
    )
    assert own_admin.status_code == 403
    patched = await client.patch(
        f"/api/v1/institutions/{new_id}", json={"address": "吉林市船营区"}, headers=platform
    )
    assert patched.status_code == 200 and patched.json()["address"] == "吉林市船营区"
    missing = await client.patch(
        "/api/v1/institutions/987654321", json={"address": "x"}, headers=platform
    )
    assert missing.status_code == 404


async def test_institution_reads(
    client: httpx.AsyncClient, db: Database, world: CatalogWorld
) -> None:
    one = await client.get(f"/api/v1/institutions/{world.inst_b}")
    assert one.status_code == 200 and one.json()["region_code"] == "222400"
    active = await db.fetchval(
        "SELECT count(*) FROM instrument WHERE institution_id = $1 AND retired_at IS NULL",
        world.inst_b,
    )
    assert one.json()["instrument_count"] == active >= 2
    assert (await client.get("/api/v1/institutions/987654321")).status_code == 404
    listed = await client.get(
        "/api/v1/institutions", params={"region": "222400", "kind": "hospital", "page_size": 200}
    )
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert world.inst_b in [i["id"] for i in items]
    assert all(i["region_code"] == "222400" and i["kind"] == "hospital" for i in items)
    name = one.json()["name_en"]
    found = await client.get("/api/v1/institutions", params={"q": name})
    assert [i["id"] for i in found.json()["items"]] == [world.inst_b]
    for params in ({"region": "000000"}, {"kind": "church"}, {"page": "0"}, {"page_size": "500"}):
        response = await client.get("/api/v1/institutions", params=params)
        assert response.status_code == 422, params
