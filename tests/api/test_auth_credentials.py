"""Password changes and resets end every other way into the account; reset links are single-use,
expiring and hashed; addresses are compared in their NFKC, case-folded form."""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.secrets import digest
from service.db import Database
from service.settings import Settings
from tests.accounts_support import assert_problem, login
from tests.factories import PASSWORD, UserHandle, make_institution, make_user
from tests.identity_support import deliver, link_in, token_of
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
    text_of,
)

NEW = "a brand new password"


async def _user(db: Database, **extra: Any) -> UserHandle:
    return await make_user(db, await make_institution(db), **extra)


async def _live(db: Database, user_id: int) -> tuple[int, int]:
    row = await db.fetchrow(
        """SELECT (SELECT count(*) FROM user_session WHERE user_id = $1) AS sessions,
                  (SELECT count(*) FROM api_token WHERE user_id = $1 AND revoked_at IS NULL)
                      AS tokens""",
        user_id,
    )
    assert row is not None
    return row["sessions"], row["tokens"]


async def test_a_password_change_keeps_this_session_and_ends_everything_else(
    app: Any, db: Database
) -> None:
    user = await _user(db)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as laptop,
    ):
        csrf = (await login(browser, user.email)).json()["csrf_token"]
        assert (await login(laptop, user.email)).status_code == 200
        assert await _live(db, user.id) == (2, 3)  # the factory's token and two login tokens
        r = await browser.patch(
            "/api/v1/me",
            json={"password": NEW, "current_password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 200, r.text
        assert r.json()["credentials_revoked"] == {
            "sessions": 1,
            "tokens": 3,
            "kept_current_session": True,
        }
        assert (await browser.get("/api/v1/me")).status_code == 200
        assert (await laptop.get("/api/v1/me")).status_code == 401
    assert await _live(db, user.id) == (1, 0)
    events = await db.fetch(
        "SELECT action, detail FROM audit_event WHERE subject_user_id = $1 AND action LIKE "
        "'password.%'",
        user.id,
    )
    assert [(e["action"], e["detail"]["tokens_revoked"]) for e in events] == [
        ("password.changed", 3)
    ]


async def test_a_password_change_by_token_revokes_that_token_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await _user(db)
    r = await client.patch(
        "/api/v1/me", json={"password": NEW, "current_password": PASSWORD}, headers=user.headers
    )
    assert r.json()["credentials_revoked"]["kept_current_session"] is False
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)
    assert (await login(client, user.email, NEW)).status_code == 200
    assert_problem(await login(client, user.email, PASSWORD), 401)


async def test_reset_by_mail_once_then_never_again(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    user = await _user(db, language="en")
    assert (await login(client, user.email)).status_code == 200
    r = await client.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    assert r.status_code == 202
    message = await deliver(db, mail_settings, smtp, user.id, "password_reset")
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your password"
    link = link_in(message)
    assert link.startswith("http://testserver/password/reset?token=")
    token = token_of(link)
    stored = await db.fetchval(
        "SELECT count(*) FROM one_time_token WHERE token_hash = $1", digest(token)
    )
    assert stored == 1  # only the digest is kept
    assert "once" in text_of(message)

    weak = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert weak.status_code in (400, 422)  # and the token still works:
    done = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW}
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"sessions": 1, "tokens": 2, "kept_current_session": False}
    again = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW + "!"}
    )
    assert assert_problem(again, 422)["violations"][0]["rule"] == "token"
    assert (await login(client, user.email, NEW)).status_code == 200
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)


async def test_reset_answers_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await _user(db)
    known = await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    unknown = await client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody-here@example.org"}
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    # asking again at once sends no second mail
    await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    count = await db.fetchval(
        "SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'password_reset'",
        user.id,
    )
    assert count == 1


async def test_an_expired_reset_link_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    user = await _user(db)
    await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    payload = await db.fetchval(
        "SELECT payload FROM notification_outbox WHERE user_id = $1 AND kind = 'password_reset'",
        user.id,
    )
    token = token_of(payload["link"])
    await db.execute(
        "UPDATE one_time_token SET expires_at = now() - interval '1 second', "
        "created_at = now() - interval '2 hours' WHERE user_id = $1",
        user.id,
    )
    r = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW}
    )
    assert_problem(r, 422)
    assert (await login(client, user.email)).status_code == 200


async def test_a_full_width_copy_of_an_address_is_taken(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    email = f"zhang-{inst}@jlu.example.org"
    first = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": NEW, "display_name": "张三", "institution_id": inst},
    )
    assert first.status_code == 201
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in email.upper())
    assert wide != email
    copy = await client.post(
        "/api/v1/auth/register",
        json={"email": wide, "password": NEW, "display_name": "李四", "institution_id": inst},
    )
    assert_problem(copy, 409)
    assert (await login(client, wide, NEW)).status_code == 200
