"""Platform admins add and edit regions: IANA zones, coordinates, parents, partner regions."""

from __future__ import annotations

import uuid

import httpx
import pytest

from service.db import Database
from tests.factories import UserHandle, make_institution, make_user


@pytest.fixture(scope="module")
async def users(db: Database) -> dict[str, UserHandle]:
    inst = await make_institution(db)
    return {
        "platform": await make_user(db, inst, platform_admin=True),
        "inst_admin": await make_user(db, inst, admin_of=[inst]),
    }


def _code() -> str:
    return "P-" + uuid.uuid4().hex[:8].upper()


async def test_admin_adds_a_partner_region_and_edits_it(
    client: httpx.AsyncClient, users: dict[str, UserHandle]
) -> None:
    headers = users["platform"].headers
    code = _code()
    body = {"code": code, "name_zh": "伙伴园区", "name_en": "Partner park",
            "timezone": "Asia/Seoul", "latitude": 37.56, "longitude": 126.97, "partner": True}  # fmt: skip
    created = await client.post("/api/v1/regions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["partner"] is True and created.json()["timezone"] == "Asia/Seoul"
    again = await client.post("/api/v1/regions", json=body, headers=headers)
    assert again.status_code == 409
    patched = await client.patch(
        f"/api/v1/regions/{code}", json={"timezone": "Asia/Tokyo", "latitude": 35.68},
        headers=headers,
    )  # fmt: skip
    assert patched.status_code == 200 and patched.json()["timezone"] == "Asia/Tokyo"
    listed = {r["code"]: r for r in (await client.get("/api/v1/regions")).json()}
    assert listed[code]["latitude"] == 35.68 and listed["220100"]["partner"] is False


async def test_a_new_city_under_the_province(
    client: httpx.AsyncClient, users: dict[str, UserHandle]
) -> None:
    code = _code()
    body = {"code": code, "name_zh": "新区", "name_en": "New area", "timezone": "Asia/Shanghai",
            "latitude": 43.9, "longitude": 125.3, "parent_code": "220000"}  # fmt: skip
    created = await client.post("/api/v1/regions", json=body, headers=users["platform"].headers)
    assert created.status_code == 201 and created.json()["parent_code"] == "220000"


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "CST"}, "timezone"),
        ({"parent_code": "NOPE-1"}, "parent_code"),
        ({"latitude": 91}, None),
        ({"code": "lower"}, None),
    ],
)
async def test_bad_regions_are_422(
    client: httpx.AsyncClient,
    users: dict[str, UserHandle],
    change: dict[str, object],
    rule: str | None,
) -> None:
    body = {"code": _code(), "name_zh": "区", "name_en": "R", "timezone": "Asia/Shanghai",
            "latitude": 0, "longitude": 0, **change}  # fmt: skip
    response = await client.post("/api/v1/regions", json=body, headers=users["platform"].headers)
    assert response.status_code in (400, 422), response.text
    if rule:
        assert response.status_code == 422
        assert rule in {v["rule"] for v in response.json()["violations"]}


async def test_only_platform_admins_write_regions(
    client: httpx.AsyncClient, users: dict[str, UserHandle]
) -> None:
    body = {"code": _code(), "name_zh": "区", "name_en": "R", "timezone": "Asia/Shanghai",
            "latitude": 0, "longitude": 0}  # fmt: skip
    denied = await client.post("/api/v1/regions", json=body, headers=users["inst_admin"].headers)
    assert denied.status_code == 403
    anonymous = await client.patch("/api/v1/regions/220100", json={"name_en": "X"})
    assert anonymous.status_code == 401
    missing = await client.patch(
        "/api/v1/regions/ZZ-404", json={"name_en": "X"}, headers=users["platform"].headers
    )
    assert missing.status_code == 404
