"""The settings that decide the open definitions, through the API: the quota of a period in
progress, the denominator of 正常运行设备比例, the value threshold; the national reference year."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from service.app import create_app
from service.common.time import utcnow
from service.db import Database
from service.settings import Settings
from tests.factories import make_institution, make_instrument, make_user


async def _client(settings: Settings, db: Database, **changes: object) -> httpx.AsyncClient:
    values = {f: getattr(settings, f) for f in settings.__dataclass_fields__}
    app = create_app(Settings(**{**values, **changes}), db=db)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]


async def test_quota_counts_only_days_that_have_begun_unless_told_otherwise(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    owner = await make_institution(db)
    await make_instrument(db, owner, instrument_type="general")
    admin = await make_user(db, owner, admin_of=[owner])
    today = utcnow().date()
    ahead: dict[str, Any] = {
        "from": str(today + timedelta(days=40)),
        "to": str(today + timedelta(days=70)),
        "institution": owner,
    }
    r = await client.get("/api/v1/metrics/sharing", params=ahead, headers=admin.headers)
    body = r.json()
    assert body["totals"]["quota_hours"] == 0 and body["totals"]["utilisation"] is None
    assert body["reference"]["years_in_period"] == 0
    async with await _client(settings, db, quota_in_progress="whole") as whole:
        r = await whole.get("/api/v1/metrics/sharing", params=ahead, headers=admin.headers)
        assert r.json()["totals"]["quota_hours"] > 100  # 30 days of 1,400 h a year


async def test_the_reference_names_one_year_and_its_source(
    client: httpx.AsyncClient, db: Database
) -> None:
    owner = await make_institution(db)
    admin = await make_user(db, owner, admin_of=[owner])
    r = await client.get(
        "/api/v1/metrics/sharing",
        params={"from": "2025-01-01", "to": "2026-01-01", "institution": owner},
        headers=admin.headers,
    )
    ref = r.json()["reference"]
    assert ref["reference_year"] == 2025 and ref["national_hours_year"] == 2025
    assert ref["reference_sharing_rate"] == round(273 / 1599, 4)
    assert "2025" in ref["reference_source"]
    assert ref["national_effective_hours_per_instrument_period"] == 1599.0


async def test_normal_ratio_denominator_and_value_threshold_follow_the_settings(
    db: Database, settings: Settings
) -> None:
    owner = await make_institution(db)
    admin = await make_user(db, owner, admin_of=[owner])
    await make_instrument(db, owner, status="normal", value=Decimal("60"))
    await make_instrument(db, owner, status="awaiting_scrap", value=Decimal("60"))
    await make_instrument(db, owner, status="normal", value=Decimal("30"))
    url = f"/api/v1/metrics/institutions/{owner}/evaluation"
    async with await _client(settings, db) as c:
        body = (await c.get(url, headers=admin.headers)).json()
        assert body["normal_ratio"] == {"numerator": 1, "denominator": 2, "ratio": 0.5}
        assert (body["eligible"], body["below_threshold"]["instruments"]) == (2, 1)
        assert body["normal_ratio_base"] == "evaluated" and body["evaluated_min_value"] == 50
    async with await _client(settings, db, normal_ratio_base="in_service") as c:
        body = (await c.get(url, headers=admin.headers)).json()
        assert body["normal_ratio"] == {"numerator": 1, "denominator": 1, "ratio": 1.0}
    async with await _client(settings, db, evaluated_min_value=Decimal(20)) as c:
        body = (await c.get(url, headers=admin.headers)).json()
        assert (body["eligible"], body["below_threshold"]["instruments"]) == (3, 0)


async def test_an_affiliated_hospital_joins_its_universitys_legal_entity(
    client: httpx.AsyncClient, db: Database
) -> None:
    university = await make_institution(db)
    hospital = await make_institution(db)
    other = await make_institution(db)
    platform = await make_user(db, other, platform_admin=True)
    url = f"/api/v1/institutions/{hospital}"
    r = await client.patch(url, json={"legal_entity_id": university}, headers=platform.headers)
    assert r.status_code == 200, r.text
    assert r.json()["legal_entity_id"] == university
    # one level deep: the university cannot join another group, nothing joins the hospital
    joined = await client.patch(
        f"/api/v1/institutions/{university}",
        json={"legal_entity_id": other},
        headers=platform.headers,
    )
    assert joined.status_code == 422
    chained = await client.patch(
        f"/api/v1/institutions/{other}",
        json={"legal_entity_id": hospital},
        headers=platform.headers,
    )
    assert chained.status_code == 422
    for bad in (hospital, 999_999_999):
        r = await client.patch(url, json={"legal_entity_id": bad}, headers=platform.headers)
        assert r.status_code == 422, r.text
    r = await client.patch(url, json={"legal_entity_id": None}, headers=platform.headers)
    assert r.json()["legal_entity_id"] is None
