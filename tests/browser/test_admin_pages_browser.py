"""Headless Chromium on the demo data: the platform admin's dashboard draws its charts, and a
tour of the researcher, manager and admin pages in both languages, at desktop and at phone
width, writes their screenshots and checks nothing scrolls sideways on a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from service.common.time import utcnow
from service.db import Database
from service.outbox.store import enqueue
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
from tests.scheduler_support import close_mail_circuit, make_booking, make_scene

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
    chromium: Browser, server: LiveServer, demo: Demo
) -> None:
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
    chromium: Browser,
    server: LiveServer,
    demo: Demo,
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    pages: dict[str, Page] = {}
    wide: list[tuple[str, int]] = []
    try:
        for email, path, name in tour(demo):
            if email not in pages:
                pages[email] = await signed_in_page(chromium, server, email, lang, viewport)
            page = pages[email]
            if "{jlu}" in path:
                home = await page.locator("nav.nav a[href^='/institution/']").get_attribute("href")
                assert home is not None
                path = path.replace("/institution/{jlu}", home)
            response = await page.goto(path)
            assert response is not None, path
            assert response.status == 200, (path, response.status)
            assert await page.locator("html").get_attribute("lang") == lang
            if "metrics" in path or "figures" in path:
                await page.wait_for_function(
                    "window.Chart && Chart.getChart(document.querySelector('canvas[data-config]'))"
                )
            await page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"] + 1:
                wide.append((path, width))
    finally:
        for page in pages.values():
            await page.context.close()
    assert not wide, f"pages scroll sideways: {wide}"


async def _dead_notice(db: Database, kind: str, error: str) -> int:
    scene = await make_scene(db)
    booking = await make_booking(db, scene, utcnow().replace(microsecond=0).replace(year=2031))
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn, kind=kind, user_id=scene.user_id, booking_id=booking, dedupe_key=f"b:{booking}"
        )
    await db.execute(
        "UPDATE notification_outbox SET state = 'dead', attempts = 7, last_error = $2 WHERE id = $1",
        outbox_id,
        error,
    )
    assert outbox_id is not None
    return outbox_id


async def test_admins_see_the_outage_and_retry_matching_dead_messages(
    chromium: Browser, server: LiveServer, demo: Demo, db: Database
) -> None:
    """The health page shows a mail outage as such, and dead notices matching a filter go back
    to the queue in one action (CSRF-protected form, both languages, phone width)."""
    refused = await _dead_notice(db, "booking_cancelled", "SMTPResponseException: (550, 'unknown')")
    other = await _dead_notice(db, "booking_cancelled", "SMTPResponseException: (552, 'quota')")
    await db.execute(
        """UPDATE mail_circuit SET state = 'open', opened_at = now() - interval '20 minutes',
                  probe_at = now() + interval '1 hour', failed_probes = 4,
                  last_error = 'SMTPConnectError: Connect call failed' WHERE id = 1"""
    )
    try:
        page = await signed_in_page(chromium, server, DEMO_ADMIN, "zh-CN", DESKTOP)
        await page.goto("/admin/health")
        status = page.locator("#mail-status")
        assert await status.get_attribute("data-state") == "degraded"
        assert "无法连接邮件服务器" in await status.inner_text()
        assert "降级运行" in await page.locator("#jobs").inner_text()
        token = await page.locator("#retry-dead input[name=csrf_token]").get_attribute("value")
        assert token
        await page.select_option("#retry-kind", "booking_cancelled")
        await page.fill("#retry-error", "550")
        await page.click("#retry-dead button[type=submit]")
        await page.wait_for_load_state()
        assert "条消息已重新排队" in await page.locator("#retried").inner_text()
        await page.screenshot(path=str(SCREENSHOTS / "admin-outbox-retry-zh-desktop.png"))
        states = {
            r["id"]: r["state"]
            for r in await db.fetch(
                "SELECT id, state FROM notification_outbox WHERE id = ANY($1::bigint[])",
                [refused, other],
            )
        }
        assert states == {refused: "pending", other: "dead"}
        await page.context.close()

        phone = await signed_in_page(chromium, server, DEMO_ADMIN, "en", PHONE)
        await phone.goto("/admin/health")
        assert "cannot be reached" in await phone.locator("#mail-status").inner_text()
        await phone.fill("#retry-from", "2031-01-01")
        await phone.fill("#retry-to", "2030-01-01")
        await phone.click("#retry-dead button[type=submit]")
        await phone.wait_for_load_state()
        assert await phone.locator("#problem").get_attribute("data-status") == "422"
        wide = await phone.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], wide
        await phone.screenshot(path=str(SCREENSHOTS / "admin-outbox-retry-en-phone.png"))
        await phone.context.close()
    finally:
        await close_mail_circuit(db)
