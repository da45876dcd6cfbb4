"""Enterprises register as legal entities with a checked 统一社会信用代码; their first account
administers them and verifies the others; platform admins merge duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.db import Database
from tests.accounts_support import assert_problem
from tests.bookings_support import book, future_day, local, set_policy
from tests.enterprise_support import next_code
from tests.factories import UserHandle, make_institution, make_instrument, make_user, unique

PASSWORD = "enterprise password 1"


def _body(code: str, **admin: Any) -> dict[str, Any]:
    return {
        "name_zh": f"{unique('长春光电')}有限公司",
        "credit_code": code,
        "region_code": "220100",
        "admin": {"email": f"{unique('boss')}@corp.example.com", "password": PASSWORD,
                  "display_name": "王总", **admin},
    }  # fmt: skip


async def _login(client: httpx.AsyncClient, email: str) -> UserHandle:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    me = r.json()["user"]
    return UserHandle(me["id"], email, r.json()["token"], me["institution"]["id"])


async def test_registration_makes_a_verified_admin_who_books_at_the_enterprise_rate(
    client: httpx.AsyncClient, db: Database
) -> None:
    body = _body(next_code().lower())  # lower case is accepted and stored upper case
    r = await client.post("/api/v1/enterprises", json=body)
    assert r.status_code == 201, r.text
    enterprise = r.json()
    assert enterprise["credit_code"] == body["credit_code"].upper()
    boss = await _login(client, body["admin"]["email"])
    me = (await client.get("/api/v1/me", headers=boss.headers)).json()
    assert me["affiliation"]["state"] == "verified" and me["affiliation"]["method"] == "enterprise"
    assert "institution_admin" in me["roles"]
    university = await make_institution(db)
    instrument = await make_instrument(db, university)
    await set_policy(db, instrument, min_notice_minutes=0, fee_internal=100,
                     fee_external_academic=300, fee_enterprise=600)  # fmt: skip
    start = local(future_day(8), 9)
    booked = await book(client, boss, instrument, start, start + timedelta(hours=1))
    assert (booked.json()["fee_class"], booked.json()["fee_per_hour"]) == ("enterprise", "600.00")


async def test_a_wrong_check_character_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    code = next_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    r = await client.post("/api/v1/enterprises", json=_body(wrong))
    body = assert_problem(r, 422)
    assert [v["rule"] for v in body["violations"]] == ["credit_code"]
    r = await client.post("/api/v1/enterprises", json=_body("91110000600O37341L"))
    assert assert_problem(r, 422)["violations"][0]["rule"] == "credit_code"


async def test_a_code_registers_once_and_nothing_is_half_written(
    client: httpx.AsyncClient, db: Database
) -> None:
    code = next_code()
    assert (await client.post("/api/v1/enterprises", json=_body(code))).status_code == 201
    again = _body(code)
    assert_problem(await client.post("/api/v1/enterprises", json=again), 409)
    assert not await db.fetchval(
        "SELECT 1 FROM app_user WHERE lower(email) = $1", again["admin"]["email"]
    )


async def test_the_enterprise_admin_verifies_the_other_accounts(
    client: httpx.AsyncClient, db: Database
) -> None:
    body = _body(next_code())
    enterprise = (await client.post("/api/v1/enterprises", json=body)).json()
    boss = await _login(client, body["admin"]["email"])
    email = f"{unique('staff')}@corp.example.com"
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "小李",
              "institution_id": enterprise["id"]},
    )  # fmt: skip
    staff = r.json()
    assert staff["affiliation"]["state"] == "claimed"
    approved = await client.post(
        f"/api/v1/institutions/{enterprise['id']}/memberships/{staff['id']}/approve",
        json={}, headers=boss.headers,
    )  # fmt: skip
    assert approved.json()["in_force"] is True


async def test_platform_admins_merge_a_duplicate(client: httpx.AsyncClient, db: Database) -> None:
    kept = (await client.post("/api/v1/enterprises", json=_body(next_code()))).json()
    duplicate = await make_institution(db, kind="enterprise")  # an older entry without a code
    person = await make_user(db, duplicate, admin_of=[duplicate])
    instrument = await make_instrument(db, duplicate)
    university = await make_institution(db)
    used = await make_instrument(db, university)
    start = datetime(2025, 4, 2, 1, tzinfo=UTC)
    await db.execute(
        """INSERT INTO usage_session (instrument_id, user_id, user_institution_id, user_region_code,
               is_external, is_cross_region, started_at, ended_at)
           VALUES ($1, $2, $3, '220100', true, false, $4, $5)""",
        used, person.id, duplicate, start, start + timedelta(hours=2),
    )  # fmt: skip
    platform = await make_user(db, await make_institution(db), platform_admin=True)
    assert_problem(
        await client.post(f"/api/v1/enterprises/{duplicate}/merge", json={"into": kept["id"]},
                          headers=person.headers), 403)  # fmt: skip
    r = await client.post(
        f"/api/v1/enterprises/{duplicate}/merge", json={"into": kept["id"]},
        headers=platform.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json() == {"kept": kept["id"], "merged": duplicate, "users": 1,
                        "instruments": 1, "sessions": 1}  # fmt: skip
    row = await db.fetchrow("SELECT active, merged_into FROM institution WHERE id = $1", duplicate)
    assert row is not None
    assert (row["active"], row["merged_into"]) == (False, kept["id"])
    owner = await db.fetchval("SELECT institution_id FROM instrument WHERE id = $1", instrument)
    assert owner == kept["id"]
    me = (await client.get("/api/v1/me", headers=person.headers)).json()
    assert me["institution"]["id"] == kept["id"] and me["affiliation"]["verified"]
    assert kept["id"] in [i["id"] for i in me["institutions_administered"]]
    flows = await db.fetch(
        "SELECT DISTINCT user_institution_id FROM flow_daily WHERE instrument_id = $1", used
    )
    assert [f["user_institution_id"] for f in flows] == [kept["id"]]
    assert_problem(
        await client.post(f"/api/v1/enterprises/{duplicate}/merge", json={"into": kept["id"]},
                          headers=platform.headers), 409)  # fmt: skip
    assert_problem(
        await client.post(f"/api/v1/enterprises/{kept['id']}/merge", json={"into": kept["id"]},
                          headers=platform.headers), 422)  # fmt: skip
