"""The metrics API over hand-computed fixtures: figures, scopes, CSV, bad parameters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from service.db import Database
from service.metrics.rollup import rebuild
from tests.factories import make_instrument, make_user
from tests.metrics_support import World, add_booking, add_session, make_world

SH = ZoneInfo("Asia/Shanghai")
MARCH = {"from": "2025-03-01", "to": "2025-04-01"}


def at(d: int, h: int, m: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, d, h, m, tzinfo=SH)


@pytest.fixture
async def world(db: Database) -> World:
    """Instrument A0: internal 2 h, external 3 h (B, same region), external cross-region 1 h
    (C, Yanbian) on 10 March; B0: 4 h by A on 11 March (external for B)."""
    w = await make_world(db, name_zh=None)
    a0, b0 = w.instruments_a[0], w.instruments_b[0]
    await add_session(db, a0, w.inst_a, at(10, 8), at(10, 10))
    await add_session(db, a0, w.inst_b, at(10, 10), at(10, 13))
    await add_session(db, a0, w.inst_c, at(10, 14), at(10, 15))
    await add_session(db, b0, w.inst_a, at(11, 8), at(11, 12))
    booker = await make_user(db, w.inst_c)
    await add_booking(db, a0, booker, at(12, 8), at(12, 9), status="no_show")
    await rebuild(db, date(2025, 3, 1), date(2025, 4, 1), [*w.instruments_a, *w.instruments_b])
    return w


def row_of(body: dict[str, Any], key: object) -> dict[str, Any]:
    return next(r for r in body["rows"] if r["key"] == str(key))


async def test_hand_computed_instrument_row(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(
        "/api/v1/metrics/sharing",
        params={**MARCH, "group_by": "instrument"},
        headers=world.admin_a.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    row = row_of(body, world.instruments_a[0])
    assert (row["effective_hours"], row["external_hours"], row["cross_region_hours"]) == (6, 4, 1)
    assert row["internal_hours"] == 2
    assert round(row["sharing_rate"] * 100, 1) == 66.7
    assert row["quota_hours"] == pytest.approx(1400 * 31 / 365, abs=0.01)
    assert row["utilisation"] == pytest.approx(6 / (1400 * 31 / 365), abs=1e-4)
    assert row["external_institutions"] == 2
    assert (row["bookings"], row["no_shows"], row["no_show_rate"]) == (1, 1, 1.0)
    assert row["available_hours"] == 31 * 24
    idle = row_of(body, world.instruments_a[1])
    assert idle["effective_hours"] == 0 and idle["sharing_rate"] is None
    assert body["totals"]["effective_hours"] == 6 and body["totals"]["instruments"] == 2
    assert body["totals"]["quota_hours"] == pytest.approx(2 * 1400 * 31 / 365, abs=0.01)
    ref = body["reference"]
    assert ref["national_effective_hours_per_instrument_year"] == 1599
    assert (
        ref["national_sharing_rate"] == 0.16 and ref["national_sharing_rate_10m_yuan_plus"] == 0.34
    )
    assert ref["effective_hours_per_instrument"] == 3
    assert body["from"] == "2025-03-01" and body["to"] == "2025-04-01"


async def test_institution_admin_never_sees_other_institutions(
    client: httpx.AsyncClient, world: World
) -> None:
    for group_by in ("instrument", "institution", "region", "category", "month", "year"):
        r = await client.get(
            "/api/v1/metrics/sharing",
            params={**MARCH, "group_by": group_by},
            headers=world.admin_a.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        # B's instrument (4 h) is in the same region and category: it must not be counted
        assert body["totals"]["effective_hours"] == 6, group_by
        keys = {row["key"] for row in body["rows"]}
        if group_by == "instrument":
            assert keys == {str(i) for i in world.instruments_a}
        if group_by == "institution":
            assert keys == {str(world.inst_a)}
    r = await client.get(
        "/api/v1/metrics/sharing",
        params={**MARCH, "institution": world.inst_b},
        headers=world.admin_a.headers,
    )
    assert r.json()["rows"] == [] and r.json()["totals"]["effective_hours"] == 0
    r = await client.get(
        "/api/v1/metrics/sharing",
        params={**MARCH, "group_by": "institution"},
        headers=world.admin_b.headers,
    )
    assert [row["key"] for row in r.json()["rows"]] == [str(world.inst_b)]
    assert r.json()["rows"][0]["sharing_rate"] == 1.0


async def test_manager_sees_only_managed_instruments(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.get("/api/v1/metrics/sharing", params=MARCH, headers=world.manager_a.headers)
    assert [row["key"] for row in r.json()["rows"]] == [str(world.instruments_a[0])]


async def test_researcher_is_refused_but_sees_own_history(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    for path in ("sharing", "sharing.csv", "flows", "service-records"):
        r = await client.get(
            f"/api/v1/metrics/{path}", params=MARCH, headers=world.researcher_c.headers
        )
        assert r.status_code == 403, path
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get(
        f"/api/v1/metrics/institutions/{world.inst_c}/evaluation",
        headers=world.researcher_c.headers,
    )
    assert r.status_code == 403
    assert (await client.get("/api/v1/metrics/sharing", params=MARCH)).status_code == 401
    mine = await client.get("/api/v1/metrics/mine", headers=world.researcher_c.headers)
    assert mine.status_code == 200 and mine.json()["sessions"] == []
    user = world.researcher_c
    await add_session(
        db, world.instruments_a[0], world.inst_c, at(20, 9), at(20, 11, 30), user_id=user.id
    )
    mine = (await client.get("/api/v1/metrics/mine", headers=user.headers)).json()
    assert mine["total_hours"] == 2.5 and mine["by_instrument"][0]["sessions"] == 1
    assert mine["sessions"][0]["instrument_id"] == world.instruments_a[0]


async def test_category_grouping_and_filters(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    other = await make_instrument(db, world.inst_a, category="0201", value=Decimal("1200"))
    await add_session(db, other, world.inst_b, at(15, 9), at(15, 10))
    await rebuild(db, date(2025, 3, 15), date(2025, 3, 16), [other])
    headers = world.admin_a.headers
    body = (
        await client.get(
            "/api/v1/metrics/sharing", params={**MARCH, "group_by": "category"}, headers=headers
        )
    ).json()
    assert {r["key"]: r["effective_hours"] for r in body["rows"]} == {"01": 6, "02": 1}
    assert row_of(body, "01")["label"] == "分析仪器" and row_of(body, "01")["instruments"] == 2
    only = (
        await client.get(
            "/api/v1/metrics/sharing", params={**MARCH, "category": "01"}, headers=headers
        )
    ).json()
    assert only["totals"]["effective_hours"] == 6
    big = (
        await client.get(
            "/api/v1/metrics/sharing", params={**MARCH, "value_min": "1000"}, headers=headers
        )
    ).json()
    assert [r["key"] for r in big["rows"]] == [str(other)]
    en = (
        await client.get(
            "/api/v1/metrics/sharing",
            params={**MARCH, "group_by": "category"},
            headers={**headers, "Accept-Language": "en"},
        )
    ).json()
    assert row_of(en, "01")["label"] == "Analytical instruments"


async def test_month_and_year_groupings(client: httpx.AsyncClient, world: World) -> None:
    params = {"from": "2025-02-15", "to": "2025-04-10", "group_by": "month"}
    body = (
        await client.get("/api/v1/metrics/sharing", params=params, headers=world.admin_a.headers)
    ).json()
    assert [r["key"] for r in body["rows"]] == ["2025-02", "2025-03", "2025-04"]
    assert [r["effective_hours"] for r in body["rows"]] == [0, 6, 0]
    assert body["rows"][0]["quota_hours"] == pytest.approx(2 * 1400 * 14 / 365, abs=0.01)
    year = (
        await client.get(
            "/api/v1/metrics/sharing",
            params={"from": "2025-01-01", "to": "2026-01-01", "group_by": "year"},
            headers=world.admin_a.headers,
        )
    ).json()
    assert [(r["key"], r["effective_hours"], r["quota_hours"]) for r in year["rows"]] == [
        ("2025", 6, 2800)
    ]
    assert year["rows"][0]["utilisation"] == round(6 / 2800, 4)


async def test_csv_has_bom_and_chinese(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(
        "/api/v1/metrics/sharing.csv",
        params={**MARCH, "group_by": "region"},
        headers=world.admin_a.headers,
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.content.startswith("\ufeff".encode())
    text = r.content.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("key,label,effective_hours,external_hours,cross_region_hours")
    assert first.startswith("220100,长春市,6.0,4.0,1.0")


async def test_csv_for_people_has_a_header_row_in_their_language_and_percentages(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.get(
        "/api/v1/metrics/sharing.csv",
        params={**MARCH, "group_by": "region", "labels": "zh-CN"},
        headers=world.admin_a.headers,
    )
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    header, first = r.content.decode("utf-8-sig").splitlines()[:2]
    columns = header.split(",")
    assert columns[:4] == ["代码", "名称", "有效工作机时", "对外服务机时"]
    values = dict(zip(columns, first.split(","), strict=True))
    assert values["名称"] == "长春市" and values["共享率"] == "66.7%", values
    flows = await client.get(
        "/api/v1/metrics/flows.csv", params={**MARCH, "labels": "en"}, headers=world.admin_a.headers
    )
    lines = flows.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == [
        "Users' region code", "Users' region", "Instruments' region code",
        "Instruments' region", "Hours",
    ]  # fmt: skip
    assert any(line.startswith("222400,Yanbian") for line in lines[1:]), lines
    machine = await client.get(
        "/api/v1/metrics/flows.csv", params=MARCH, headers=world.admin_a.headers
    )
    assert machine.content.decode("utf-8-sig").startswith("from_region,from_label,to_region")


async def test_flows_matrix(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/api/v1/metrics/flows", params=MARCH, headers=world.admin_a.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {(m["from_region"], m["to_region"]): m["hours"] for m in body["matrix"]} == {
        ("220100", "220100"): 5,
        ("222400", "220100"): 1,
    }
    assert {x["code"]: x["label"] for x in body["regions"]}["222400"] == "延边朝鲜族自治州"
    csv = await client.get("/api/v1/metrics/flows.csv", params=MARCH, headers=world.admin_a.headers)
    assert csv.content.startswith("\ufeff".encode()) and "延边朝鲜族自治州" in csv.content.decode(
        "utf-8-sig"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-03-01", "to": "2025-03-01"},
        {"from": "2025-03-02", "to": "2025-03-01"},
        {"from": "2010-01-01", "to": "2020-01-02"},
        {"from": "2025-03-01"},
        {"from": "03/01/2025", "to": "2025-04-01"},
        {**MARCH, "group_by": "week"},
        {**MARCH, "category": "1"},
        {**MARCH, "value_min": "-1"},
        {**MARCH, "share_mode": "sometimes"},
        {**MARCH, "page_size": "0"},
        {**MARCH, "institution": "x"},
    ],
)
async def test_bad_parameters_are_422(
    client: httpx.AsyncClient, world: World, params: dict[str, Any]
) -> None:
    r = await client.get("/api/v1/metrics/sharing", params=params, headers=world.platform.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


RANGE_PATHS = ["sharing", "sharing.csv", "flows", "flows.csv"]
EDGE_CASES = [
    *((p, {"from": "9999-01-01", "to": "9999-12-31"}) for p in RANGE_PATHS),
    *((p, {"from": "9998-12-01", "to": "9999-01-02"}) for p in RANGE_PATHS),
    *(
        (p, {**MARCH, "value_min": v})
        for p in ("sharing", "sharing.csv")
        for v in ("NaN", "sNaN", "Infinity", "1e309")
    ),
]


@pytest.mark.parametrize(("path", "params"), EDGE_CASES)
async def test_edge_values_are_422_not_500(
    client: httpx.AsyncClient, world: World, path: str, params: dict[str, Any]
) -> None:
    """Ranges reaching into year 9999 and non-finite `value_min` once crashed the handlers."""
    r = await client.get(f"/api/v1/metrics/{path}", params=params, headers=world.platform.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_range_up_to_the_last_accepted_date(client: httpx.AsyncClient, world: World) -> None:
    params = {"from": "9998-01-01", "to": "9999-01-01", "group_by": "month"}
    r = await client.get("/api/v1/metrics/sharing", params=params, headers=world.platform.headers)
    assert r.status_code == 200, r.text


async def test_evaluation_ratios(client: httpx.AsyncClient, db: Database, world: World) -> None:
    complete: dict[str, Any] = {
        "manufacturer": "M",
        "model": "X",
        "country": "CN",
        "service_start": date(2020, 1, 1),
        "specs": "s",
        "functions": "f",
        "contact_name": "c",
        "contact_phone": "1",
    }
    await make_instrument(db, world.inst_a, value=Decimal("49.99"))  # not eligible
    await make_instrument(db, world.inst_a, share_mode="none", status="awaiting_repair", **complete)
    await make_instrument(db, world.inst_a, share_mode="internal", **complete)
    r = await client.get(
        f"/api/v1/metrics/institutions/{world.inst_a}/evaluation",
        params=MARCH,
        headers=world.admin_a.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"]) == ("2025-03-01", "2025-04-01")
    assert body["eligible"] == 4 and body["instruments"] == 5
    assert body["registered_ratio"] == {"numerator": 2, "denominator": 4, "ratio": 0.5}
    assert body["normal_ratio"]["numerator"] == 3
    assert body["shared_ratio"]["numerator"] == 3
    # 外部共享比例 from actual service: only A0 served outside institutions in March; two of
    # the four are declared for external sharing
    assert body["external_ratio"] == {"numerator": 1, "denominator": 4, "ratio": 0.25}
    assert body["declared_external_ratio"] == {"numerator": 2, "denominator": 4, "ratio": 0.5}
    assert body["below_threshold"] == {
        "instruments": 1,
        "effective_hours": 0.0,
        "external_hours": 0.0,
        "sharing_rate": None,
    }
    april = await client.get(
        f"/api/v1/metrics/institutions/{world.inst_a}/evaluation",
        params={"from": "2025-04-01", "to": "2025-05-01"},
        headers=world.admin_a.headers,
    )
    assert april.json()["external_ratio"]["numerator"] == 0
    half = await client.get(
        f"/api/v1/metrics/institutions/{world.inst_a}/evaluation",
        params={"from": "2025-04-01"},
        headers=world.admin_a.headers,
    )
    assert half.status_code == 422
    other = await client.get(
        f"/api/v1/metrics/institutions/{world.inst_b}/evaluation", headers=world.admin_a.headers
    )
    assert other.status_code == 404
    missing = await client.get(
        "/api/v1/metrics/institutions/999999999/evaluation", headers=world.platform.headers
    )
    assert missing.status_code == 404
