"""Importing the registry's instrument file: dry run with a per-row report, then apply in one
transaction; idempotent by institution code + innerId; bad files refused clearly."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.factories import UserHandle, make_institution, make_user, unique
from tests.onboarding_support import csv_bytes, registry_row, xlsx_bytes

URL = "/api/v1/imports/instruments"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture(scope="module")
async def users(db: Database) -> dict[str, UserHandle]:
    inst = await make_institution(db)
    return {
        "platform": await make_user(db, inst, platform_admin=True),
        "inst_admin": await make_user(db, inst, admin_of=[inst]),
        "researcher": await make_user(db, inst),
    }


async def _post(client: httpx.AsyncClient, user: UserHandle, body: bytes, *, apply: bool = False,
                headers: dict[str, str] | None = None, filename: str = "f.csv") -> httpx.Response:  # fmt: skip
    params = {"dry_run": "false" if apply else "true", "filename": filename}
    return await client.post(
        URL, content=body, params=params, headers={**user.headers, **(headers or CSV)}
    )


async def _count(db: Database, code: str) -> int:
    return int(await db.fetchval(
        "SELECT count(*) FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE n.code = $1", code
    ))  # fmt: skip


async def test_new_institution_dry_run_apply_and_second_import(
    client: httpx.AsyncClient, db: Database, users: dict[str, UserHandle]
) -> None:
    code = unique("imp").lower()
    rows = [
        registry_row(code, f"A{i}", insName="Import Test University", insKind="高等院校")
        for i in range(3)
    ]
    body = csv_bytes(rows)
    dry = await _post(client, users["platform"], body)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["errors"] == [] and report["applied"] is False
    assert (report["institutions_created"], report["instruments_created"]) == (1, 3)
    assert await _count(db, code) == 0  # a dry run writes nothing
    applied = await _post(client, users["platform"], body, apply=True)
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"] is True and applied.json()["instruments_created"] == 3
    again = (await _post(client, users["platform"], body, apply=True)).json()
    assert (
        again["instruments_created"],
        again["instruments_updated"],
        again["instruments_unchanged"],
    ) == (0, 0, 3)
    rows[1]["worth"] = "1300.00"
    changed = (await _post(client, users["platform"], csv_bytes(rows), apply=True)).json()
    assert (changed["instruments_created"], changed["instruments_updated"]) == (0, 1)
    assert await _count(db, code) == 3
    stored = await db.fetchrow(
        "SELECT i.category_code, i.country_code, i.country, i.subject_codes, i.status, i.share_mode, i.source "
        "FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE n.code = $1 AND inner_id = 'A1'", code
    )  # fmt: skip
    assert stored is not None
    assert tuple(stored) == (
        "010101",
        "JP",
        "日本",
        ["430", "140"],
        "normal",
        "external",
        "purchased",
    )


async def test_every_bad_row_is_reported_and_nothing_is_written(
    client: httpx.AsyncClient, db: Database, users: dict[str, UserHandle]
) -> None:
    code = unique("bad").lower()
    good = registry_row(code, "G1", insName="Bad File University")
    rows = [
        good,
        registry_row(code, "G2", instrCategory="019876"),
        registry_row(code, "G3", worth="12.345", nation="Atlantis", status="很好"),
        registry_row(code, "G1"),  # duplicate of line 2
        registry_row(code, "G5", technical='=HYPERLINK("http://evil")'),
    ]
    response = await _post(client, users["platform"], csv_bytes(rows), apply=True)
    assert response.status_code == 422
    errors = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert {
        (3, "instrCategory"),
        (4, "worth"),
        (4, "nation"),
        (4, "status"),
        (5, "innerId"),
        (6, "technical"),
    } <= errors
    reasons = {e["field"]: e for e in response.json()["errors"]}
    assert reasons["worth"]["value"] == "12.345" and "two decimals" in reasons["worth"]["reason"]
    assert await _count(db, code) == 0
    assert await db.fetchval("SELECT count(*) FROM institution WHERE code = $1", code) == 0


async def test_gbk_file_is_read_and_broken_bytes_refused(
    client: httpx.AsyncClient, db: Database, users: dict[str, UserHandle]
) -> None:
    code = unique("gbk").lower()
    body = csv_bytes([registry_row(code, "K1", insName="松花江理工大学")], encoding="gbk")
    dry = await _post(client, users["platform"], body)
    assert dry.status_code == 200 and dry.json()["file"]["encoding"] == "gb18030", dry.text
    assert dry.json()["errors"] == []
    garbage = b"insCode,innerId\n\xff\xfe\xfa\x80\x81\xff,1\n"
    refused = await _post(client, users["platform"], garbage)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file" and "UTF-8" in refused.json()["detail"]


async def test_missing_columns_empty_and_huge_files(
    client: httpx.AsyncClient, users: dict[str, UserHandle]
) -> None:
    short = await _post(client, users["platform"], b"insCode,cname\njlu,x\n")
    assert short.status_code == 422 and "innerId" in short.json()["detail"]
    empty = await _post(client, users["platform"], b"")
    assert empty.status_code == 422
    huge = await _post(client, users["platform"], b"x" * (50 * 1024 * 1024))
    assert huge.status_code == 413
    assert huge.headers["content-type"].startswith("application/problem+json")


async def test_xlsx_with_chinese_headers_and_a_formula_cell(
    client: httpx.AsyncClient, users: dict[str, UserHandle]
) -> None:
    from service.registry import vocab

    code = unique("xl").lower()
    zh = dict(vocab.INSTRUMENT_FIELDS + vocab.INSTITUTION_FIELDS)
    rows = [{zh[k]: v for k, v in registry_row(code, f"X{i}", insName="Sheet University", worth="88.5").items()} for i in range(2)]  # fmt: skip
    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    fine = await _post(client, users["platform"], xlsx_bytes(rows), headers=xlsx, filename="a.xlsx")
    assert fine.status_code == 200 and fine.json()["errors"] == [], fine.text
    assert fine.json()["file"]["format"] == "xlsx"
    formula = await _post(
        client, users["platform"], xlsx_bytes(rows, (3, "原值（万元）")), headers=xlsx
    )
    errors = formula.json()["errors"]
    assert {(e["line"], e["field"]) for e in errors} == {(3, "worth")}
    assert any("formula" in e["reason"] for e in errors)


async def test_institution_admins_import_only_into_their_own(
    client: httpx.AsyncClient, db: Database, users: dict[str, UserHandle]
) -> None:
    other = await make_institution(db)
    other_code = await db.fetchval("SELECT code FROM institution WHERE id = $1", other)
    own_code = await db.fetchval(
        "SELECT code FROM institution WHERE id = $1", users["inst_admin"].institution_id
    )
    body = csv_bytes(
        [
            registry_row(own_code, "O1"),
            registry_row(other_code, "O2"),
            registry_row("brand-new-x", "O3"),
        ]
    )
    report = (await _post(client, users["inst_admin"], body)).json()
    assert {(e["line"], e["field"]) for e in report["errors"]} == {(3, "insCode"), (4, "insCode")}
    denied = await _post(client, users["researcher"], body)
    assert denied.status_code == 403
