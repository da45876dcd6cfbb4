"""CAS 3.0 sign-on against a real django-cas-server on loopback: first login makes an account
with a verified membership from the released attributes; a ticket works once and only for the
sign-on it was issued to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.db import Database
from tests.factories import make_institution, make_user
from tests.sso_support import CasServer, callback_of, sign_on_client

USERS = [
    {"username": f"cas{n}", "password": "cas-password", "email": f"cas{n}@cas.test.example",
     "name": f"李四{n}"}
    for n in range(4)
]  # fmt: skip


@pytest.fixture(scope="module")
def cas() -> Iterator[CasServer]:
    server = CasServer(USERS)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def provider(db: Database, client: httpx.AsyncClient, cas: CasServer) -> tuple[int, int]:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    body = {"issuer": cas.url, "email_claim": "mail", "name_claim": "cn",
            "staff_number_claim": "uid", "allowed_domains": ["cas.test.example"]}  # fmt: skip
    r = await client.put(
        f"/api/v1/institutions/{inst}/identity-providers/cas", json=body, headers=admin.headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["has_client_secret"] is False
    return inst, int(r.json()["id"])


async def _claim_user(db: Database, n: int) -> None:
    """Each test signs on as its own CAS user; none has an account here yet."""
    await db.execute("DELETE FROM app_user WHERE email = $1", USERS[n]["email"])


async def test_first_cas_login_creates_an_account_with_a_verified_membership(
    app: Any, db: Database, provider: tuple[int, int]
) -> None:
    inst, provider_id = provider
    await _claim_user(db, 0)
    async with sign_on_client(app) as browser:
        form = await browser.start(provider_id)
        assert form.url.path == "/cas/login" and "csrfmiddlewaretoken" in form.text
        page = await browser.cas_login(form, "cas0", "cas-password")
        assert page.url.path == "/instruments" and page.status_code == 200
        me = (await browser.me()).json()
    assert (me["email"], me["display_name"]) == ("cas0@cas.test.example", "李四0")
    assert me["institution"]["id"] == inst and me["affiliation"]["verified"] is True
    row = await db.fetchrow(
        "SELECT subject, staff_number FROM sso_identity WHERE provider_id = $1", provider_id
    )
    assert row is not None
    assert (row["subject"], row["staff_number"]) == ("cas0", "cas0")


async def test_a_cas_ticket_works_once(app: Any, db: Database, provider: tuple[int, int]) -> None:
    _, provider_id = provider
    await _claim_user(db, 1)
    async with sign_on_client(app, "en") as browser:
        stopped = await browser.cas_login(
            await browser.start(provider_id), "cas1", "cas-password", to_callback=True
        )
        url = callback_of(stopped)
        assert "ticket=ST-" in url
        assert (await browser.http.get(url)).status_code == 303
        again = await browser.http.get(url)
    assert again.status_code == 400 and "already used or has expired" in again.text


async def test_a_ticket_for_another_sign_on_is_refused(
    app: Any, db: Database, provider: tuple[int, int]
) -> None:
    """The ticket is bound to the service URL, which carries the state of its own sign-on."""
    _, provider_id = provider
    await _claim_user(db, 2)
    async with sign_on_client(app, "en") as one:
        first = callback_of(await one.cas_login(
            await one.start(provider_id), "cas2", "cas-password", to_callback=True))  # fmt: skip
    async with sign_on_client(app, "en") as browser:
        second = await browser.start(provider_id)  # a new sign-on, its state in this browser
        state = httpx.URL(str(second.url)).params["service"].split("state=", 1)[1]
        ticket = httpx.URL(first).params["ticket"]
        page = await browser.http.get("/sso/callback", params={"state": state, "ticket": ticket})
        assert page.status_code == 400 and "could not be verified" in page.text
        assert (await browser.me()).status_code == 401
