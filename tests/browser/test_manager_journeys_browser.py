"""What a Jilin University instrument manager and a new researcher stumbled on, walked again in
Chromium (Chinese first): check-in offered too early and its refusals away from the instrument,
requesters without a name or number, series answered occurrence by occurrence, maintenance
previews without a way back, technical words in the Chinese pages, opening hours typed with a
Chinese input method, `.ics` imports that were always maintenance, and a calendar only a mouse
could use. Screenshots land in tests/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from tests.bookings_support import make_region, set_policy
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_pages_browser import DESKTOP, PHONE, log_in, new_page
from tests.factories import make_institution, make_instrument
from tests.live_server import LiveServer
from tests.web_support import World, local_input, open_all_week, past_booking, tomorrow_at

pytestmark = pytest.mark.browser


async def shot(page: Any, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def managed_instrument(db: Database, world: World, **policy: Any) -> int:
    """A fresh instrument of Jilin University that the world's manager runs, open every day."""
    instrument = await make_instrument(db, world.jlu, name_zh=f"测试仪器{utcnow().timestamp()}")
    await db.execute(
        "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
        world.manager_id,
        instrument,
    )
    await open_all_week(db, instrument)
    if policy:
        await set_policy(db, instrument, **policy)
    return instrument


async def confirmed(
    db: Database, instrument: int, user_id: int, start: Any, minutes: int = 60, **extra: Any
) -> int:
    """A confirmed booking written directly (the engine refuses times already begun)."""
    booking = await past_booking(
        db, instrument, user_id, start, hours=1, status="confirmed"
    )  # fmt: skip
    await db.execute(
        "UPDATE booking SET ends_at = starts_at + make_interval(mins => $2), "
        "occupied_until = starts_at + make_interval(mins => $2), estimated_cost = $3 WHERE id = $1",
        booking,
        minutes,
        extra.get("estimated_cost", Decimal("0")),
    )
    return booking


