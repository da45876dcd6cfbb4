"""The monitoring-indicator report: per institution and region in one table, agreeing with the
sharing API and the evaluation ratios; stable columns in JSON and CSV; each caller's scope."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from service.metrics.rollup import rebuild
from service.metrics.schemas import MonitoringRowOut
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_session

SH = ZoneInfo("Asia/Shanghai")
JUNE = {"from": "2024-06-01", "to": "2024-07-01"}

#: The documented column names, in order (README, "Monitoring-indicator report").
COLUMNS = [
    "level", "region_code", "region_name_zh", "region_name_en", "institution_id",
    "institution_code", "institution_name_zh", "institution_name_en", "instruments",
    "evaluated_instruments", "original_value_wan", "effective_hours", "external_hours",
    "cross_region_hours", "internal_hours", "unverified_hours", "sharing_rate", "quota_hours", "utilisation",
    "sessions", "external_institutions", "registered_ratio", "normal_ratio", "shared_ratio",
    "external_sharing_ratio", "declared_external_ratio", "below_threshold_instruments",
    "below_threshold_effective_hours", "below_threshold_external_hours", "bookings", "no_shows",
    "no_show_rate", "satisfaction_avg", "satisfaction_count",
]  # fmt: skip


def at(d: int, h: int) -> datetime:
    return datetime(2024, 6, d, h, tzinfo=SH)


async def test_the_report_agrees_with_the_sharing_figures(
    client: httpx.AsyncClient, db: Database
) -> None:
    a = await make_institution(db, region="220100")
    b = await make_institution(db, region="220100")
    c = await make_institution(db, region="222400")
    a1 = await make_instrument(db, a)
    a2 = await make_instrument(db, a, share_mode="internal")
    b1 = await make_instrument(db, b)
    c1 = await make_instrument(db, c)
    for inst, user, day, start, end in ((a1, b, 3, 9, 12), (a1, c, 4, 9, 10), (a2, a, 5, 8, 9),
                                         (b1, a, 6, 9, 11), (c1, c, 7, 9, 13)):  # fmt: skip
        await add_session(db, inst, user, at(day, start), at(day, end))
    await rebuild(db, date(2024, 6, 1), date(2024, 7, 1), [a1, a2, b1, c1])
    admin = await make_user(db, a, admin_of=[a, b, c])
    r = await client.get("/api/v1/metrics/monitoring", params=JUNE, headers=admin.headers)
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert [(x["level"], x["region_code"], x["institution_id"]) for x in rows] == [
        ("institution", "220100", a), ("institution", "220100", b), ("region", "220100", None),
        ("institution", "222400", c), ("region", "222400", None), ("total", None, None),
    ]  # fmt: skip
    by = {(x["level"], x["institution_id"] or x["region_code"]): x for x in rows}
    assert list(rows[0]) == COLUMNS == list(MonitoringRowOut.__struct_encode_fields__)
    row_a = by[("institution", a)]
    assert (row_a["effective_hours"], row_a["external_hours"], row_a["cross_region_hours"]) == (
        5.0,
        4.0,
        1.0,
    )
    assert (row_a["instruments"], row_a["sessions"], row_a["external_institutions"]) == (2, 3, 2)
    # 外部共享比例 from actual service: A1 served outsiders, A2 only its own group
    assert (row_a["external_sharing_ratio"], row_a["declared_external_ratio"]) == (0.5, 0.5)
    changchun = by[("region", "220100")]
    assert (
        changchun["effective_hours"],
        changchun["external_hours"],
        changchun["instruments"],
    ) == (7.0, 6.0, 3)
    assert changchun["external_institutions"] == 3  # B and C on A1, A on B1: counted once each
    assert by[("total", None)]["effective_hours"] == 11.0
    # the same as the sharing table, group by group
    for group, level in (("institution", "institution"), ("region", "region")):
        table = await client.get(
            "/api/v1/metrics/sharing", params={**JUNE, "group_by": group}, headers=admin.headers
        )
        for t in table.json()["rows"]:
            key = int(t["key"]) if level == "institution" else t["key"]
            m = by[(level, key)]
            for name in ("effective_hours", "external_hours", "cross_region_hours", "sharing_rate",
                         "utilisation", "quota_hours", "external_institutions", "sessions"):  # fmt: skip
                assert m[name] == t[name], (group, key, name)
    # the evaluation ratios of one institution are the report's
    ev = await client.get(
        f"/api/v1/metrics/institutions/{a}/evaluation", params=JUNE, headers=admin.headers
    )
    assert ev.json()["external_ratio"]["ratio"] == row_a["external_sharing_ratio"]


async def test_csv_columns_and_scopes(client: httpx.AsyncClient, db: Database) -> None:
    a = await make_institution(db)
    b = await make_institution(db, region="222400")
    await make_instrument(db, a)
    await make_instrument(db, b)
    agency = await make_institution(db, kind="other")
    evaluator = await make_user(db, agency, evaluates=[a])
    r = await client.get("/api/v1/metrics/monitoring.csv", params=JUNE, headers=evaluator.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0] == COLUMNS
    institutions = {row[4] for row in table[1:] if row[0] == "institution"}
    assert institutions == {str(a)}  # B is not the evaluator's
    researcher = await make_user(db, a)
    assert (
        await client.get("/api/v1/metrics/monitoring", headers=researcher.headers)
    ).status_code == 403
    default = await client.get("/api/v1/metrics/monitoring", headers=evaluator.headers)
    body = default.json()
    assert body["from"].endswith("-01-01") and body["to"].endswith("-01-01")
    for bad in (
        {"from": "2024-06-01"},
        {"from": "2024-07-01", "to": "2024-06-01"},
        {"from": "x", "to": "y"},
    ):
        assert (
            await client.get("/api/v1/metrics/monitoring", params=bad, headers=evaluator.headers)
        ).status_code in (400, 422)


async def test_the_csv_for_people_has_a_chinese_header_row_and_percentages(
    client: httpx.AsyncClient, db: Database
) -> None:
    a = await make_institution(db)
    await make_instrument(db, a)
    agency = await make_institution(db, kind="other")
    evaluator = await make_user(db, agency, evaluates=[a])
    r = await client.get(
        "/api/v1/metrics/monitoring.csv",
        params={**JUNE, "labels": "zh-CN"},
        headers=evaluator.headers,
    )
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["层级", "地区代码"] and "共享率" in table[0] and "入网比例" in table[0]
    assert len(table[0]) == len(COLUMNS)
    registered = table[0].index("入网比例")
    ratios = [row[registered] for row in table[1:] if row[registered]]
    assert ratios and all(re.fullmatch(r"\d+\.\d%", v) for v in ratios), ratios
    assert {row[0] for row in table[1:]} <= {"单位", "地区小计", "合计"}
    english = await client.get(
        "/api/v1/metrics/monitoring.csv", params={**JUNE, "labels": "en"}, headers=evaluator.headers
    )
    header = next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert header[:2] == ["Level", "Region code"] and "Sharing rate" in header
