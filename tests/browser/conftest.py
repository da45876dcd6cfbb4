"""Browser fixtures: the real service in a subprocess against the test database, a small world
of data, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from service.common.time import utcnow
from service.db import Database
from service.demo.seed import seed_demo
from service.metrics.rollup import rebuild
from tests.live_server import LiveServer
from tests.metrics_support import add_session
from tests.web_support import World, build_world, past_booking

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-password"
DEMO_ADMIN = "admin@demo.instrument-share.org"
DEMO_INST_ADMIN = "inst-admin@jlu.demo.instrument-share.org"
DEMO_MANAGER = "manager@jlu.demo.instrument-share.org"
DEMO_RESEARCHER = "researcher@yanbian.demo.instrument-share.org"
DEMO_EVALUATOR = "evaluator@demo.instrument-share.org"


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


@pytest.fixture(scope="module")
def server(database_url: str, world: World) -> AsyncIterator[LiveServer]:  # type: ignore[misc]
    live = LiveServer(database_url).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
async def chromium():  # type: ignore[no-untyped-def]
    """One browser per test process; each test opens its own contexts (cookies, storage)."""
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Demo:
    """The demo data set (seeded once, idempotent) with some usage rolled up, for the pages of
    managers and administrators."""

    managed: list[int]
    ciac_instrument: int
    completed_booking: int
    session: int


async def _free_session(
    db: Database, instrument: int, user_institution: int, start: datetime, end: datetime
) -> list[int]:
    """A session where the demo's own history leaves the instrument free (sessions of one
    instrument never overlap); none where it is taken."""
    try:
        return [await add_session(db, instrument, user_institution, start, end)]
    except asyncpg.ExclusionViolationError:
        return []


async def _demo_ids(db: Database) -> tuple[list[int], int, dict[str, int]]:
    managed = [
        int(r["instrument_id"])
        for r in await db.fetch(
            """SELECT m.instrument_id FROM instrument_manager m JOIN app_user u ON u.id = m.user_id
               WHERE u.email = $1 ORDER BY m.instrument_id""",
            DEMO_MANAGER,
        )
    ]
    ciac = await db.fetchval(
        """SELECT i.id FROM instrument i JOIN institution n ON n.id = i.institution_id
           WHERE n.code = 'ciac' ORDER BY i.id LIMIT 1"""
    )
    codes = await db.fetch(
        "SELECT code, id FROM institution WHERE code = ANY($1::text[])", ["jlu", "ciac", "yanbian"]
    )
    return managed, int(ciac), {r["code"]: int(r["id"]) for r in codes}


@pytest.fixture(scope="module")
async def demo(db: Database) -> Demo:
    await seed_demo(db)
    managed, ciac_instrument, inst = await _demo_ids(db)
    now = utcnow()
    users = [inst["ciac"], inst["yanbian"], inst["jlu"]]
    sessions: list[int] = []
    for n, instrument in enumerate(managed[:4]):
        for week in range(10):
            start = now - timedelta(days=7 * week + n + 1, hours=3)
            hours = 2 + (week + n) % 4
            sessions += await _free_session(
                db, instrument, users[(week + n) % 3], start, start + timedelta(hours=hours)
            )
    start = now - timedelta(days=9)
    await _free_session(db, ciac_instrument, inst["yanbian"], start, start + timedelta(hours=5))
    today = now.date()
    await rebuild(db, today - timedelta(days=80), today + timedelta(days=1),
                  [*managed[:4], ciac_instrument])  # fmt: skip
    researcher = await db.fetchval("SELECT id FROM app_user WHERE email = $1", DEMO_RESEARCHER)
    booking = await past_booking(db, managed[0], int(researcher), now - timedelta(days=2))
    # A second module finds this usage from the first one in place (sessions never overlap).
    session = (
        sessions[0]
        if sessions
        else await db.fetchval(
            "SELECT max(id) FROM usage_session WHERE instrument_id = $1", managed[0]
        )
    )
    return Demo(managed, ciac_instrument, booking, int(session))