async def test_check_in_is_offered_from_the_lead_time_refusals_stay_in_place_and_check_out_asks_the_details(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    now = utcnow()
    later = await confirmed(db, instrument, world.researcher_jlu_id, now + timedelta(days=3))
    begun = await confirmed(
        db, instrument, world.researcher_jlu_id, now - timedelta(minutes=10),
        minutes=50, estimated_cost=Decimal("120.00"),
    )  # fmt: skip
    soon = await confirmed(
        db, instrument, world.researcher_jlu_id, now + timedelta(minutes=20) + timedelta(hours=2)
    )
    await set_policy(db, instrument, check_in_lead_minutes=180)
    page = await new_page(chromium, server)
    await log_in(page, world.manager)
    url = f"/manage/instruments/{instrument}"
    await page.goto(url)
    assert await page.locator(f"#booking-{later} .check-in-button").count() == 0
    assert "起可签到" in await page.locator(f"#booking-{later} .check-in-later").inner_text()
    # The policy changes after the page was shown: the refusal appears next to the button.
    await set_policy(db, instrument, check_in_lead_minutes=5)
    await page.locator(f"#booking-{soon} .check-in-button").click()
    error = page.locator(f"#row-error-{soon} .problem")
    await error.wait_for()
    assert "签到时间为预约开始前 5 分钟至预约结束" in await error.inner_text()
    assert "409" not in await error.inner_text() and page.url.endswith(url)
    await shot(page, "manage-check-in-refused-zh-desktop")

    await page.locator(f"#booking-{begun} .check-in-button").click()
    await page.wait_for_url(re.compile(r"ok=checked-in"))
    await page.locator(f"#check-out-{begun} summary").click()
    assert await page.locator(f"#amount-{begun}").input_value() == "120.00"
    await page.fill(f"#samples-{begun}", "３")
    await page.select_option(f"#way-{begun}", "technical")
    await page.fill(f"#note-{begun}", "送样检测")
    await shot(page, "manage-check-out-zh-desktop")
    await page.locator(f"#check-out-{begun} .check-out-button").click()
    await page.wait_for_url(re.compile(r"ok=checked-out"))
    session = await db.fetchrow("SELECT * FROM usage_session WHERE booking_id = $1", begun)
    assert session is not None
    assert (session["samples"], session["amount"], session["service_way"], session["note"]) == (
        3, Decimal("120.00"), "technical", "送样检测"
    )  # fmt: skip
    await page.context.close()


async def test_the_approval_queue_names_the_requester_and_answers_a_series_in_one_row(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    await db.execute(
        "UPDATE app_user SET phone = '0433-273 2000' WHERE id = $1", world.researcher_yanbian_id
    )
    series = await db.fetchval(
        "INSERT INTO booking_series (instrument_id, user_id, rrule, mode) "
        "VALUES ($1, $2, 'FREQ=WEEKLY;COUNT=3', 'all_or_nothing') RETURNING id",
        instrument,
        world.researcher_yanbian_id,
    )
    purpose = "延边大学课题组的代谢组学样品，需要液质联用分析并出具检测报告"
    for week in range(3):
        booking = await past_booking(
            db, instrument, world.researcher_yanbian_id, tomorrow_at(9, days=5 + 7 * week),
            status="pending",
        )  # fmt: skip
        await db.execute(
            "UPDATE booking SET series_id = $2, purpose = $3, is_external = true, "
            "is_cross_region = true WHERE id = $1",
            booking,
            series,
            purpose,
        )
    page = await new_page(chromium, server)
    await log_in(page, world.manager)
    await page.goto("/manage")
    row = page.locator(f"#approval-series-{series}")
    text = await row.inner_text()
    assert "周期预约，共 3 次" in text and "0433-273 2000" in text and "延边大学" in text
    assert await row.locator(".occurrences li").count() == 3
    await shot(page, "manage-series-zh-desktop")
    await page.set_viewport_size(PHONE)
    purpose_cell = row.locator("td.purpose")
    box = await purpose_cell.bounding_box()
    assert box and box["width"] > 250, f"the purpose column is squeezed ({box})"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the queue scrolls sideways at phone width ({width}px)"
    await shot(page, "manage-zh-phone")
    await row.locator(".approve-button").click()
    await page.locator(f"#approval-series-{series} .badge.confirmed").wait_for()
    statuses = await db.fetch("SELECT status FROM booking WHERE series_id = $1", series)
    assert [r["status"] for r in statuses] == ["confirmed"] * 3
    await page.context.close()


async def test_a_maintenance_preview_names_the_displaced_users_has_a_way_back_and_they_see_alternatives(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world, min_notice_minutes=0)
    await db.execute("UPDATE app_user SET phone = '138 0431 0000' WHERE id = $1", world.researcher_jlu_id)  # fmt: skip
    booking = await confirmed(db, instrument, world.researcher_jlu_id, tomorrow_at(10, days=4))
    name = await db.fetchval("SELECT display_name FROM app_user WHERE id = $1", world.researcher_jlu_id)  # fmt: skip
    manager = await new_page(chromium, server)
    await log_in(manager, world.manager)
    url = f"/manage/instruments/{instrument}"

    async def preview() -> None:
        await manager.goto(url)
        await manager.fill("#block-start", local_input(tomorrow_at(9, days=4)))
        await manager.fill("#block-end", local_input(tomorrow_at(12, days=4)))
        await manager.fill("#block-reason", "更换离子源")
        await manager.click("#block-form button[value=preview]")
        await manager.locator("#displaced").wait_for()

    await preview()
    displaced = await manager.locator("#displaced .displaced-booking").inner_text()
    assert name in displaced and "138 0431 0000" in displaced
    await shot(manager, "manage-maintenance-preview-zh-desktop")
    await manager.click("#block-back")
    await manager.wait_for_url(re.compile(re.escape(url) + "$"))
    blocks = "SELECT count(*) FROM booking WHERE instrument_id = $1 AND kind = 'maintenance'"
    assert await db.fetchval(blocks, instrument) == 0, "going back places nothing"
    await preview()
    await manager.click("#displaced button[value=cancel]")
    await manager.wait_for_url(re.compile(r"ok=blocked"))
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "cancelled"
    await manager.context.close()

    researcher = await new_page(chromium, server, viewport=PHONE)
    await log_in(researcher, world.researcher_jlu)
    await researcher.goto("/bookings")
    banner = researcher.locator(f"#displaced-{booking}")
    text = await banner.inner_text()
    assert "您的预约因仪器维护已取消" in text and "更换离子源" in text
    await shot(researcher, "bookings-displaced-zh-phone")
    width = await researcher.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    await banner.locator(".alt-slots a").first.click()
    await researcher.wait_for_url(re.compile(rf"/instruments/{instrument}/book\?start="))
    assert await researcher.locator("#start").input_value()
    await researcher.context.close()


async def test_a_free_time_is_booked_with_the_keyboard_alone(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world, min_notice_minutes=0)
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_ciac)
    await page.goto(f"/instruments/{instrument}")
    await page.locator("#free-times li a").first.wait_for()
    for _ in range(80):
        await page.keyboard.press("Tab")
        inside = await page.evaluate(
            "!!document.activeElement.closest && !!document.activeElement.closest('#free-times')"
        )
        if inside:
            break
    assert inside, "no free time can be reached with Tab"
    await shot(page, "instrument-free-times-zh-desktop")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/book\?start="))
    assert await page.locator("#start").input_value()
    await page.focus("#purpose")
    await page.keyboard.type("键盘预约")
    await page.focus("#submit-booking")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/bookings\?ok="))
    await page.context.close()


async def test_the_chinese_pages_speak_plain_chinese_and_show_beijing_time_beside_another_zone(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world, max_minutes=60, min_notice_minutes=0)
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_jlu)
    await page.goto(f"/instruments/{instrument}/book")
    await page.fill("#start", local_input(tomorrow_at(9, days=6)))
    await page.fill("#end", local_input(tomorrow_at(12, days=6)))
    await page.click("#submit-booking")
    refusal = page.locator("#refusal")
    await refusal.wait_for()
    heading = await refusal.locator("h2").first.inner_text()
    assert not re.search(r"\d{3}", heading) and heading == "请检查填写的内容"
    rules = await refusal.locator(".violations").inner_text()
    assert "max_duration" not in rules and not re.search(r"[a-z_]+:", rules)
    await shot(page, "refusal-zh-desktop")

    response = await page.goto("/no-such-page")
    assert response is not None and response.status == 404
    assert await page.locator("h1").inner_text() == "找不到该页面或内容"
    assert "Not Found" not in await page.content()
    await shot(page, "not-found-zh-desktop")

    region = await make_region(db, 43.1, 131.9, "Asia/Vladivostok")
    far = await make_institution(db, region=region, name="远东测试研究所")
    far_instrument = await make_instrument(db, far, name_zh="远东核磁")
    booking = await past_booking(
        db, far_instrument, world.researcher_jlu_id, tomorrow_at(9, days=-3)
    )
    await page.goto(f"/bookings/{booking}")
    shown = await page.locator("#booking-time").inner_text()
    assert re.search(
        r"\d\d:\d\d–\d\d:\d\d 俄罗斯（海参崴）时间（北京时间 \d\d:\d\d–\d\d:\d\d）", shown
    ), shown
    assert "Asia/" not in await page.content()
    await shot(page, "booking-cross-zone-zh-desktop")
    await page.context.close()


