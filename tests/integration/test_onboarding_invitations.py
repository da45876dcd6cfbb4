"""Contacts of imported instruments and members listed by an institution admin: matched to an
account by e-mail, or invited; the invitation mail arrives at a real SMTP server, its link sets
the password once, and the person can then log in."""

from __future__ import annotations

import re

import httpx

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.factories import make_institution, make_user, unique
from tests.onboarding_support import csv_bytes, registry_row
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
    text_of,
)


async def test_import_makes_known_contacts_managers_and_invites_the_others(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    inst = await make_institution(db)
    code = await db.fetchval("SELECT code FROM institution WHERE id = $1", inst)
    admin = await make_user(db, inst, admin_of=[inst])
    known = await make_user(db, inst)
    stranger = await make_user(db, await make_institution(db))
    newcomer = f"{unique('new')}@example.org"
    rows = [
        registry_row(code, "M1", email=known.email, contact="Known"),
        registry_row(code, "M2", email=newcomer.upper(), contact="新 同事"),
        registry_row(code, "M3", email=newcomer, contact="新 同事"),
        registry_row(code, "M4", email=stranger.email),
    ]
    response = await client.post(
        "/api/v1/imports/instruments", content=csv_bytes(rows),
        params={"dry_run": "false"}, headers={**admin.headers, "Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["managers_matched"], report["managers_invited"]) == (1, 1)
    assert [w["line"] for w in report["warnings"]] == [5]
    managers = await db.fetch(
        """SELECT i.inner_id, u.email, u.is_active FROM instrument_manager m
           JOIN instrument i ON i.id = m.instrument_id JOIN app_user u ON u.id = m.user_id
           WHERE i.institution_id = $1 ORDER BY i.inner_id""", inst,
    )  # fmt: skip
    assert [(r["inner_id"], r["email"], r["is_active"]) for r in managers] == [
        ("M1", known.email, True), ("M2", newcomer, False), ("M3", newcomer, False),
    ]  # fmt: skip

    await deliver_outbox(db, mail_settings, utcnow())
    (mail,) = [m for m in smtp.sink.messages if m["To"] == newcomer]
    text = text_of(mail)
    link = re.search(r"http://testserver/invitations/(inv_\S+)", text)
    assert link is not None and "设置密码" in text
    token = link.group(1)

    weak = await client.post(f"/api/v1/invitations/{token}/accept", json={"password": "x"})
    assert weak.status_code == 422
    accepted = await client.post(
        f"/api/v1/invitations/{token}/accept", json={"password": "a-new-password-9"}
    )
    assert accepted.status_code == 200, accepted.text
    again = await client.post(
        f"/api/v1/invitations/{token}/accept", json={"password": "a-new-password-9"}
    )
    assert again.status_code == 404
    login = await client.post(
        "/api/v1/auth/login", json={"email": newcomer, "password": "a-new-password-9"}
    )
    assert login.status_code == 200


async def test_institution_admin_adds_members_from_a_csv_list(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    outsider = await make_user(db, await make_institution(db), admin_of=[])
    first, second = f"{unique('m')}@example.org", f"{unique('m')}@example.org"
    body = f"邮箱,姓名,语言\r\n{first},张三,zh\r\n{second},Jane Roe,en\r\n{admin.email},Admin,\r\n".encode(
        "gbk"
    )
    url = f"/api/v1/institutions/{inst}/users/import"
    headers = {**admin.headers, "Content-Type": "text/csv"}
    dry = await client.post(url, content=body, headers=headers)
    assert dry.status_code == 200 and (
        dry.json()["users_invited"],
        dry.json()["users_existing"],
    ) == (2, 1)
    bad = await client.post(
        url, content=b"email,name\nnot-an-address,X\n", params={"dry_run": "false"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["line"] == 2
    done = await client.post(url, content=body, params={"dry_run": "false"}, headers=headers)
    assert done.status_code == 200 and done.json()["applied"] is True
    rows = await db.fetch(
        "SELECT email, language, is_active, institution_id FROM app_user WHERE email = ANY($1::text[]) ORDER BY language",
        [first, second],
    )  # fmt: skip
    assert [(r["language"], r["is_active"], r["institution_id"]) for r in rows] == [
        ("en", False, inst),
        ("zh-CN", False, inst),
    ]
    verified = await db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'membership.verified' AND institution_id = $1", inst
    )  # fmt: skip
    assert verified == 2
    denied = await client.post(
        url, content=body, headers={**outsider.headers, "Content-Type": "text/csv"}
    )
    assert denied.status_code == 403
