"""The onboarding pages through the real app: import the registry file (check, then import
with the carried file), the institution's registry page with member upload, the instrument's
registry record form, regions added and edited, and an invitation accepted in the browser form."""

from __future__ import annotations

import re
from typing import Any

from service.common.time import utcnow
from service.db import Database
from service.onboarding.invite import Invitee, invite
from tests.factories import PASSWORD, make_institution, make_instrument, make_user, unique
from tests.onboarding_support import csv_bytes, registry_row
from tests.web_support import csrf_from, signed_in


async def test_platform_admin_checks_then_imports_a_registry_file(app: Any, db: Database) -> None:
    admin = await make_user(db, await make_institution(db), platform_admin=True)
    code = unique("pg").lower()
    body = csv_bytes(
        [
            registry_row(code, "P1", insName="Page Upload University"),
            registry_row(code, "P2", insName="Page Upload University"),
        ]
    )
    async with signed_in(app, admin.email) as (c, token):
        page = await c.get("/imports")
        assert page.status_code == 200 and "registry-import-form" in page.text
        preview = await c.post("/imports", data={"csrf_token": token, "mode": "preview"},
                               files={"file": ("reg.csv", body, "text/csv")})  # fmt: skip
        assert preview.status_code == 200, preview.text
        assert 'data-applied="false"' in preview.text and "registry-import-confirm" in preview.text
        carried = preview.text.split('name="carried" value="')[1].split('"')[0]
        done = await c.post("/imports", data={"csrf_token": token, "mode": "import", "name": "reg.csv", "carried": carried},
                            files={"file": ("", b"", "application/octet-stream")})  # fmt: skip
        assert done.status_code == 200 and 'data-applied="true"' in done.text
        bad = await c.post("/imports", data={"csrf_token": token, "mode": "preview"},
                           files={"file": ("bad.csv", csv_bytes([registry_row(code, "", insName="x")]), "text/csv")})  # fmt: skip
        assert bad.status_code == 200 and "import-errors" in bad.text and "innerId" in bad.text
    assert await db.fetchval("SELECT count(*) FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE n.code = $1", code) == 2  # fmt: skip


async def test_institution_admin_sees_gaps_and_invites_members(app: Any, db: Database) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, admin_of=[inst])
    instrument = await make_instrument(db, inst, name_zh=unique("缺项仪器"))
    async with signed_in(app, admin.email) as (c, token):
        page = await c.get(f"/institution/{inst}/registry")
        assert page.status_code == 200 and "registry-gaps" in page.text
        assert f"/manage/instruments/{instrument}/registry" in page.text
        listing = f"email,name\r\n{unique('p')}@example.org,甲\r\n".encode()
        added = await c.post(f"/institution/{inst}/members/import", data={"csrf_token": token, "mode": "import"},
                             files={"file": ("m.csv", listing, "text/csv")})  # fmt: skip
        assert added.status_code == 200 and "members-report" in added.text
        other = await make_institution(db)
        assert (await c.get(f"/institution/{other}/registry")).status_code == 404


async def test_manager_completes_the_registry_record(app: Any, db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst, category="0106")
    manager = await make_user(db, inst, manages=[instrument])
    url = f"/manage/instruments/{instrument}/registry"
    async with signed_in(app, manager.email) as (c, token):
        page = await c.get(url)
        assert page.status_code == 200 and "instrCategory" in page.text
        saved = await c.post(url, data={"csrf_token": token, "inner_id": unique("Z"), "category_code": "010601",
                                        "source": "developed", "country_code": "CN", "subject_codes": ["150", "140"],
                                        "postal_code": "130012", "customs_supervised": "on"})  # fmt: skip
        assert saved.status_code == 303, saved.text
        wrong = await c.post(url, data={"csrf_token": token, "postal_code": "12"})
        assert wrong.status_code == 422
    row = await db.fetchrow("SELECT category_code, source, country_code, subject_codes, customs_supervised FROM instrument WHERE id = $1", instrument)  # fmt: skip
    assert row is not None
    assert tuple(row) == ("010601", "developed", "CN", ["150", "140"], True)


async def test_admin_adds_and_edits_a_region_in_the_pages(app: Any, db: Database) -> None:
    admin = await make_user(db, await make_institution(db), platform_admin=True)
    code = "PG-" + unique("r").split("-")[-1].upper()
    async with signed_in(app, admin.email) as (c, token):
        assert (await c.get("/admin/regions/new")).status_code == 200
        form = {"csrf_token": token, "code": code, "name_zh": "合作区", "name_en": "Partner zone",
                "timezone": "Asia/Seoul", "latitude": "37.5", "longitude": "127", "partner": "on"}  # fmt: skip
        created = await c.post("/admin/regions/new", data=form)
        assert created.status_code == 303, created.text
        bad = await c.post(f"/admin/regions/{code}", data={**form, "timezone": "Moon/Base"})
        assert bad.status_code == 422 and "IANA" in bad.text
        edited = await c.post(f"/admin/regions/{code}", data={**form, "timezone": "Asia/Tokyo"})
        assert edited.status_code == 303
        listing = await c.get("/admin/regions")
        assert code in listing.text and "Asia/Tokyo" in listing.text
    assert await db.fetchval("SELECT partner FROM region WHERE code = $1", code) is True


async def test_invitation_page_sets_the_password_once(app: Any, db: Database) -> None:
    import httpx

    inst = await make_institution(db)
    email = f"{unique('inv')}@example.org"
    async with db.transaction() as conn:
        await invite(
            conn,
            Invitee(email, "Invitee", inst),
            invited_by=None,
            base_url="http://testserver",
            now=utcnow(),
        )
        payload = await conn.fetchval(
            "SELECT payload FROM notification_outbox WHERE kind = 'account_invitation' ORDER BY id DESC LIMIT 1"
        )
    token = re.search(r"/invitations/(\S+)$", payload["link"]).group(1)  # type: ignore[union-attr]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        page = await c.get(f"/invitations/{token}")
        assert page.status_code == 200 and email in page.text
        csrf = csrf_from(page.text)
        weak = await c.post(f"/invitations/{token}", data={"csrf_token": csrf, "password": "short"})
        assert weak.status_code == 422
        done = await c.post(
            f"/invitations/{token}", data={"csrf_token": csrf, "password": PASSWORD}
        )
        assert done.status_code == 303
        assert (await c.get(f"/invitations/{token}")).status_code == 404
        login = await c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200
