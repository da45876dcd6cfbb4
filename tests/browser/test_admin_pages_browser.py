"""Headless Chromium on the demo data: the platform admin's dashboard draws its charts, and a
tour of the researcher, manager and admin pages in both languages, at desktop and at phone
width, writes their screenshots and checks nothing scrolls sideways on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    DEMO_ADMIN,
    DEMO_EVALUATOR,
    DEMO_INST_ADMIN,
    DEMO_MANAGER,
    DEMO_PASSWORD,
    DEMO_RESEARCHER,
    SCREENSHOTS,
    Demo,
)
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

#: For each canvas: is a Chart.js chart attached, and did it draw (a PNG of the canvas is
#: larger than the PNG of a blank canvas of the same size)?
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('canvas[data-config]')).map(c => {
  const blank = document.createElement('canvas');
  blank.width = c.width; blank.height = c.height;
  return {id: c.id, chart: !!(window.Chart && Chart.getChart(c)), width: c.width,
          drawn: c.toDataURL().length > blank.toDataURL().length + 2000};
})"""


async def signed_in_page(chromium, server: LiveServer, email: str, lang: str, viewport):  # type: ignore[no-untyped-def]
    context = await chromium.new_context(base_url=server.url, viewport=viewport)
    await context.add_cookies([{"name": "is_lang", "value": lang, "url": server.url}])
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#email", email)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()
    return page


async def test_the_admin_dashboard_renders_its_charts(
    chromium, server: LiveServer, demo: Demo
) -> None:  # type: ignore[no-untyped-def]
    page = await signed_in_page(chromium, server, DEMO_ADMIN, "zh-CN", DESKTOP)
    await page.goto("/admin/metrics")
    await page.wait_for_function("window.Chart && document.querySelectorAll('canvas[data-config]')"
                                 ".length === 4 && Chart.getChart('chart-month')")  # fmt: skip
    charts = await page.evaluate(CHARTS_DRAWN)
    assert len(charts) == 4
    assert all(c["chart"] and c["drawn"] and c["width"] > 100 for c in charts), charts
    assert await page.locator("#flow-matrix td[style*='hsl']").count() >= 2
    assert await page.locator("#best-shared tbody tr a").count() >= 1
    await page.context.close()


def tour(demo: Demo) -> list[tuple[str, str, str]]:
    """(user, path, screenshot name) for every page this issue added."""
    instrument = f"/manage/instruments/{demo.managed[0]}"
    return [
        (DEMO_RESEARCHER, "/account", "account"),
        (DEMO_RESEARCHER, f"/bookings/{demo.completed_booking}/rate", "rate"),
        (DEMO_MANAGER, f"{instrument}/hours", "manage-hours"),
        (DEMO_MANAGER, f"{instrument}/policy", "manage-policy"),
        (DEMO_MANAGER, f"{instrument}/usage", "manage-usage"),
        (DEMO_MANAGER, f"{instrument}/import", "manage-import"),
        (DEMO_INST_ADMIN, "/institution/{jlu}", "institution"),
        (DEMO_INST_ADMIN, "/institution/{jlu}/figures", "institution-figures"),
        (DEMO_ADMIN, "/admin/metrics", "admin-metrics"),
        (DEMO_ADMIN, "/admin/users", "admin-users"),
        (DEMO_ADMIN, "/admin/health", "admin-health"),
        (DEMO_MANAGER, f"/manage/usage/{demo.session}", "manage-usage-correct"),
        (DEMO_ADMIN, "/admin/surveys", "admin-surveys"),
        (DEMO_EVALUATOR, "/evaluation", "evaluation"),
    ]


@pytest.mark.parametrize(
    ("lang", "viewport", "suffix"), [("zh-CN", DESKTOP, "zh-desktop"), ("en", PHONE, "en-phone")]
)
async def test_tour_of_the_new_pages(
    chromium, server: LiveServer, demo: Demo, lang: str, viewport: dict[str, int], suffix: str
) -> None:  # type: ignore[no-untyped-def]
    pages: dict[str, object] = {}
    wide: list[tuple[str, int]] = []
    try:
        for email, path, name in tour(demo):
            if email not in pages:
                pages[email] = await signed_in_page(chromium, server, email, lang, viewport)
            page = pages[email]
            if "{jlu}" in path:
                home = await page.locator("nav.nav a[href^='/institution/']").get_attribute("href")  # type: ignore[attr-defined]
                path = path.replace("/institution/{jlu}", home)
            response = await page.goto(path)  # type: ignore[attr-defined]
            assert response.status == 200, (path, response.status)
            assert await page.locator("html").get_attribute("lang") == lang  # type: ignore[attr-defined]
            if "metrics" in path or "figures" in path:
                await page.wait_for_function(
                    "window.Chart && Chart.getChart(document.querySelector('canvas[data-config]'))"
                )  # type: ignore[attr-defined]
            await page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)  # type: ignore[attr-defined]
            width = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
            if width > viewport["width"] + 1:
                wide.append((path, width))
    finally:
        for page in pages.values():
            await page.context.close()  # type: ignore[attr-defined]
    assert not wide, f"pages scroll sideways: {wide}"
