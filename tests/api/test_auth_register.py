"""Researcher self-registration."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from service.accounts.login import prune_login_failures
from service.accounts.passwords import hash_password
from service.accounts.users import create_user
from service.db import Database
from service.errors import Conflict
from service.settings import Settings
from tests.accounts_support import assert_problem, login
from tests.factories import make_institution, make_user, unique


def _body(institution_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "email": f"{unique('reg')}@Example.org",
        "password": "a long enough password",
        "display_name": "张三",
        "institution_id": institution_id,
    }
    body.update(overrides)
    return body


async def test_register_then_log_in(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db, region="222400")
    body = _body(inst, language="en")
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == body["email"].lower() and user["language"] == "en"
    assert user["roles"] == ["researcher"] and user["institution"]["id"] == inst
    assert user["region"]["code"] == "222400" and not user["is_platform_admin"]
    assert "set-cookie" not in response.headers  # registration does not log in
    stored = await db.fetchval("SELECT password_hash FROM app_user WHERE id = $1", user["id"])
    assert stored.startswith("$argon2id$")
    assert (await login(client, body["email"], body["password"])).status_code == 200


async def test_language_defaults_from_accept_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    en = await client.post(
        "/api/v1/auth/register", json=_body(inst), headers={"Accept-Language": "en-GB,en;q=0.8"}
    )
    assert en.status_code == 201 and en.json()["language"] == "en"
    zh = await client.post("/api/v1/auth/register", json=_body(inst))
    assert zh.status_code == 201 and zh.json()["language"] == "zh-CN"


async def test_duplicate_email_is_409(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    existing = await make_user(db, inst)
    response = await client.post(
        "/api/v1/auth/register", json=_body(inst, email=existing.email.upper())
    )
    assert_problem(response, 409)


async def test_concurrent_duplicate_registrations_make_one_user(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    body = _body(inst)
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/register", json=body) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    count = await db.fetchval(
        "SELECT count(*) FROM app_user WHERE lower(email) = lower($1)", body["email"]
    )
    assert count == 1


async def test_invalid_registrations(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    inactive = await make_institution(db)
    await db.execute("UPDATE institution SET active = false WHERE id = $1", inactive)
    email = f"{unique('reg')}@example.org"
    cases: list[tuple[dict[str, Any], str | None]] = [
        (_body(inst, email="not-an-email"), "email"),
        (_body(inst, email="a b@example.org"), "email"),
        (_body(inst, email=email, password=email), "password"),
        (_body(inst, display_name="   "), "display_name"),
        (_body(999_999_999), "institution_id"),
        (_body(inactive), "institution_id"),
        (_body(inst, password="short"), None),
        (_body(inst, language="fr"), None),
        (_body(inst, role="platform_admin"), None),
        ({**_body(inst), "institution_id": "abc"}, None),
        ({**_body(inst), "institution_id": 0}, None),
        (_body(inst, display_name="x" * 101), None),
        ({"email": "x@example.org"}, None),
    ]
    for body, rule in cases:
        problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 422)
        if rule is not None:
            assert rule in {v["rule"] for v in problem["violations"]}, body
    count = await db.fetchval(
        "SELECT count(*) FROM app_user WHERE institution_id = ANY($1)", [inst, inactive]
    )
    assert count == 0


async def test_create_user_for_seeding(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    email = f"{unique('seed')}@Example.org"
    shared_hash = hash_password("seeded password")
    async with db.connection() as conn:
        user_id = await create_user(
            conn,
            email=email,
            display_name="Seeded",
            institution_id=inst,
            password_hash=shared_hash,
            language="en",
        )
        with pytest.raises(Conflict):
            await create_user(
                conn,
                email=email.upper(),
                display_name="Twin",
                institution_id=inst,
                password_hash=shared_hash,
            )
    assert (await login(client, email, "seeded password")).json()["user"]["id"] == user_id


async def test_prune_login_failures(db: Database, settings: Settings) -> None:
    email = f"{unique('prune')}@example.org"
    await db.execute(
        """INSERT INTO login_failure (email_lower, failed_at)
           VALUES ($1, now() - interval '1 day'), ($1, now())""",
        email,
    )
    assert await prune_login_failures(db, settings) >= 1
    remaining = await db.fetchval(
        "SELECT count(*) FROM login_failure WHERE email_lower = $1", email
    )
    assert remaining == 1
