"""The caller's own profile: roles, preferences, password change."""

from __future__ import annotations

from typing import Any

import httpx

from service.db import Database
from tests.accounts_support import assert_problem, login
from tests.factories import PASSWORD, make_institution, make_instrument, make_user


async def test_me_lists_roles_and_objects(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db, region="220200")
    instrument = await make_instrument(db, inst)
    user = await make_user(db, inst, admin_of=[inst], manages=[instrument], platform_admin=True)
    me = (await client.get("/api/v1/me", headers=user.headers)).json()
    assert me["roles"] == [
        "researcher",
        "instrument_manager",
        "institution_admin",
        "platform_admin",
    ]
    assert [i["id"] for i in me["institutions_administered"]] == [inst]
    assert [i["id"] for i in me["instruments_managed"]] == [instrument]
    assert me["region"]["code"] == "220200" and me["region"]["timezone"] == "Asia/Shanghai"
    assert me["institution"]["id"] == inst and me["is_platform_admin"] is True
    assert me["reminder_lead_minutes"] == [1440, 60]


async def test_patch_preferences(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    response = await client.patch(
        "/api/v1/me",
        json={"display_name": " 李伟 ", "language": "en", "reminder_lead_minutes": [60, 1440, 60]},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["display_name"] == "李伟" and me["language"] == "en"
    assert me["reminder_lead_minutes"] == [1440, 60]
    off = await client.patch("/api/v1/me", json={"reminder_lead_minutes": []}, headers=user.headers)
    assert off.json()["reminder_lead_minutes"] == [] and off.json()["language"] == "en"


async def test_patch_rejects_bad_values(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    bad = [
        {"reminder_lead_minutes": [4]},
        {"reminder_lead_minutes": [10081]},
        {"reminder_lead_minutes": [5, 10, 15, 20, 25, 30]},
        {"reminder_lead_minutes": 60},
        {"language": "de"},
        {"display_name": ""},
        {"display_name": "   "},
        {"email": "new@example.org"},
        {"is_platform_admin": True},
    ]
    for body in bad:
        assert_problem(await client.patch("/api/v1/me", json=body, headers=user.headers), 422)
    me = (await client.get("/api/v1/me", headers=user.headers)).json()
    assert me["reminder_lead_minutes"] == [1440, 60] and not me["is_platform_admin"]


async def test_password_change_needs_current_password(
    client: httpx.AsyncClient, db: Database, app: Any
) -> None:
    user = await make_user(db, await make_institution(db))
    new = "a brand new passphrase"
    missing = await client.patch("/api/v1/me", json={"password": new}, headers=user.headers)
    assert_problem(missing, 422)
    wrong = await client.patch(
        "/api/v1/me", json={"password": new, "current_password": "guess"}, headers=user.headers
    )
    assert {v["rule"] for v in assert_problem(wrong, 422)["violations"]} == {"current_password"}
    short = await client.patch(
        "/api/v1/me", json={"password": "short", "current_password": PASSWORD}, headers=user.headers
    )
    assert_problem(short, 422)
    # a browser session elsewhere ends when the password changes
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as other_browser:
        assert (await login(other_browser, user.email)).status_code == 200
        ok = await client.patch(
            "/api/v1/me", json={"password": new, "current_password": PASSWORD}, headers=user.headers
        )
        assert ok.status_code == 200
        assert_problem(await other_browser.get("/api/v1/me"), 401)
    assert_problem(await login(client, user.email, PASSWORD), 401)
    assert (await login(client, user.email, new)).status_code == 200
