"""Round trip: the catalogue exported in the registry format and imported into an empty
platform gives the same catalogue (the same registry export, institution names included)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.migrate import migrate
from service.settings import Settings
from tests.deployment_support import scratch_database
from tests.factories import make_institution, make_instrument, make_user, unique

pytestmark = pytest.mark.slow
EXPORT = "/api/v1/registry/instruments"


async def _catalogue(db: Database) -> int:
    inst = await make_institution(db, region="220200", kind="hospital", name=unique("rt"))
    await make_instrument(
        db, inst, category="010601", value=Decimal("850.00"), inner_id="ZC-1", source="donated",
        country="德国", country_code="DE", manufacturer="Bruker", model="AVANCE 600",
        service_start=date(2019, 5, 1), specs="600 MHz, \"quoted\", 逗号，", functions="=not a formula",
        subject_codes=["150", "180"], status="remote", share_mode="internal",
        instrument_type="special", contact_name="王老师", contact_email="wang@example.org",
        building="化学楼", room="101", postal_code="130012", customs_supervised=True,
        photo_url="https://example.org/nmr.jpg", county="船营区", street="北京路",
    )  # fmt: skip
    await make_instrument(db, inst, category="0102", inner_id="ZC-2", name_zh="质谱仪\n第二行")
    await make_instrument(db, inst, category="01", inner_id="ZC-3", value=Decimal("0.50"))
    return inst


async def _export(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> list[dict[str, str]]:
    response = await client.get(
        EXPORT, params={"institution_columns": "true", **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    for row in rows:
        row.pop("serviceUrl")  # names the instrument's id on each platform
    return rows


async def test_export_then_import_into_an_empty_platform_gives_the_same_catalogue(
    db: Database, client: httpx.AsyncClient, settings: Settings, database_url: str
) -> None:
    inst = await _catalogue(db)
    source_admin = await make_user(db, inst, platform_admin=True)
    raw = await client.get(EXPORT, params={"institution": inst, "institution_columns": "true"},
                           headers=source_admin.headers)  # fmt: skip
    before = await _export(client, source_admin.headers, institution=inst)
    assert len(before) == 3 and before[0]["instrCategory"] == "010601"
    async with scratch_database(database_url, "is_roundtrip") as url:
        migrate(url)
        target = Database(url, 1, 4)
        await target.connect()
        try:
            operator = await make_institution(target)
            admin = await make_user(target, operator, platform_admin=True)
            app = create_app(replace(settings, database_url=url), db=target)
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as other:
                imported = await other.post(
                    "/api/v1/imports/instruments", content=raw.content,
                    params={"dry_run": "false", "filename": "export.csv"},
                    headers={**admin.headers, "Content-Type": "text/csv"},
                )  # fmt: skip
                assert imported.status_code == 200, imported.text
                assert imported.json()["instruments_created"] == 3
                after = await _export(other, admin.headers)
        finally:
            await target.close()
    mine = [r for r in after if r["insCode"] == before[0]["insCode"]]
    # a 中类 or 大类 goes out as its 小类 其他 and comes back as that 小类: the export is the same
    assert mine == before
