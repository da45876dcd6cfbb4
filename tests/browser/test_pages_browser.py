"""Headless Chromium through the main journeys; screenshots of the main pages land in
tests/screenshots/ (zh-CN and en, desktop and phone width)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD
from tests.live_server import LiveServer
from tests.web_support import World, local_input, tomorrow_at

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


async def new_page(chromium, server: LiveServer, locale: str = "zh-CN", viewport=DESKTOP):  # type: ignore[no-untyped-def]
    context = await chromium.new_context(base_url=server.url, locale=locale, viewport=viewport)
    return await context.new_page()


async def log_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_search_book_see_and_cancel(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_jlu)
    await page.goto("/instruments")
    await page.fill("#q", world.instrument_name)
    await page.click("#search-button")
    await page.wait_for_selector(f"a.instrument-link:has-text('{world.instrument_name}')")
    await shot(page, "catalogue-zh-desktop")
    await page.click(f"a.instrument-link:has-text('{world.instrument_name}')")
    await page.wait_for_selector("#calendar .fc-timegrid")
    await page.wait_for_selector("#calendar .free", state="attached")
    await shot(page, "instrument-zh-desktop")
    await page.click("#book-button")
    start = tomorrow_at(9, days=6)
    await page.fill("#start", local_input(start))
    await page.fill("#end", local_input(tomorrow_at(11, days=6)))
    await page.fill("#purpose", "质谱分析")
    await shot(page, "book-zh-desktop")
    await page.click("#submit-booking")
    await page.wait_for_url(re.compile(r"/bookings\?ok=booked"))
    row = page.locator("#upcoming tbody tr", has_text=world.instrument_name).first
    await row.locator(".badge.confirmed").wait_for()
    await shot(page, "bookings-zh-desktop")
    page.once("dialog", lambda dialog: dialog.accept())
    await row.locator(".cancel-button").click()
    await page.wait_for_url(re.compile(r"ok=cancelled"))
    assert await page.locator(".flash").inner_text() == "预约已取消。"
    await page.context.close()


async def test_conflict_shows_alternatives_and_one_click_books_one(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server, locale="en-US")
    await log_in(page, world.researcher_jlu)
    for _attempt in range(2):
        await page.goto(f"/instruments/{world.twin}/book")
        await page.fill("#start", local_input(tomorrow_at(10, days=7)))
        await page.fill("#end", local_input(tomorrow_at(12, days=7)))
        await page.click("#submit-booking")
        await page.wait_for_load_state()
    await page.wait_for_selector("#alternatives .alt-slot button")
    assert await page.locator("#refusal").get_attribute("data-status") == "409"
    await shot(page, "refusal-en-desktop")
    await page.locator("#alternatives .alt-slot button").first.click()
    await page.wait_for_url(re.compile(r"/bookings\?ok=booked"))
    assert await page.locator("#upcoming tbody tr", has_text="气相色谱质谱仪").count() == 2
    await page.context.close()


async def test_manager_approves_a_cross_region_request(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    researcher = await new_page(chromium, server)
    await log_in(researcher, world.researcher_yanbian)
    await researcher.goto(f"/instruments/{world.instrument}/book")
    await researcher.fill("#start", local_input(tomorrow_at(15, days=8)))
    await researcher.fill("#end", local_input(tomorrow_at(16, days=8)))
    await researcher.select_option("#service_way", "technical")
    await researcher.click("#submit-booking")
    await researcher.wait_for_url(re.compile(r"ok=requested"))
    await researcher.context.close()

    manager = await new_page(chromium, server)
    await log_in(manager, world.manager)
    await manager.goto("/manage")
    row = manager.locator("#approvals tr.pending", has_text=world.instrument_name).first
    await row.wait_for()
    assert "外地区" in await row.inner_text()
    await shot(manager, "manage-zh-desktop")
    await row.locator(".approve-button").click()
    await manager.locator("#approvals .badge.confirmed").first.wait_for()
    await manager.goto(f"/manage/instruments/{world.instrument}")
    await manager.wait_for_selector("#managed-bookings .badge.confirmed")
    await manager.wait_for_selector(".calendar .fc-timegrid")
    await shot(manager, "manage-instrument-zh-desktop")
    await manager.context.close()


async def test_switching_language_and_phone_width(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server, viewport=PHONE)
    await page.goto("/instruments")
    assert await page.locator("h1").inner_text() == "查找仪器"
    await shot(page, "catalogue-zh-phone")
    await page.click("label.nav-button")
    await page.click("#lang-switch")
    await page.wait_for_load_state()
    assert await page.locator("h1").inner_text() == "Find an instrument"
    await shot(page, "catalogue-en-phone")
    await page.goto(f"/instruments/{world.instrument}")
    await page.wait_for_selector("#calendar .fc-timegrid")
    await shot(page, "instrument-en-phone")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways at phone width ({width}px)"
    await page.context.close()
