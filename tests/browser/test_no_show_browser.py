"""A manager declares a no-show in Chromium: offered only after the instrument's grace period,
confirmed, with a reason, and undone again (the history keeps both steps)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service.common.time import utcnow
from service.db import Database
from tests.browser.test_pages_browser import log_in, new_page, shot
from tests.live_server import LiveServer
from tests.web_support import World, past_booking

pytestmark = pytest.mark.browser


async def test_no_show_is_offered_after_the_grace_confirmed_with_a_reason_and_undone(  # type: ignore[no-untyped-def]
    chromium, server: LiveServer, world: World, db: Database
) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    # Started 45 minutes ago, past the 30-minute grace; the other started 10 minutes ago.
    due = await past_booking(
        db, world.instrument, world.researcher_jlu_id, now - timedelta(minutes=45), 1, "confirmed"
    )
    early = await past_booking(
        db, world.twin, world.researcher_jlu_id, now - timedelta(minutes=10), 1, "confirmed"
    )
    page = await new_page(chromium, server, "zh-CN")
    await log_in(page, world.manager)

    await page.goto(f"/manage/instruments/{world.twin}")
    assert await page.locator(f"#booking-{early}").count() == 1
    assert await page.locator(f"#booking-{early} .no-show-link").count() == 0
    await page.goto(f"/bookings/{early}")
    assert await page.locator("#no-show-wait").is_visible()
    assert await page.locator("#no-show-open").count() == 0

    await page.goto(f"/manage/instruments/{world.instrument}")
    await page.locator(f"#booking-{due} .no-show-link").click()
    await page.wait_for_url(re.compile(rf"/bookings/{due}#no-show$"))
    assert not await page.locator("#no-show-confirm").is_visible()
    await page.click("#no-show-open")
    await page.fill("#no-show-reason", "无人到场，电话未接")
    asked: list[str] = []

    async def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.click("#no-show-confirm")
    await page.wait_for_url(re.compile(r"ok=no-show$"))
    assert asked and "爽约" in asked[0]
    assert await page.locator("#booking-status").inner_text() == "爽约"
    assert "无人到场，电话未接" in await page.locator("#history").inner_text()
    await shot(page, "no-show-marked-zh")

    await page.fill("#undo-reason", "她在场，只是忘了签到")
    await page.click("#undo-no-show-button")
    await page.wait_for_url(re.compile(r"ok=no-show-undone$"))
    assert len(asked) == 2
    assert await page.locator("#booking-status").inner_text() == "已确认"
    history = await page.locator("#history").inner_text()
    assert "已撤销爽约" in history and "她在场，只是忘了签到" in history
    assert await page.locator("#undo-no-show").count() == 0
    await shot(page, "no-show-undone-zh")
    statuses = await db.fetch(
        "SELECT action, from_status, to_status FROM booking_event WHERE booking_id = $1 ORDER BY id",
        due,
    )
    assert [tuple(r) for r in statuses][-2:] == [
        ("no_show", "confirmed", "no_show"),
        ("undo_no_show", "no_show", "confirmed"),
    ]
    await page.context.close()


async def test_a_manager_sees_the_on_behalf_and_override_fields_on_the_booking_form(  # type: ignore[no-untyped-def]
    chromium, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server, "zh-CN")
    await log_in(page, world.manager)
    await page.goto(f"/instruments/{world.twin}/book")
    assert await page.locator("#for_email").is_visible()
    assert await page.locator("#override_reason").is_visible()
    await shot(page, "book-manager-zh")
    await page.context.close()
