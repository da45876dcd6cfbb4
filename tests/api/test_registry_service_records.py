"""Service records in the registry's order: external service only by default, a Chinese header
row on request, the five satisfaction words exactly; the old metrics endpoint keeps working."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from service.registry import vocab
from tests.factories import make_user
from tests.metrics_support import add_booking, add_session, make_world

SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/registry/service-records"
MAY = {"from": "2025-05-01", "to": "2025-06-01"}


def at(d: int, h: int) -> datetime:
    return datetime(2025, 5, d, h, tzinfo=SH)


async def test_registry_service_records(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    inst = w.instruments_a[0]
    await db.execute("UPDATE instrument SET inner_id = 'ZC-0001' WHERE id = $1", inst)
    outsider = await make_user(db, w.inst_c)
    done = await add_booking(db, inst, outsider, at(3, 9), at(3, 11))
    await add_session(db, inst, w.inst_c, at(3, 9), at(3, 11),
                      user_id=outsider.id, booking_id=done, service_way="entrusted",
                      amount=Decimal("120.50"))  # fmt: skip
    await db.execute(
        "INSERT INTO satisfaction (booking_id, user_id, instrument_id, day, rating) "
        "VALUES ($1, $2, $3, '2025-05-03', 4)",
        done, outsider.id, inst,
    )  # fmt: skip
    await add_session(db, inst, w.inst_a, at(4, 9), at(4, 10))  # internal use
    headers = w.admin_a.headers

    response = await client.get(URL, params=MAY, headers=headers)
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == [n for n, _ in vocab.SERVICE_RECORD_FIELDS]
    (row,) = list(csv.DictReader(io.StringIO(text)))  # only the external session
    assert (row["insCode"], row["innerId"], row["amounts"]) == (
        await db.fetchval("SELECT code FROM institution WHERE id = $1", w.inst_a),
        "ZC-0001",
        "120.50",
    )
    assert row["serviceTime"] == "2025-05-03 09:00:00~2025-05-03 11:00:00"
    assert (row["serviceWay"], row["serviceAmount"], row["comment"]) == (
        "委托共享",
        "2.00",
        "基本满意",
    )
    assert row["applicatEmail"] == outsider.email

    both = await client.get(URL, params={**MAY, "scope": "all", "format": "json"}, headers=headers)
    assert len(json.loads(both.content)) == 2
    zh = await client.get(URL, params={**MAY, "header": "zh"}, headers=headers)
    assert zh.content.decode("utf-8-sig").startswith(
        "单位代码,单位内部编号,服务金额（元）,服务时间"
    )
    old = await client.get("/api/v1/metrics/service-records", params=MAY, headers=headers)
    assert old.status_code == 200 and old.json()["total"] == 2
    refused = await client.get(URL, params=MAY, headers=w.researcher_c.headers)
    assert refused.status_code == 403
    backwards = await client.get(
        URL, params={"from": "2025-06-01", "to": "2025-05-01"}, headers=headers
    )
    assert backwards.status_code == 422


def test_the_comment_uses_exactly_the_registry_words() -> None:
    assert sorted(vocab.COMMENT.values()) == sorted(
        ["非常满意", "基本满意", "一般", "不满意", "极差"]
    )
