"""API tokens: created once in plain text, listed without secrets, revoked at once."""

from __future__ import annotations

from datetime import datetime

import httpx

from service.accounts.secrets import digest
from service.db import Database
from tests.accounts_support import assert_problem
from tests.factories import make_institution, make_user


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_create_list_revoke(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    created = await client.post(
        "/api/v1/tokens",
        json={"name": "analysis script", "expires_in_days": 30},
        headers=user.headers,
    )
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["token"].startswith(token["prefix"]) and len(token["token"]) > 40
    lifetime = datetime.fromisoformat(token["expires_at"]) - datetime.fromisoformat(
        token["created_at"]
    )
    assert lifetime.days == 30
    stored = await db.fetchrow(
        "SELECT user_id, name FROM api_token WHERE token_hash = $1", digest(token["token"])
    )
    assert (
        stored is not None and stored["user_id"] == user.id and stored["name"] == "analysis script"
    )

    assert (await client.get("/api/v1/me", headers=_bearer(token["token"]))).status_code == 200
    listed = await client.get("/api/v1/tokens", headers=user.headers)
    assert listed.status_code == 200
    assert token["token"] not in listed.text  # the secret is never shown again
    mine = {t["id"]: t for t in listed.json()}
    assert set(mine[token["id"]]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    }
    assert mine[token["id"]]["revoked_at"] is None and len(mine) == 2  # plus the factory's

    revoked = await client.delete(f"/api/v1/tokens/{token['id']}", headers=user.headers)
    assert revoked.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=_bearer(token["token"])), 401)
    again = await client.delete(f"/api/v1/tokens/{token['id']}", headers=user.headers)
    assert again.status_code == 204  # idempotent for the owner
    after = {t["id"]: t for t in (await client.get("/api/v1/tokens", headers=user.headers)).json()}
    assert after[token["id"]]["revoked_at"] is not None


async def test_tokens_without_expiry(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    created = await client.post("/api/v1/tokens", json={"name": "ci"}, headers=user.headers)
    assert created.status_code == 201 and created.json()["expires_at"] is None


async def test_expired_token_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    await db.execute(
        "UPDATE api_token SET expires_at = now() - interval '1 second' WHERE user_id = $1", user.id
    )
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)


async def test_other_users_tokens_are_invisible(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    owner, other = await make_user(db, inst), await make_user(db, inst, admin_of=[inst])
    token_id = await db.fetchval("SELECT id FROM api_token WHERE user_id = $1", owner.id)
    assert_problem(await client.delete(f"/api/v1/tokens/{token_id}", headers=other.headers), 404)
    assert (await client.get("/api/v1/me", headers=owner.headers)).status_code == 200
    listed = (await client.get("/api/v1/tokens", headers=other.headers)).json()
    assert token_id not in {t["id"] for t in listed}
    assert_problem(await client.delete("/api/v1/tokens/999999999", headers=owner.headers), 404)


async def test_token_input_is_validated(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    bad = [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 3651},
        {"name": "x", "expires_in_days": [30]},
        {"name": 7},
        {"name": "x", "expires_in_days": 2.5},
        {"name": "x", "scope": "admin"},
    ]
    for body in bad:
        response = await client.post("/api/v1/tokens", json=body, headers=user.headers)
        assert_problem(response, 422)
    assert_problem(await client.delete("/api/v1/tokens/abc", headers=user.headers), 404)
    assert_problem(await client.delete("/api/v1/tokens/0", headers=user.headers), 422)
    assert_problem(await client.post("/api/v1/tokens", json={"name": "x"}), 401)