async def test_hours_typed_with_a_chinese_input_method_are_saved_and_around_the_clock_is_chosen(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    page = await new_page(chromium, server, viewport=PHONE)
    await log_in(page, world.manager)
    url = f"/manage/instruments/{instrument}/hours"
    await page.goto(url)
    for day in range(1, 8):
        await page.fill(f"#day{day}", "")
    await page.fill("#day1", "０９：００－１２：００，13:30至17:30")
    await page.check("#mode-hours")
    await page.click("#save-hours")
    await page.wait_for_url(re.compile(r"ok=hours-saved"))
    assert await page.locator("#day1").input_value() == "09:00-12:00, 13:30-17:30"
    await page.fill("#day1", "")
    await page.click("#save-hours")
    problem = page.locator(".problem")
    await problem.wait_for()
    assert "请至少填写一天的开放时间" in await problem.inner_text()
    await shot(page, "manage-hours-zh-phone")
    await page.check("#mode-always")
    await page.click("#save-hours")
    await page.wait_for_url(re.compile(r"ok=hours-saved"))
    assert await page.locator("#mode-always").is_checked()
    count = "SELECT count(*) FROM opening_hours WHERE instrument_id = $1"
    assert await db.fetchval(count, instrument) == 0
    # Typing a day's hours means the weekly hours again.
    await page.fill("#day2", "8:00-9:00")
    assert await page.locator("#mode-hours").is_checked()
    await page.context.close()


async def test_an_ics_import_becomes_internal_use_when_the_manager_says_so(
    chromium: Any, server: LiveServer, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    start = tomorrow_at(14, days=9)
    stamp = "%Y%m%dT%H%M%SZ"
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:group-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:课题组内部测试\r\n"
        f"DTSTART:{start.strftime(stamp)}\r\n"
        f"DTEND:{(start + timedelta(hours=2)).strftime(stamp)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    page = await new_page(chromium, server, viewport=DESKTOP)
    await log_in(page, world.manager)
    await page.goto(f"/manage/instruments/{instrument}/import")
    await page.set_input_files(
        "#ics-file", {"name": "group.ics", "mimeType": "text/calendar", "buffer": ics.encode()}
    )
    await page.check("#kind-internal")
    await page.click("#preview-import")
    report = page.locator("#import-report")
    await report.wait_for()
    assert "内部使用" in await report.locator("h2").inner_text()
    await shot(page, "manage-import-internal-zh-desktop")
    await page.click("#confirm-import-button")
    await page.locator("#import-report[data-dry-run=false]").wait_for()
    row = await db.fetchrow(
        "SELECT kind, user_id, status, purpose FROM booking WHERE instrument_id = $1", instrument
    )
    assert row is not None
    assert (row["kind"], row["user_id"], row["status"], row["purpose"]) == (
        "booking", world.manager_id, "confirmed", "课题组内部测试"
    )  # fmt: skip
    await page.context.close()
