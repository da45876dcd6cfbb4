"""Headless Chromium on the platform admin's health page: a mail outage is shown as such, and
dead notices matching a filter go back to the queue in one action (CSRF-protected form, both
languages, usable at phone width)."""

from __future__ import annotations

import pytest

from service.common.time import utcnow
from service.db import Database
from service.notifications.outbox import enqueue
from tests.browser.conftest import DEMO_ADMIN, SCREENSHOTS, Demo
from tests.browser.test_admin_pages_browser import DESKTOP, PHONE, signed_in_page
from tests.live_server import LiveServer
from tests.scheduler_support import close_mail_circuit, make_booking, make_scene

pytestmark = pytest.mark.browser


async def _dead(db: Database, kind: str, error: str) -> int:
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
    return int(outbox_id)


async def test_admins_see_the_outage_and_retry_matching_dead_messages(
    chromium, server: LiveServer, demo: Demo, db: Database
) -> None:  # type: ignore[no-untyped-def]
    refused = await _dead(db, "booking_cancelled", "SMTPResponseException: (550, 'unknown')")
    other = await _dead(db, "booking_cancelled", "SMTPResponseException: (552, 'quota')")
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
