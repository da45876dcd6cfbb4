"""The platform admin's dashboard on the demo data, in Chromium: it opens on the last twelve
complete months, its best and worst lists name each instrument's institution, and the region
heat map keeps its header row and first column in view when it is scrolled on a phone."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Browser

from service.common.time import utcnow
from service.web.formatting import DEFAULT_ZONE
from tests.browser.conftest import DEMO_ADMIN, SCREENSHOTS, Demo
from tests.browser.test_admin_pages_browser import DESKTOP, PHONE, signed_in_page
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

#: Where the heat map's corner, a header cell and a first-column cell are, against its box.
STICKY = """() => {
  const wrap = document.querySelector('.heat-wrap');
  const box = wrap.getBoundingClientRect();
  const head = document.querySelector('#flow-matrix thead th:nth-child(3)').getBoundingClientRect();
  const side = document.querySelector('#flow-matrix tbody tr:nth-child(5) th').getBoundingClientRect();
  return {scrolledX: wrap.scrollLeft, scrolledY: wrap.scrollTop,
          headTop: head.top - box.top, sideLeft: side.left - box.left};
}"""


async def test_the_dashboard_opens_on_twelve_complete_months_and_its_heat_map_keeps_its_headers(
    chromium: Browser, server: LiveServer, demo: Demo
) -> None:
    from zoneinfo import ZoneInfo

    today = utcnow().astimezone(ZoneInfo(DEFAULT_ZONE)).date()
    this_month = date(today.year, today.month, 1)
    page = await signed_in_page(chromium, server, DEMO_ADMIN, "zh-CN", DESKTOP)
    await page.goto("/admin/metrics")
    assert await page.input_value("#from") == date(today.year - 1, today.month, 1).isoformat()
    assert await page.input_value("#to") == this_month.isoformat()
    assert await page.locator("#period-presets [aria-current]").inner_text() == "最近 12 个完整月"
    for table in ("#best-shared", "#worst-shared"):
        institutions = await page.locator(f"{table} .institution").all_inner_texts()
        assert institutions and all(name.strip() for name in institutions), table
    assert (
        "只有本期内使用至少 10 小时的仪器参与排名"
        in await page.locator("#ranking-rules").inner_text()
    )
    await page.screenshot(path=str(SCREENSHOTS / "dashboard-zh-desktop.png"), full_page=True)
    await (
        page.locator("#best-shared")
        .locator("xpath=../../..")
        .screenshot(path=str(SCREENSHOTS / "dashboard-ranked-zh-desktop.png"))
    )
    await page.context.close()
    phone = await signed_in_page(chromium, server, DEMO_ADMIN, "zh-CN", PHONE)
    await phone.goto("/admin/metrics")
    # A short screen, so the map scrolls down however few regions the demo's flows reach.
    await phone.set_viewport_size({"width": PHONE["width"], "height": 560})
    wrap = phone.locator(".heat-wrap")
    await wrap.scroll_into_view_if_needed()
    await wrap.evaluate("w => { w.scrollLeft = 400; w.scrollTop = 120; }")
    where = await phone.evaluate(STICKY)
    assert where["scrolledX"] > 100 and where["scrolledY"] > 50, where
    assert abs(where["headTop"]) <= 2 and abs(where["sideLeft"]) <= 2, where
    await wrap.screenshot(path=str(SCREENSHOTS / "dashboard-heat-zh-phone.png"))
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    await phone.context.close()
