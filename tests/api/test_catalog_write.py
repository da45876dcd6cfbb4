"""Instrument create/update/retire: validation, versions, ETags and refused bodies."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from service.common.time import utcnow
from service.db import Database
from tests.catalog_support import CatalogWorld, build_world, instrument_body

URL = "/api/v1/instruments"


@pytest.fixture(scope="module")
async def world(db: Database) -> CatalogWorld:
    return await build_world(db)


async def test_create_then_read_detail(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    admin = world.users["admin_a"]
    created = await client.post(URL, json=instrument_body(world.inst_a), headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert body["original_value"] == "268.40" and body["version"] == 1
    assert body["category_name_zh"] == "X射线仪器" and body["region_code"] == "220100"
    assert body["subject_areas"] == ["材料科学"] and body["service_start"] == "2019-05-01"
    assert body["policy"]["source"] in {"default", "institution"}
    assert body["managers"] == []
    detail = await client.get(f"{URL}/{body['id']}")
    assert detail.status_code == 200 and detail.headers["etag"] == '"1"'
    assert detail.json()["specs"] == "Cu靶，最大功率3kW"


async def test_detail_shows_managers_policy_and_hours(
    client: httpx.AsyncClient, db: Database, world: CatalogWorld
) -> None:
    ms = world.instruments["ms_a"]
    await db.execute(
        """INSERT INTO booking_policy (instrument_id, approval, fee_internal, fee_enterprise)
           VALUES ($1, 'all', 200, 450) ON CONFLICT (instrument_id) DO NOTHING""",
        ms,
    )
    await db.execute(
        "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) "
        "VALUES ($1, 1, '08:30', '17:30')",
        ms,
    )
    anonymous = (await client.get(f"{URL}/{ms}")).json()
    manager = world.users["manager_a"]
    assert [m["user_id"] for m in anonymous["managers"]] == [manager.id]
    assert anonymous["managers"][0]["email"] is None
    signed_in = (
        await client.get(f"{URL}/{ms}", headers=world.users["researcher_b"].headers)
    ).json()
    assert signed_in["managers"][0]["email"] == manager.email
    policy = signed_in["policy"]
    assert policy["source"] == "instrument" and policy["approval"] == "all"
    assert policy["fee_internal"] == "200.00" and policy["fee_enterprise"] == "450.00"
    assert {"weekday": 1, "opens": "08:30:00", "closes": "17:30:00"} in signed_in["opening_hours"]


async def test_unknown_instrument_is_404(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    response = await client.get(f"{URL}/987654321")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    patched = await client.patch(
        f"{URL}/987654321", json={"model": "x"}, headers=world.users["platform"].headers
    )
    assert patched.status_code == 404


async def test_update_increments_version_and_honours_if_match(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    admin = world.users["admin_a"]
    new_id = (
        await client.post(URL, json=instrument_body(world.inst_a), headers=admin.headers)
    ).json()["id"]
    first = await client.patch(
        f"{URL}/{new_id}",
        json={"model": "D8 VENTURE", "original_value": 300},
        headers=admin.headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2 and first.headers["etag"] == '"2"'
    assert first.json()["model"] == "D8 VENTURE" and first.json()["original_value"] == "300.00"
    stale = await client.patch(
        f"{URL}/{new_id}", json={"room": "101"}, headers={**admin.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    fresh = await client.patch(
        f"{URL}/{new_id}", json={"room": "101"}, headers={**admin.headers, "If-Match": 'W/"2"'}
    )
    assert fresh.status_code == 200 and fresh.json()["version"] == 3
    searchable = await client.get(URL, params={"q": "d8 venture", "institution": world.inst_a})
    assert new_id in [i["id"] for i in searchable.json()["items"]]


async def test_retire_hides_from_default_list_and_keeps_record(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    admin = world.users["admin_a"]
    body = instrument_body(world.inst_a, name_en=f"retire-me {world.token}")
    new_id = (await client.post(URL, json=body, headers=admin.headers)).json()["id"]
    retired = await client.post(f"{URL}/{new_id}/retire", headers=admin.headers)
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    assert retired.json()["status"] == "normal" and retired.json()["version"] == 2
    params = {"q": f"retire-me {world.token}"}
    assert (await client.get(URL, params=params)).json()["total"] == 0
    listed = (await client.get(URL, params={**params, "include_retired": "true"})).json()
    assert [i["id"] for i in listed["items"]] == [new_id] and listed["items"][0]["retired"]
    assert (await client.get(f"{URL}/{new_id}")).status_code == 200
    again = await client.post(f"{URL}/{new_id}/retire", headers=admin.headers)
    assert again.status_code == 409
    edit = await client.patch(f"{URL}/{new_id}", json={"room": "9"}, headers=admin.headers)
    assert edit.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"original_value": -1}, "original_value"),
        ({"original_value": "12.345"}, "original_value"),
        ({"original_value": "NaN"}, "original_value"),
        ({"original_value": "1e20"}, "original_value"),
        ({"photo_url": "javascript:alert(1)"}, "photo_url"),
        ({"photo_url": "ftp://example.org/a.jpg"}, "photo_url"),
        ({"service_start": (utcnow() + timedelta(days=30)).date().isoformat()}, "service_start"),
        ({"category_code": "0198"}, "category"),
        ({"institution_id": 987654321}, "institution"),
    ],
)
async def test_invalid_registry_fields_are_422(
    client: httpx.AsyncClient, world: CatalogWorld, overrides: dict[str, object], rule: str
) -> None:
    body = instrument_body(world.inst_a, **overrides)
    response = await client.post(URL, json=body, headers=world.users["platform"].headers)
    assert response.status_code == 422, response.text
    assert rule in [v["rule"] for v in response.json()["violations"]]


@pytest.mark.parametrize(
    "overrides",
    [
        {"name_zh": ""},
        {"name_zh": "x" * 201},
        {"share_mode": "public"},
        {"status": "fine"},
        {"instrument_type": "both"},
        {"category_code": "1"},
        {"original_value": [1]},
        {"service_start": "yesterday"},
        {"institution_id": "one"},
        {"subject_areas": "chemistry"},
        {"unexpected": True},
    ],
)
async def test_schema_violations_are_422(
    client: httpx.AsyncClient, world: CatalogWorld, overrides: dict[str, object]
) -> None:
    body = instrument_body(world.inst_a, **overrides)
    response = await client.post(URL, json=body, headers=world.users["platform"].headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_missing_required_field_is_422(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    body = instrument_body(world.inst_a)
    del body["name_zh"]
    response = await client.post(URL, json=body, headers=world.users["platform"].headers)
    assert response.status_code == 422


async def test_malformed_json_is_400(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    headers = {**world.users["platform"].headers, "content-type": "application/json"}
    for raw in (b'{"name_zh": ', b"not json", b'{"a":1}}'):
        response = await client.post(URL, content=raw, headers=headers)
        assert response.status_code == 400, (raw, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_huge_body_is_413(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    body = instrument_body(world.inst_a, specs="x" * 2_000_000)
    response = await client.post(URL, json=body, headers=world.users["platform"].headers)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_anonymous_writes_are_401(client: httpx.AsyncClient, world: CatalogWorld) -> None:
    ms = world.instruments["ms_a"]
    assert (await client.post(URL, json=instrument_body(world.inst_a))).status_code == 401
    assert (await client.patch(f"{URL}/{ms}", json={"room": "1"})).status_code == 401
    assert (await client.post(f"{URL}/{ms}/retire")).status_code == 401
