"""The institution's single sign-on page: its admins set up a provider through the form (the
secret write-only), bad input comes back as a form error, strangers do not see the page."""

from __future__ import annotations

from typing import Any

from service.db import Database
from tests.factories import make_institution, make_user
from tests.web_support import signed_in


async def test_an_admin_sets_up_a_cas_provider_through_the_page(app: Any, db: Database) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    async with signed_in(app, admin.email) as (browser, csrf):
        page = await browser.get(f"/institution/{inst}/sso")
        assert page.status_code == 200 and "http://testserver/sso/callback" in page.text
        form = {"csrf_token": csrf, "protocol": "cas", "issuer": "https://authserver.example.edu.cn/cas/",
                "email_claim": "mail", "name_claim": "cn", "staff_number_claim": "uid",
                "allowed_domains": "example.edu.cn, mails.example.edu.cn", "enabled": "1",
                "action": "save"}  # fmt: skip
        saved = await browser.post(f"/institution/{inst}/sso", data=form)
        assert saved.status_code == 303, saved.text
        bad = await browser.post(
            f"/institution/{inst}/sso",
            data={
                **form,
                "protocol": "oidc",
                "issuer": "http://sso.example.edu.cn",
                "client_id": "",
            },
        )
        assert bad.status_code == 422 and "签发者地址必须是 https:// 地址。" in bad.text
        assert 'value="http://sso.example.edu.cn"' in bad.text  # the form keeps what was typed
        shown = await browser.get(f"/institution/{inst}/sso")
        assert 'value="https://authserver.example.edu.cn/cas"' in shown.text
    row = await db.fetchrow(
        "SELECT protocol, issuer, allowed_domains FROM identity_provider WHERE institution_id = $1",
        inst,
    )
    assert row is not None
    assert (row["protocol"], row["issuer"]) == ("cas", "https://authserver.example.edu.cn/cas")
    assert list(row["allowed_domains"]) == ["example.edu.cn", "mails.example.edu.cn"]


async def test_other_institutions_admins_do_not_see_the_page(app: Any, db: Database) -> None:
    inst, other = await make_institution(db), await make_institution(db)
    stranger = await make_user(db, other, admin_of=[other])
    async with signed_in(app, stranger.email) as (browser, csrf):
        assert (await browser.get(f"/institution/{inst}/sso")).status_code == 404
        posted = await browser.post(
            f"/institution/{inst}/sso",
            data={"csrf_token": csrf, "issuer": "https://x.example.edu.cn"},
        )
        assert posted.status_code == 404
    assert (
        await db.fetchval("SELECT count(*) FROM identity_provider WHERE institution_id = $1", inst)
        == 0
    )
