"""The pages the account mails link to: forgot password → mail (from the real SMTP test
server) → set a new password → log in; and confirming an institutional address. Used or
expired links say so, in the page's language."""

from __future__ import annotations

from typing import Any

import httpx

from service.db import Database
from service.settings import Settings
from tests.factories import PASSWORD, make_institution, make_user, unique
from tests.identity_support import deliver, link_in
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
)
from tests.web_support import csrf_from

NEW_PASSWORD = "a brand new long password"


def _browser(app: Any, language: str = "en") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver",
        headers={"Accept-Language": language},
    )  # fmt: skip


async def test_forgot_mail_reset_then_log_in_with_the_new_password(
    app: Any,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst = await make_institution(db)
    user = await make_user(db, inst)
    async with _browser(app) as browser:
        login = await browser.get("/login")
        assert 'href="/password/forgot"' in login.text
        form = await browser.get("/password/forgot")
        sent = await browser.post(
            "/password/forgot",
            data={"email": user.email.upper(), "csrf_token": csrf_from(form.text)},
        )
        assert sent.status_code == 200 and "a mail with a reset link is on its way" in sent.text
        unknown = await browser.post(
            "/password/forgot",
            data={"email": "nobody@example.org", "csrf_token": csrf_from(form.text)},
        )
        assert unknown.text.count("is on its way") == sent.text.count("is on its way")
        mail = await deliver(db, mail_settings, smtp, user.id, "password_reset")
        link = httpx.URL(link_in(mail))
        assert link.path == "/password/reset"
        page = await browser.get(f"{link.path}?{link.query.decode()}")
        assert page.status_code == 200 and 'name="password_again"' in page.text
        fields = {"token": link.params["token"], "csrf_token": csrf_from(page.text)}
        differ = await browser.post("/password/reset", data={**fields, "password": NEW_PASSWORD,
                                                              "password_again": "something else"})  # fmt: skip
        assert differ.status_code == 422 and "The two passwords differ." in differ.text
        weak = await browser.post(
            "/password/reset", data={**fields, "password": "short", "password_again": "short"}
        )
        assert weak.status_code == 422 and "at least 10 characters" in weak.text
        done = await browser.post("/password/reset", data={**fields, "password": NEW_PASSWORD,
                                                            "password_again": NEW_PASSWORD})  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == "/login?ok=password-reset"
        used = await browser.get(f"{link.path}?{link.query.decode()}")
        assert used.status_code == 400 and "already used or expired" in used.text
        assert 'name="password"' not in used.text and 'href="/password/forgot"' in used.text
    api = await _browser(app).__aenter__()
    try:
        old = await api.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
        new = await api.post(
            "/api/v1/auth/login", json={"email": user.email, "password": NEW_PASSWORD}
        )
    finally:
        await api.aclose()
    assert (old.status_code, new.status_code) == (401, 200)


async def test_an_expired_reset_link_says_so_in_chinese(
    app: Any,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    user = await make_user(db, await make_institution(db))
    async with _browser(app, "zh-CN") as browser:
        form = await browser.get("/password/forgot")
        await browser.post(
            "/password/forgot", data={"email": user.email, "csrf_token": csrf_from(form.text)}
        )
        link = httpx.URL(link_in(await deliver(db, mail_settings, smtp, user.id, "password_reset")))
        await db.execute(
            "UPDATE one_time_token SET created_at = now() - interval '2 hours', "
            "expires_at = now() - interval '1 hour' WHERE user_id = $1",
            user.id,
        )
        page = await browser.get(f"/password/reset?{link.query.decode()}")
    assert page.status_code == 400 and "重置链接无效、已使用或已过期" in page.text


async def test_a_mailed_confirmation_link_verifies_the_membership_once(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    domain = f"{unique('uni').lower()}.edu.cn"
    assert (await client.put(f"/api/v1/institutions/{inst}/email-domains/{domain}",
                             headers=admin.headers)).status_code == 200  # fmt: skip
    claimant = await make_user(db, inst, verified=False)
    sent = await client.post(
        "/api/v1/me/affiliation/confirmation",
        json={"email": f"me@{domain}"},
        headers=claimant.headers,
    )
    assert sent.status_code in (200, 202), sent.text
    link = httpx.URL(
        link_in(await deliver(db, mail_settings, smtp, claimant.id, "affiliation_confirm"))
    )
    assert link.path == "/affiliation/confirm"
    async with _browser(app) as browser:
        page = await browser.get(f"{link.path}?{link.query.decode()}")
        assert page.status_code == 200 and "Confirm the membership" in page.text
        state = await db.fetchval("SELECT state FROM membership WHERE user_id = $1", claimant.id)
        assert state == "claimed"  # opening the link alone changes nothing
        fields = {"token": link.params["token"], "csrf_token": csrf_from(page.text)}
        done = await browser.post("/affiliation/confirm", data=fields)
        assert done.status_code == 303 and "ok=membership-confirmed" in done.headers["location"]
        again = await browser.post("/affiliation/confirm", data=fields)
        assert again.status_code == 422 and "already used or expired" in again.text
    verified = await db.fetchval(
        "SELECT method FROM membership WHERE user_id = $1 AND state = 'verified'", claimant.id
    )
    assert verified == "email"


async def test_the_forms_need_their_csrf_token(app: Any) -> None:
    async with _browser(app) as browser:
        await browser.get("/password/forgot")
        for path in ("/password/forgot", "/password/reset", "/affiliation/confirm", "/sso/link"):
            refused = await browser.post(path, data={"email": "a@example.org", "token": "x"})
            assert refused.status_code == 403, path
