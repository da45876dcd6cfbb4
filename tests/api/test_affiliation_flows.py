"""How a claim becomes a membership: a mailed link to an address in the institution's domains,
an admin's approval (the claimant is told either way); and how a membership ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.accounts.principal import load_principal_by_id
from service.bookings import store
from service.db import Database
from service.settings import Settings
from tests.accounts_support import assert_problem
from tests.factories import UserHandle, make_institution, make_instrument, make_user, unique
from tests.identity_support import deliver, link_in, token_of
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
    text_of,
)

PASSWORD = "a long enough password"


async def _admin(db: Database) -> tuple[int, UserHandle]:
    inst = await make_institution(db)
    return inst, await make_user(db, inst, admin_of=[inst])


async def _domain(client: httpx.AsyncClient, admin: UserHandle, inst: int) -> str:
    domain = f"{unique('uni').lower()}.edu.cn"
    r = await client.put(
        f"/api/v1/institutions/{inst}/email-domains/{domain.upper()}", headers=admin.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["domain"] == domain
    return domain


async def _register(client: httpx.AsyncClient, inst: int, email: str) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Claimant",
              "institution_id": inst, "language": "en"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _token_for(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_domains_are_managed_by_the_institutions_admins(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, admin = await _admin(db)
    other, other_admin = await _admin(db)
    domain = await _domain(client, admin, inst)
    again = await client.put(
        f"/api/v1/institutions/{inst}/email-domains/{domain}", headers=admin.headers
    )
    assert again.status_code == 200  # idempotent
    taken = await client.put(
        f"/api/v1/institutions/{other}/email-domains/{domain}", headers=other_admin.headers
    )
    assert_problem(taken, 409)
    assert_problem(
        await client.put(f"/api/v1/institutions/{inst}/email-domains/x.org",
                         headers=other_admin.headers), 403)  # fmt: skip
    public = await client.put(
        f"/api/v1/institutions/{inst}/email-domains/qq.com", headers=admin.headers
    )
    assert assert_problem(public, 422)["violations"][0]["rule"] == "domain"
    listed = await client.get(f"/api/v1/institutions/{inst}/email-domains", headers=admin.headers)
    assert [d["domain"] for d in listed.json()] == [domain]
    gone = await client.delete(
        f"/api/v1/institutions/{inst}/email-domains/{domain}", headers=admin.headers
    )
    assert gone.status_code == 204
    events = await db.fetch(
        "SELECT action FROM audit_event WHERE institution_id = $1 AND action LIKE 'email_domain.%' "
        "ORDER BY id",
        inst,
    )
    assert [e["action"] for e in events] == [
        "email_domain.added", "email_domain.added", "email_domain.removed"]  # fmt: skip


async def test_registering_with_an_institutional_address_mails_a_single_use_link(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst, admin = await _admin(db)
    domain = await _domain(client, admin, inst)
    me = await _register(client, inst, f"li.lei@mail.{domain}")
    assert me["affiliation"]["state"] == "claimed"
    message = await deliver(db, mail_settings, smtp, me["id"], "affiliation_confirm")
    assert message["To"] == f"li.lei@mail.{domain}"
    assert "Confirm your membership of" in message["Subject"]
    link = link_in(message)
    assert link.startswith("http://testserver/affiliation/confirm?token=")
    r = await client.post("/api/v1/affiliation/confirm", json={"token": token_of(link)})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["method"], r.json()["in_force"]) == (
        "verified", "email", True)  # fmt: skip
    replay = await client.post("/api/v1/affiliation/confirm", json={"token": token_of(link)})
    assert_problem(replay, 422)
    principal = await load_principal_by_id(db, me["id"])
    assert principal is not None and principal.affiliation_verified


async def test_a_personal_login_proves_membership_through_an_institutional_address(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst, admin = await _admin(db)
    domain = await _domain(client, admin, inst)
    personal = f"{unique('me')}@example.org"
    me = await _register(client, inst, personal)
    assert await db.fetchval(
        "SELECT count(*) FROM notification_outbox WHERE user_id = $1", me["id"]
    ) == 0  # fmt: skip
    headers = await _token_for(client, personal)
    outside = await client.post(
        "/api/v1/me/affiliation/confirmation", json={"email": "me@elsewhere.org"}, headers=headers
    )
    assert domain in assert_problem(outside, 422)["detail"]
    sent = await client.post(
        "/api/v1/me/affiliation/confirmation", json={"email": f"me@{domain}"}, headers=headers
    )
    assert sent.status_code == 202, sent.text
    message = await deliver(db, mail_settings, smtp, me["id"], "affiliation_confirm")
    assert message["To"] == f"me@{domain}"
    await db.execute(
        "UPDATE one_time_token SET expires_at = now() - interval '1 second', "
        "created_at = now() - interval '3 days' WHERE user_id = $1",
        me["id"],
    )
    expired = await client.post(
        "/api/v1/affiliation/confirm", json={"token": token_of(link_in(message))}
    )
    assert_problem(expired, 422)
    assert (await client.get("/api/v1/me", headers=headers)).json()["affiliation"]["state"] == (
        "claimed"
    )


async def test_the_admin_queue_approves_and_rejects_and_the_claimant_hears_of_it(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst, admin = await _admin(db)
    other, other_admin = await _admin(db)
    first = await make_user(db, inst, verified=False, language="en")
    second = await make_user(db, inst, verified=False)
    queue = await client.get(
        f"/api/v1/institutions/{inst}/memberships", params={"state": "claimed"},
        headers=admin.headers,
    )  # fmt: skip
    assert [m["user_id"] for m in queue.json()["items"]] == [first.id, second.id]
    assert_problem(
        await client.get(f"/api/v1/institutions/{inst}/memberships", headers=other_admin.headers),
        403,
    )
    assert_problem(
        await client.post(f"/api/v1/institutions/{other}/memberships/{first.id}/approve",
                          json={}, headers=other_admin.headers), 404)  # fmt: skip
    ok = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{first.id}/approve", json={},
        headers=admin.headers,
    )  # fmt: skip
    assert (ok.json()["state"], ok.json()["method"]) == ("verified", "admin")
    no = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{second.id}/reject",
        json={"reason": "不认识此人"}, headers=admin.headers,
    )  # fmt: skip
    assert no.json()["state"] == "rejected"
    twice = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{second.id}/reject", json={},
        headers=admin.headers,
    )  # fmt: skip
    assert_problem(twice, 409)
    approved = await deliver(db, mail_settings, smtp, first.id, "affiliation_approved")
    assert approved["To"] == first.email and "Membership confirmed" in approved["Subject"]
    rejected = await deliver(db, mail_settings, smtp, second.id, "affiliation_rejected")
    assert "不认识此人" in text_of(rejected)
    left = await client.get(
        f"/api/v1/institutions/{inst}/memberships", params={"state": "claimed"},
        headers=admin.headers,
    )  # fmt: skip
    assert left.json()["total"] == 0
    actions = await db.fetch(
        "SELECT action, subject_user_id FROM audit_event WHERE institution_id = $1 "
        "AND action LIKE 'membership.%' ORDER BY id",
        inst,
    )
    assert [(a["action"], a["subject_user_id"]) for a in actions] == [
        ("membership.verified", first.id), ("membership.rejected", second.id)]  # fmt: skip


async def test_revocation_and_an_end_date_take_membership_away(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst, admin = await _admin(db)
    member, leaver = await make_user(db, inst), await make_user(db, inst)
    revoked = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{member.id}/revoke",
        json={"reason": "left in June"}, headers=admin.headers,
    )  # fmt: skip
    assert (revoked.json()["state"], revoked.json()["in_force"]) == ("revoked", False)
    me = (await client.get("/api/v1/me", headers=member.headers)).json()
    assert me["affiliation"] == {**me["affiliation"], "state": "revoked", "verified": False}
    soon = datetime.now(UTC) + timedelta(days=30)
    later = await client.patch(
        f"/api/v1/institutions/{inst}/memberships/{leaver.id}",
        json={"ends_at": soon.isoformat()}, headers=admin.headers,
    )  # fmt: skip
    assert later.json()["in_force"] is True
    naive = await client.patch(
        f"/api/v1/institutions/{inst}/memberships/{leaver.id}",
        json={"ends_at": "2026-01-01T00:00:00"}, headers=admin.headers,
    )  # fmt: skip
    assert naive.status_code in (400, 422)
    past = await client.patch(
        f"/api/v1/institutions/{inst}/memberships/{leaver.id}",
        json={"ends_at": "2020-01-01T00:00:00+08:00"}, headers=admin.headers,
    )  # fmt: skip
    assert past.json()["in_force"] is False
    me = (await client.get("/api/v1/me", headers=leaver.headers)).json()
    assert me["affiliation"]["state"] == "ended"
    # an admin may take a revoked member back
    back = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{member.id}/approve", json={},
        headers=admin.headers,
    )  # fmt: skip
    assert back.json()["in_force"] is True


async def test_a_revocation_waits_for_a_booking_that_read_the_membership(
    db: Database, settings: Settings
) -> None:
    """The booking transaction holds the membership FOR SHARE: the revocation queues behind
    it, so no booking commits on a membership revoked before it."""
    from service.affiliation.decide import decide

    inst, admin = await _admin(db)
    instrument = await make_instrument(db, inst)
    member = await make_user(db, inst)
    principal = await load_principal_by_id(db, member.id)
    admin_principal = await load_principal_by_id(db, admin.id)
    assert principal is not None and admin_principal is not None
    now = datetime.now(UTC)
    window = (now + timedelta(days=3), now + timedelta(days=3, hours=1))
    async with db.transaction() as conn:
        ctx = await store.context(conn, principal, instrument, window, now=now)
        assert ctx.booker.verified
        revocation = asyncio.create_task(
            decide(
                db,
                settings,
                admin_principal,
                inst,
                user_id=member.id,
                decision="revoke",
                reason="",
                address="",
            )  # fmt: skip
        )
        await asyncio.sleep(0.5)
        assert not revocation.done()
    assert (await revocation).state == "revoked"
    async with db.transaction() as conn:
        ctx = await store.context(conn, principal, instrument, window, now=now)
        assert not ctx.booker.verified


@pytest.mark.parametrize("path", ["approve", "reject", "revoke"])
async def test_decisions_on_strangers_are_not_found(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    inst, admin = await _admin(db)
    stranger = await make_user(db, await make_institution(db), verified=False)
    r = await client.post(
        f"/api/v1/institutions/{inst}/memberships/{stranger.id}/{path}", json={},
        headers=admin.headers,
    )  # fmt: skip
    assert_problem(r, 404)
