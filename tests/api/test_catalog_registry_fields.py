"""The registry fields added to instruments (asset number, source, customs, GB/T 2659 country,
GB/T 13745 disciplines, 小类 codes, address parts) through the API."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.catalog_support import CatalogWorld, build_world, instrument_body
from tests.factories import unique

URL = "/api/v1/instruments"


@pytest.fixture(scope="module")
async def world(db: Database) -> CatalogWorld:
    return await build_world(db)


async def test_registry_fields_round_trip_and_country_name_gives_its_code(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    admin = world.users["admin_a"]
    body = instrument_body(
        world.inst_a,
        category_code="010301",
        inner_id=unique("A"),
        source="purchased",
        customs_supervised=True,
        subject_codes=["430", "150"],
        service_content="物相分析测试服务",
        achievement="论文20篇",
        county="朝阳区",
        street="前进大街2699号",
        postal_code="130012",
        belongs_type="分析测试中心",
        belongs_name="材料分析测试平台",
    )
    created = await client.post(URL, json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["category_code"] == "010301" and out["category_name_zh"] == "X射线衍射仪"
    assert out["country"] == "德国" and out["country_code"] == "DE"
    assert out["subject_codes"] == ["430", "150"] and out["customs_supervised"] is True
    assert (out["postal_code"], out["source"]) == ("130012", "purchased")
    patched = await client.patch(
        f"{URL}/{out['id']}", json={"country": "Japan"}, headers=admin.headers
    )
    assert patched.status_code == 200 and patched.json()["country_code"] == "JP"
    listed = await client.get(URL, params={"category": "01", "institution": world.inst_a})
    assert out["id"] in [i["id"] for i in listed.json()["items"]]  # a class matches its 小类


async def test_asset_number_is_unique_within_an_institution(
    client: httpx.AsyncClient, world: CatalogWorld
) -> None:
    admin = world.users["admin_a"]
    inner = unique("dup")
    first = await client.post(
        URL, json=instrument_body(world.inst_a, inner_id=inner), headers=admin.headers
    )
    assert first.status_code == 201
    second = await client.post(
        URL, json=instrument_body(world.inst_a, inner_id=inner), headers=admin.headers
    )
    assert second.status_code == 409 and "asset number" in second.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"subject_codes": ["999"]}, "subject_codes"),
        ({"country_code": "QQ"}, "country_code"),
        ({"postal_code": "12345"}, None),
        ({"subject_codes": ["110", "120", "130", "140", "150"]}, None),
        ({"source": "stolen"}, None),
        ({"category_code": "010298"}, "category"),
    ],
)
async def test_bad_registry_codes_are_422(
    client: httpx.AsyncClient, world: CatalogWorld, overrides: dict[str, object], rule: str | None
) -> None:
    body = instrument_body(world.inst_a, **overrides)
    response = await client.post(URL, json=body, headers=world.users["platform"].headers)
    assert response.status_code == 422, response.text
    if rule is not None:
        assert rule in {v["rule"] for v in response.json()["violations"]}
