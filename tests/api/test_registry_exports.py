"""Registry formats: the catalogue in the registry's fields, order and Chinese values (CSV and
JSON, parsed back with the csv module), who may export what, and the completeness check."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from service.db import Database
from service.registry import vocab
from tests.factories import UserHandle, make_institution, make_instrument, make_user, unique

URL = "/api/v1/registry/instruments"


@pytest.fixture(scope="module")
async def world(db: Database) -> dict[str, Any]:
    inst = await make_institution(db, region="220100")
    other = await make_institution(db, region="222400")
    full = await make_instrument(
        db, inst, category="010601", value=Decimal("850.00"), inner_id=unique("ZC"),
        name_zh="核磁共振波谱仪", source="purchased", country="德国", country_code="DE",
        manufacturer="Bruker", model="AVANCE NEO 600", service_start=__import__("datetime").date(2019, 5, 1),
        specs="600 MHz", functions="结构解析", subject_codes=["150"], service_content="液体核磁测试",
        sharing_rules="预约使用", fee_standard="300元/小时", contact_name="王老师",
        contact_phone="0431-1234567", contact_email="nmr@example.org", building="化学楼",
        room="101", status="standby", share_mode="external", instrument_type="special",
    )  # fmt: skip
    bare = await make_instrument(db, inst, category="0102", value=Decimal("80.00"))
    foreign = await make_instrument(db, other)
    users = {
        "admin": await make_user(db, inst, admin_of=[inst]),
        "platform": await make_user(db, inst, platform_admin=True),
        "researcher": await make_user(db, inst),
    }
    return {
        "inst": inst,
        "other": other,
        "full": full,
        "bare": bare,
        "foreign": foreign,
        "users": users,
    }


def _users(world: dict[str, Any]) -> dict[str, UserHandle]:
    users: dict[str, UserHandle] = world["users"]
    return users


async def test_csv_has_the_registry_order_and_chinese_values(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    response = await client.get(URL, headers=_users(world)["admin"].headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [name for name, _ in vocab.INSTRUMENT_FIELDS]
    by_name = {r["cname"]: r for r in rows}
    nmr = by_name["核磁共振波谱仪"]
    assert (nmr["instrCategory"], nmr["worth"], nmr["nation"]) == ("010601", "850.00", "DE")
    assert (nmr["status"], nmr["shareMode"], nmr["type"]) == ("待机", "外部共享", "专用")
    assert (nmr["instrSource"], nmr["instrSupervise"], nmr["beginDate"]) == (
        "购置",
        "否",
        "2019-05-01",
    )
    assert (nmr["province"], nmr["city"], nmr["address"]) == ("吉林省", "长春市", "化学楼 101")
    assert nmr["serviceUrl"].endswith(f"/instruments/{world['full']}")
    bare = [r for r in rows if r["cname"] != "核磁共振波谱仪"]
    assert [r["instrCategory"] for r in bare] == ["010299"]  # a 中类 goes out as its 小类 其他
    assert len(rows) == 2  # the other institution's instrument is not this admin's


async def test_chinese_header_json_and_institution_columns(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    headers = _users(world)["platform"].headers
    params: dict[str, Any] = {"header": "zh", "institution": world["inst"]}
    zh = await client.get(URL, params=params, headers=headers)
    first = zh.content.decode("utf-8-sig").splitlines()[0]
    assert first.startswith("单位代码,单位内部编号,仪器中文名称")
    js = await client.get(
        URL, params={"format": "json", "institution": world["inst"], "institution_columns": "true"},
        headers=headers,
    )  # fmt: skip
    assert js.headers["content-type"].startswith("application/json")
    records = json.loads(js.content)
    assert list(records[0])[:3] == ["insCode", "innerId", "cname"]
    assert list(records[0])[-3:] == ["insName", "insNameEn", "insKind"]
    assert {r["insKind"] for r in records} == {"高等院校"}


async def test_only_admins_export(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    users = _users(world)
    assert (await client.get(URL, headers=users["researcher"].headers)).status_code == 403
    other = await client.get(
        URL, params={"institution": world["other"]}, headers=users["admin"].headers
    )
    assert other.status_code == 403
    assert (await client.get(URL)).status_code == 401


async def test_completeness_lists_missing_registry_fields(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    response = await client.get(
        "/api/v1/registry/completeness", headers=_users(world)["admin"].headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["instruments"] == 2 and body["complete"] == 1
    (item,) = body["items"]
    assert item["id"] == world["bare"]
    fields = {g["field"] for g in item["gaps"]}
    assert {"instrCategory", "nation", "technical", "subject", "contact"} <= fields
    assert "innerId" in fields  # 80万元 >= 50万元 needs an asset number
