"""Satisfaction ratings and the service-record export in the national field names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from service.metrics.rollup import rebuild
from tests.factories import make_user
from tests.metrics_support import add_booking, add_session, make_world

SH = ZoneInfo("Asia/Shanghai")
APRIL = {"from": "2025-04-01", "to": "2025-05-01"}


def at(d: int, h: int) -> datetime:
    return datetime(2025, 4, d, h, tzinfo=SH)


async def test_rating_rules_and_export(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    inst = w.instruments_a[0]
    booker = await make_user(db, w.inst_c, email=None)
    done = await add_booking(db, inst, booker, at(3, 9), at(3, 11))
    await add_session(
        db,
        inst,
        w.inst_c,
        at(3, 9),
        at(3, 10),
        user_id=booker.id,
        booking_id=done,
        service_way="entrusted",
        amount=Decimal("120.50"),
    )
    future = await add_booking(db, inst, booker, at(20, 9), at(20, 10), status="confirmed")
    url = f"/api/v1/bookings/{done}/rating"

    assert (
        await client.post(url, json={"rating": 5}, headers=w.researcher_c.headers)
    ).status_code == 404
    assert (await client.post(url, json={"rating": 6}, headers=booker.headers)).status_code == 422
    assert (
        await client.post(url, json={"rating": "好"}, headers=booker.headers)
    ).status_code == 422
    long = {"rating": 4, "comment": "x" * 1001}
    assert (await client.post(url, json=long, headers=booker.headers)).status_code == 422
    early = await client.post(
        f"/api/v1/bookings/{future}/rating", json={"rating": 4}, headers=booker.headers
    )
    assert early.status_code == 409
    r = await client.post(
        url, json={"rating": "满意", "comment": "样品处理及时"}, headers=booker.headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["rating"] == 4 and r.json()["label"] == "基本满意"  # the registry's word
    again = await client.post(url, json={"rating": 1}, headers=booker.headers)
    assert again.status_code == 409 and again.headers["content-type"].startswith(
        "application/problem+json"
    )

    await rebuild(db, date(2025, 4, 1), date(2025, 5, 1), [inst])
    table = (
        await client.get("/api/v1/metrics/sharing", params=APRIL, headers=w.admin_a.headers)
    ).json()
    row = next(x for x in table["rows"] if x["key"] == str(inst))
    assert (row["satisfaction_avg"], row["satisfaction_count"]) == (4.0, 1)

    r = await client.get("/api/v1/metrics/service-records", params=APRIL, headers=w.admin_a.headers)
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert item["serviceTime"] == "2025-04-03 09:00:00~2025-04-03 10:00:00"
    assert (item["serviceWay"], item["serviceAmount"], item["amounts"]) == ("委托共享", 1.0, 120.5)
    assert item["applicant"] == booker.email.split("@")[0]
    assert item["applicatUnit"].endswith("单位") and item["instrumentCode"] == str(inst)
    assert (item["satisfaction"], item["satisfactionScore"]) == ("基本满意", 4)
    other = await client.get(
        "/api/v1/metrics/service-records", params=APRIL, headers=w.admin_b.headers
    )
    assert other.json()["items"] == []

    csv = await client.get(
        "/api/v1/metrics/service-records",
        params={**APRIL, "format": "csv"},
        headers=w.admin_a.headers,
    )
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert csv.headers["content-type"].startswith("text/csv"), csv.headers
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "serviceTime,serviceWay,serviceAmount,applicant,applicatUnit,amounts"
    )
    assert len(lines) == 2 and "委托共享" in lines[1] and "基本满意" in lines[1]
    bad = await client.get(
        "/api/v1/metrics/service-records",
        params={**APRIL, "format": "xml"},
        headers=w.admin_a.headers,
    )
    assert bad.status_code == 422
    refused = await client.get(
        "/api/v1/metrics/service-records", params={**APRIL, "format": "csv"}, headers=booker.headers
    )
    assert refused.status_code == 403
