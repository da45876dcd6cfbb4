"""Configuring an institution's identity providers: who may, what is refused, and that the
client secret is stored sealed and never comes back out."""

from __future__ import annotations

import httpx

from service.db import Database
from service.settings import Settings
from service.sso.secret_box import open_secret
from tests.accounts_support import assert_problem
from tests.factories import make_institution, make_user

OIDC = {"issuer": "https://sso.example.edu.cn/oidc", "client_id": "share", "client_secret": "s3cret-value",
        "allowed_domains": ["Example.EDU.cn"]}  # fmt: skip


def _url(inst: int, protocol: str = "oidc") -> str:
    return f"/api/v1/institutions/{inst}/identity-providers/{protocol}"


async def test_an_admin_configures_a_provider_and_the_secret_stays_sealed(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    created = await client.put(_url(inst), json=OIDC, headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert "client_secret" not in body and "s3cret-value" not in created.text
    assert body["has_client_secret"] is True and body["allowed_domains"] == ["example.edu.cn"]
    assert body["redirect_uri"] == "http://testserver/sso/callback"
    sealed = await db.fetchval(
        "SELECT client_secret_enc FROM identity_provider WHERE id = $1", body["id"]
    )
    assert "s3cret" not in sealed and open_secret(settings.secret_key, sealed) == "s3cret-value"
    kept = await client.put(
        _url(inst), json={**OIDC, "client_secret": None, "enabled": False}, headers=admin.headers
    )
    assert kept.status_code == 200 and kept.json()["has_client_secret"] is True
    again = await db.fetchval(
        "SELECT client_secret_enc FROM identity_provider WHERE id = $1", body["id"]
    )
    assert again == sealed
    listed = await client.get(
        f"/api/v1/institutions/{inst}/identity-providers", headers=admin.headers
    )
    assert [p["protocol"] for p in listed.json()] == ["oidc"]
    choices = (await client.get("/api/v1/sso/providers")).json()
    assert body["id"] not in [c["id"] for c in choices]  # disabled: no button
    actions = await db.fetch(
        "SELECT action FROM audit_event WHERE institution_id = $1 ORDER BY id", inst
    )
    assert [a["action"] for a in actions] == ["identity_provider.saved"] * 2
    assert (await client.delete(_url(inst), headers=admin.headers)).status_code == 204
    assert_problem(await client.delete(_url(inst), headers=admin.headers), 404)


async def test_bad_configurations_are_refused_naming_the_field(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    cases = [
        ({**OIDC, "issuer": "http://sso.example.edu.cn"}, "issuer"),
        ({**OIDC, "issuer": "https://sso.example.edu.cn/?x=1"}, "issuer"),
        ({**OIDC, "client_id": ""}, "client_id"),
        ({**OIDC, "allowed_domains": ["qq.com"]}, "domain"),
    ]
    for body, rule in cases:
        problem = assert_problem(
            await client.put(_url(inst), json=body, headers=admin.headers), 422
        )
        assert problem["violations"][0]["rule"] == rule, body
    no_secret = {k: v for k, v in OIDC.items() if k != "client_secret"}
    problem = assert_problem(
        await client.put(_url(inst), json=no_secret, headers=admin.headers), 422
    )
    assert problem["violations"][0]["rule"] == "client_secret"
    assert_problem(await client.put(_url(inst, "saml"), json=OIDC, headers=admin.headers), 422)
    assert (
        await db.fetchval("SELECT count(*) FROM identity_provider WHERE institution_id = $1", inst)
        == 0
    )


async def test_only_the_institutions_admins_and_platform_admins_may_configure(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, other = await make_institution(db), await make_institution(db)
    stranger = await make_user(db, other, admin_of=[other])
    member = await make_user(db, inst)
    platform = await make_user(db, other, platform_admin=True)
    for user in (stranger, member):
        assert_problem(await client.put(_url(inst), json=OIDC, headers=user.headers), 403)
        assert_problem(
            await client.get(
                f"/api/v1/institutions/{inst}/identity-providers", headers=user.headers
            ),
            403,
        )
    assert_problem(await client.put(_url(inst), json=OIDC), 401)
    assert (await client.put(_url(inst), json=OIDC, headers=platform.headers)).status_code == 201
