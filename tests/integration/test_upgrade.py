"""Upgrading a database made by the previous release (v0.1.0: its migrations and demo data,
committed as a dump) to the current schema: the migrations run on top, and the data survive."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.migrate import migrate
from service.settings import Settings
from tests.deployment_support import scratch_database

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0_demo.sql.gz"
COUNTED = ("institution", "instrument", "app_user", "booking", "booking_event",
           "usage_session", "satisfaction", "usage_daily", "opening_hours", "region")  # fmt: skip

pytestmark = pytest.mark.slow


async def _load(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        text = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8")
        # psql meta-commands (`\restrict` of recent pg_dump releases) are not SQL
        sql = "\n".join(line for line in text.splitlines() if not line.startswith("\\"))
        await conn.execute(sql)
    finally:
        await conn.close()


async def _counts(db: Database) -> dict[str, int]:
    return {t: int(await db.fetchval(f"SELECT count(*) FROM {t}")) for t in COUNTED}


async def test_a_v0_1_0_database_upgrades_and_keeps_its_data(
    database_url: str, settings: Settings
) -> None:
    async with scratch_database(database_url, "is_upgrade") as url:
        await _load(url)
        db = Database(url, 1, 4)
        await db.connect()
        try:
            before = await _counts(db)
            old_categories = await db.fetchval("SELECT count(*) FROM category")
            sums = await db.fetchval("SELECT sum(effective_s) FROM usage_daily")
            migrate(url)
            assert await _counts(db) == before
            assert before["instrument"] == 395 and before["booking"] > 10_000
            assert await db.fetchval("SELECT sum(effective_s) FROM usage_daily") == sums
            assert await db.fetchval("SELECT count(*) FROM category WHERE length(code) < 6") > (
                old_categories
            )  # the old 2- and 4-digit codes are all still there, plus the new 中类 "其他"
            await _new_columns_are_filled_sensibly(db)
            app = create_app(replace(settings, database_url=url), db=db)
            await _demo_admin_still_logs_in(app)
        finally:
            await db.close()


async def _new_columns_are_filled_sensibly(db: Database) -> None:
    partners = await db.fetch("SELECT code FROM region WHERE partner ORDER BY code")
    assert [r["code"] for r in partners] == ["BY-MSQ", "RU-VVO"]
    unmatched = await db.fetchval(
        "SELECT count(*) FROM instrument WHERE country <> '' AND country_code IS NULL"
    )
    german = await db.fetchval("SELECT count(*) FROM instrument WHERE country_code = 'DE'")
    assert unmatched == 0 and german > 0
    assert await db.fetchval("SELECT count(*) FROM instrument WHERE inner_id <> ''") == 0


async def _demo_admin_still_logs_in(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        login = await client.post(
            "/api/v1/auth/login",
            json={"email": "admin@demo.instrument-share.org", "password": "demo-password"},
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        listed = await client.get("/api/v1/instruments", params={"category": "01"}, headers=headers)
        assert listed.status_code == 200 and listed.json()["total"] > 0
