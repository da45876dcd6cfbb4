"""The institution admin's queue of membership claims and the audit-log pages."""

from __future__ import annotations

import re

from service.db import Database
from tests.factories import make_institution, make_user
from tests.web_support import signed_in


async def test_an_institution_admin_approves_a_claim_from_the_page(
    app: object, db: Database
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    claimant = await make_user(db, inst, verified=False)
    async with signed_in(app, admin.email) as (browser, _):
        page = await browser.get(f"/institution/{inst}/members")
        assert page.status_code == 200 and claimant.email in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        done = await browser.post(
            f"/institution/{inst}/members",
            data={"csrf_token": csrf.group(1), "user_id": str(claimant.id),
                  "decision": "approve"},
        )  # fmt: skip
        assert done.status_code == 303
        after = await browser.get(done.headers["location"])
        assert claimant.email not in after.text
        audit = await browser.get(f"/institution/{inst}/audit")
        assert "membership.verified" in audit.text
        assert (await browser.get("/admin/audit")).status_code == 403
        forged = await browser.post(
            f"/institution/{inst}/members",
            data={"user_id": str(claimant.id), "decision": "reject"},
        )
        assert forged.status_code == 403
    state = await db.fetchval("SELECT state FROM membership WHERE user_id = $1", claimant.id)
    assert state == "verified"
