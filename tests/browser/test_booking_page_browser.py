"""The page of one booking in Chromium: reached from My bookings, in Chinese on a desktop and
in English on a phone (no sideways scrolling), with screenshots of both."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_pages_browser import DESKTOP, PHONE, log_in, new_page
from tests.live_server import LiveServer
from tests.web_support import World, local_input, tomorrow_at

pytestmark = pytest.mark.browser


async def test_booking_page_from_my_bookings(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server, "zh-CN", DESKTOP)
    await log_in(page, world.researcher_ciac)
    await page.goto(f"/instruments/{world.instrument}/book")
    await page.fill("#start", local_input(tomorrow_at(14, days=8)))
    await page.fill("#end", local_input(tomorrow_at(16, days=8)))
    await page.fill("#purpose", "代谢组学样品")
    await page.click("#submit-booking")
    await page.wait_for_url(re.compile(r"/bookings\?ok=requested"))
    await page.locator("#upcoming a.booking-link").first.click()
    await page.wait_for_url(re.compile(r"/bookings/\d+$"))
    assert await page.locator("#booking-status").inner_text() == "待审批"
    await page.screenshot(path=str(SCREENSHOTS / "booking-zh-desktop.png"), full_page=True)
    url = page.url
    await page.context.close()
    phone = await new_page(chromium, server, "en", PHONE)
    await log_in(phone, world.researcher_ciac)
    await phone.context.add_cookies([{"name": "is_lang", "value": "en", "url": server.url}])
    await phone.goto(url)
    assert await phone.locator("#booking-status").inner_text() == "Awaiting approval"
    await phone.screenshot(path=str(SCREENSHOTS / "booking-en-phone.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    await phone.context.close()
