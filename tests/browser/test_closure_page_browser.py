"""A manager closing a day with bookings on it sees them first and confirms their
cancellation, as for a maintenance block."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.async_api import Browser

from service.db import Database
from tests.bookings_support import SHANGHAI, future_day
from tests.browser.test_pages_browser import log_in, new_page, shot
from tests.live_server import LiveServer
from tests.web_support import World

pytestmark = pytest.mark.browser


async def test_closing_a_day_lists_its_bookings_and_cancels_them_only_when_confirmed(
    chromium: Browser, server: LiveServer, world: World, db: Database
) -> None:
    day = future_day(33)
    start = datetime.combine(day, time(10), tzinfo=SHANGHAI)
    booking = await db.fetchval(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status,
               booker_institution_id, booker_region_code)
           SELECT $1, $2, $3, $4, $4, 'confirmed', n.id, n.region_code
           FROM institution n WHERE n.id = $5 RETURNING id""",
        world.instrument,
        world.researcher_jlu_id,
        start,
        start + timedelta(hours=2),
        world.jlu,
    )
    page = await new_page(chromium, server, locale="zh-CN")
    await log_in(page, world.manager)
    await page.goto(f"/manage/instruments/{world.instrument}/hours")
    await page.fill("#closure-day", day.isoformat())
    await page.fill("#closure-reason", "Chiller replacement")
    await page.click("#add-closure")
    listed = page.locator("#closure-displaced")
    await listed.wait_for()
    assert "10:00" in await listed.inner_text()
    await shot(page, "manage-hours-closure-displaced-zh-desktop")
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "confirmed"
    await page.click("#confirm-closure")
    await page.wait_for_url(re.compile(r"ok=closure-added"))
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "cancelled"
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE booking_id = $1 AND kind = 'booking_closed'",
            booking,
        )
        == 1
    )
    await page.context.close()


async def test_a_manager_puts_two_configurations_on_one_calendar_from_the_hours_page(
    chromium: Browser, server: LiveServer, world: World, db: Database
) -> None:
    page = await new_page(chromium, server)
    await log_in(page, world.manager)
    await page.goto(f"/manage/instruments/{world.instrument}/hours")
    box = page.locator(f"#shared-calendar-form input[value='{world.twin}']")
    assert not await box.is_checked()
    await box.check()
    await page.click("#save-shared-calendar")
    await page.wait_for_url(re.compile(r"ok=calendar-shared"))
    assert await page.locator(f"#shared-calendar-form input[value='{world.twin}']").is_checked()
    await shot(page, "manage-hours-shared-calendar-zh-desktop")
    keys = await db.fetch(
        "SELECT coalesce(calendar_key, id) AS key FROM instrument WHERE id = ANY($1::bigint[])",
        [world.instrument, world.twin],
    )
    assert len({k["key"] for k in keys}) == 1
    await page.context.close()
