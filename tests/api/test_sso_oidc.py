"""OpenID Connect sign-on against a real provider (node `oidc-provider` on loopback): first
login makes an account with a verified membership, later logins find it, an address that has
an account is linked only after proof, and every forged, replayed or misdirected answer is
refused with a page in the user's language, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.db import Database
from service.settings import Settings
from tests.factories import PASSWORD, UserHandle, make_institution, make_user, unique
from tests.identity_support import deliver, link_in
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
)
from tests.sso_support import (
    APP,
    CLIENT_ID,
    CLIENT_SECRET,
    OidcServer,
    callback_of,
    sign_on_client,
)


@pytest.fixture(scope="module")
def oidc() -> Iterator[OidcServer]:
    server = OidcServer([f"{APP}/sso/callback"])
    try:
        yield server
    finally:
        server.stop()


async def configure(
    client: httpx.AsyncClient, admin: UserHandle, inst: int, issuer: str, **extra: Any
) -> dict[str, Any]:
    body = {"issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "staff_number_claim": "employee_number", **extra}  # fmt: skip
    r = await client.put(
        f"/api/v1/institutions/{inst}/identity-providers/oidc", json=body, headers=admin.headers
    )
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


@pytest.fixture
async def setup(db: Database, client: httpx.AsyncClient, oidc: OidcServer) -> tuple[int, int]:
    """A university with the provider configured by a platform admin: (institution, provider)."""
    inst = await make_institution(db)
    admin = await make_user(db, inst, platform_admin=True)
    provider = await configure(client, admin, inst, oidc.issuer)
    return inst, int(provider["id"])


async def test_first_login_creates_an_account_with_a_verified_membership(
    app: Any, db: Database, setup: tuple[int, int]
) -> None:
    inst, provider_id = setup
    login = unique("new").lower()
    async with sign_on_client(app) as browser:
        form = await browser.start(provider_id, "/bookings")
        assert form.url.host == "127.0.0.1" and "Test identity provider" in form.text
        page = await browser.oidc_login(form, login)
        assert page.url.path == "/bookings" and page.status_code == 200
        me = (await browser.me()).json()
    assert me["email"] == f"{login}@sso.test.example"
    assert me["institution"]["id"] == inst
    assert me["affiliation"]["verified"] is True
    row = await db.fetchrow(
        """SELECT s.subject, s.staff_number, m.method, u.password_hash FROM sso_identity s
           JOIN app_user u ON u.id = s.user_id JOIN membership m ON m.user_id = u.id
           WHERE s.provider_id = $1 AND s.user_id = $2""",
        provider_id,
        me["id"],
    )
    assert row is not None
    assert (row["subject"], row["staff_number"], row["method"]) == (login, f"S-{login}", "sso")
    assert not row["password_hash"].startswith("$argon2")
    async with sign_on_client(app) as again:
        await again.oidc_login(await again.start(provider_id), login)
        assert (await again.me()).json()["id"] == me["id"]
    accounts = await db.fetchval(
        "SELECT count(*) FROM app_user WHERE email = $1", f"{login}@sso.test.example"
    )
    assert accounts == 1


async def test_an_existing_address_is_linked_only_after_the_password(
    app: Any, db: Database, setup: tuple[int, int]
) -> None:
    inst, provider_id = setup
    login = unique("known").lower()
    local = await make_user(db, inst, email=f"{login}@sso.test.example", verified=False)
    async with sign_on_client(app, "en") as browser:
        page = await browser.oidc_login(await browser.start(provider_id), login)
        assert page.url.path == "/sso/link" and local.email in page.text
        assert (await browser.me()).status_code == 401
        token = page.url.params["token"]
        fields = {"token": token, "csrf_token": _csrf(page.text)}
        wrong = await browser.http.post("/sso/link", data={**fields, "password": "not it"})
        assert wrong.status_code == 422 and "The password is not correct." in wrong.text
        linked = await db.fetchval("SELECT count(*) FROM sso_identity WHERE user_id = $1", local.id)
        assert linked == 0
        right = await browser.walk(
            await browser.http.post("/sso/link", data={**fields, "password": PASSWORD})
        )
        assert right.status_code == 200
        me = (await browser.me()).json()
    assert me["id"] == local.id and me["affiliation"]["verified"] is True
    assert (
        await db.fetchval("SELECT subject FROM sso_identity WHERE user_id = $1", local.id) == login
    )
    replay = await _post_link(app, token, PASSWORD)
    assert replay.status_code == 400 and "already used or expired" in replay.text


async def _post_link(app: Any, token: str, password: str) -> httpx.Response:
    async with sign_on_client(app, "en") as other:
        form = await other.http.get(f"/sso/link?token={token}")
        fields = {"token": token, "password": password, "csrf_token": _csrf(form.text)}
        return await other.http.post("/sso/link", data=fields)


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


async def test_a_replayed_callback_is_refused(app: Any, setup: tuple[int, int]) -> None:
    _, provider_id = setup
    async with sign_on_client(app, "en") as browser:
        stopped = await browser.oidc_login(
            await browser.start(provider_id), unique("replay").lower(), to_callback=True
        )
        url = callback_of(stopped)
        first = await browser.http.get(url)
        assert first.status_code == 303
        again = await browser.http.get(url)
    assert again.status_code == 400
    assert "already used or has expired" in again.text


async def test_a_callback_in_another_browser_is_refused(app: Any, setup: tuple[int, int]) -> None:
    """Login CSRF: a victim's browser given someone's callback URL has no state cookie."""
    _, provider_id = setup
    async with sign_on_client(app) as attacker:
        stopped = await attacker.oidc_login(
            await attacker.start(provider_id), unique("csrf").lower(), to_callback=True
        )
    async with sign_on_client(app) as victim:
        page = await victim.http.get(callback_of(stopped))
        assert page.status_code == 400 and "另一个浏览器" in page.text
        assert (await victim.me()).status_code == 401


async def test_a_code_with_another_sign_ons_state_is_refused(
    app: Any, setup: tuple[int, int]
) -> None:
    """The code of one sign-on presented with the state of another: the PKCE verifier and
    nonce are the other sign-on's, so the provider (or the nonce check) refuses."""
    _, provider_id = setup
    async with sign_on_client(app, "en") as one:
        first = callback_of(await one.oidc_login(
            await one.start(provider_id), unique("a").lower(), to_callback=True))  # fmt: skip
    async with sign_on_client(app, "en") as browser:
        second = callback_of(await browser.oidc_login(
            await browser.start(provider_id), unique("b").lower(), to_callback=True))  # fmt: skip
        code = httpx.URL(first).params["code"]
        state = httpx.URL(second).params["state"]
        page = await browser.http.get("/sso/callback", params={"code": code, "state": state})
        assert (await browser.me()).status_code == 401
    assert page.status_code == 400 and "could not be verified" in page.text


