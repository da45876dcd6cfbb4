"""Login, sessions, CSRF and logout through the real app."""

from __future__ import annotations

import httpx

from service.accounts.secrets import digest
from service.db import Database
from tests.accounts_support import assert_problem, login
from tests.factories import PASSWORD, make_institution, make_user


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Cookie name -> the whole Set-Cookie header, to inspect its attributes."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


async def test_login_returns_token_user_and_session(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    user = await make_user(db, inst, admin_of=[inst], language="en")
    response = await login(client, user.email.upper())  # emails are case-insensitive
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == user.id and body["user"]["language"] == "en"
    assert body["user"]["roles"] == ["researcher", "institution_admin"]
    assert body["user"]["institution"]["id"] == inst and body["user"]["region"]["code"] == "220100"
    assert body["token"].startswith("ist_") and body["csrf_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["email"] == user.email
    name = await db.fetchval(
        "SELECT name FROM api_token WHERE token_hash = $1", digest(body["token"])
    )
    assert name == "login"


async def test_session_cookie_flags(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    response = await login(client, user.email)
    cookies = _set_cookies(response)
    session = _attributes(cookies["is_session"])
    assert {"httponly", "samesite=lax", "path=/"} <= session
    assert "secure" not in session  # the test base URL is plain http in a test environment
    csrf = _attributes(cookies["is_csrf"])
    assert "httponly" not in csrf and "samesite=lax" in csrf
    assert cookies["is_csrf"].split(";")[0] == f"is_csrf={response.json()['csrf_token']}"
    session_id = cookies["is_session"].split(";")[0].split("=", 1)[1]
    stored = await db.fetchval(
        "SELECT user_id FROM user_session WHERE id_hash = $1", digest(session_id)
    )
    assert stored == user.id
    plain = await db.fetchval(
        "SELECT count(*) FROM user_session WHERE id_hash = $1", session_id.encode()
    )
    assert plain == 0  # only the digest is stored


async def test_each_login_gets_a_new_session_and_drops_the_old(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db, await make_institution(db))
    first = (await login(client, user.email)).cookies["is_session"]
    second = (await login(client, user.email)).cookies["is_session"]  # sends the first cookie
    assert first != second
    assert (
        await db.fetchval("SELECT count(*) FROM user_session WHERE id_hash = $1", digest(first))
        == 0
    )
    assert (
        await db.fetchval("SELECT count(*) FROM user_session WHERE id_hash = $1", digest(second))
        == 1
    )


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db, await make_institution(db))
    wrong = assert_problem(await login(client, user.email, "not the password"), 401)
    unknown = assert_problem(await login(client, "nobody-at-all@example.org", PASSWORD), 401)
    assert wrong["detail"] == unknown["detail"]
    assert "set-cookie" not in (await login(client, user.email, "nope nope nope")).headers


async def test_inactive_user_cannot_log_in(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    await db.execute("UPDATE app_user SET is_active = false WHERE id = $1", user.id)
    assert_problem(await login(client, user.email), 401)
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)


async def test_login_rejects_bad_bodies(client: httpx.AsyncClient) -> None:
    cases = [
        {"email": "a@b.cn", "password": "x", "remember": True},
        {"email": 5, "password": "x"},
        {"email": "a@b.cn"},
        [],
    ]
    for body in cases:
        response = await client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    malformed = await client.post(
        "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert_problem(malformed, 400)


async def test_session_write_needs_csrf_header(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    csrf = (await login(client, user.email)).json()["csrf_token"]
    assert (await client.get("/api/v1/me")).status_code == 200  # reads need no CSRF token
    missing = await client.patch("/api/v1/me", json={"display_name": "Li Wei"})
    assert_problem(missing, 403)
    wrong = await client.patch(
        "/api/v1/me", json={"display_name": "Li Wei"}, headers={"X-CSRF-Token": "forged"}
    )
    assert_problem(wrong, 403)
    ok = await client.patch(
        "/api/v1/me", json={"display_name": "Li Wei"}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200 and ok.json()["display_name"] == "Li Wei"
    created = await client.post("/api/v1/tokens", json={"name": "cli"})
    assert_problem(created, 403)


async def test_logout_ends_session_and_clears_cookie(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db, await make_institution(db))
    response = await login(client, user.email)
    session_id, csrf = response.cookies["is_session"], response.json()["csrf_token"]
    assert_problem(await client.post("/api/v1/auth/logout"), 403)  # session logout needs CSRF
    out = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert "max-age=0" in _attributes(_set_cookies(out)["is_session"])
    assert (
        await db.fetchval(
            "SELECT count(*) FROM user_session WHERE id_hash = $1", digest(session_id)
        )
        == 0
    )
    client.cookies.set("is_session", session_id)  # replaying the old cookie does not work
    assert_problem(await client.get("/api/v1/me"), 401)


async def test_logout_with_bearer_revokes_that_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db, await make_institution(db))
    other = await client.post("/api/v1/tokens", json={"name": "keep"}, headers=user.headers)
    assert (await client.post("/api/v1/auth/logout", headers=user.headers)).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)
    kept = {"Authorization": f"Bearer {other.json()['token']}"}
    assert (await client.get("/api/v1/me", headers=kept)).status_code == 200


async def test_anonymous_and_malformed_credentials(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me"), 401)
    assert_problem(await client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(await client.get("/api/v1/me", headers={"Authorization": "Basic eDp5"}), 401)
    client.cookies.set("is_session", "made-up")
    assert_problem(await client.get("/api/v1/me"), 401)