async def test_a_provider_that_names_another_issuer_is_refused(
    app: Any, db: Database, client: httpx.AsyncClient, oidc: OidcServer
) -> None:
    """Configured as http://localhost:P, the provider's discovery says http://127.0.0.1:P."""
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    provider = await configure(client, admin, inst, oidc.issuer.replace("127.0.0.1", "localhost"))
    async with sign_on_client(app, "en") as browser:
        page = await browser.start(provider["id"])
    assert page.status_code == 400
    assert "does not present itself as the configured issuer" in page.text


async def test_a_provider_that_is_down_gives_a_page_in_the_users_language(
    app: Any, db: Database, client: httpx.AsyncClient
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    closed = f"http://127.0.0.1:{_closed_port()}"
    provider = await configure(client, admin, inst, closed)
    for language, words in (("en", "cannot be reached right now"), ("zh-CN", "暂时无法连接")):
        async with sign_on_client(app, language) as browser:
            page = await browser.start(provider["id"])
        assert page.status_code == 503, page.text
        assert words in page.text and 'href="/login"' in page.text


def _closed_port() -> int:
    from tests.live_server import free_port

    return free_port()


async def test_the_login_page_offers_the_institutions_sign_on(
    app: Any, db: Database, setup: tuple[int, int]
) -> None:
    inst, provider_id = setup
    async with sign_on_client(app, "en") as browser:
        page = await browser.http.get("/login?next=/bookings")
    name = await db.fetchval("SELECT name_en FROM institution WHERE id = $1", inst)
    assert f"Log in with {name}" in page.text
    assert f'href="/sso/{provider_id}/start?next=/bookings"' in page.text


async def test_an_existing_address_is_linked_after_the_mailed_link(
    app: Any,
    db: Database,
    setup: tuple[int, int],
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst, provider_id = setup
    login = unique("mailed").lower()
    local = await make_user(db, inst, email=f"{login}@sso.test.example", language="en")
    async with sign_on_client(app, "en") as browser:
        page = await browser.oidc_login(await browser.start(provider_id), login)
        fields = {"token": page.url.params["token"], "csrf_token": _csrf(page.text)}
        sent = await browser.http.post("/sso/link/mail", data=fields)
        assert sent.status_code == 200 and f"A link is on its way to {local.email}" in sent.text
        assert (
            await db.fetchval("SELECT count(*) FROM sso_identity WHERE user_id = $1", local.id) == 0
        )
    mail = await deliver(db, mail_settings, smtp, local.id, "sso_link")
    assert mail["To"] == local.email
    link = httpx.URL(link_in(mail))
    async with sign_on_client(app, "en") as mailbox:
        confirm = await mailbox.http.get(f"{link.path}?{link.query.decode()}")
        assert confirm.status_code == 200 and (await mailbox.me()).status_code == 401
        form = {"token": link.params["token"], "csrf_token": _csrf(confirm.text)}
        done = await mailbox.walk(await mailbox.http.post("/sso/link/confirm", data=form))
        assert done.status_code == 200 and (await mailbox.me()).json()["id"] == local.id
    async with sign_on_client(app) as later:
        await later.oidc_login(await later.start(provider_id), login)
        assert (await later.me()).json()["id"] == local.id
