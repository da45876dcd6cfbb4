"""What a researcher stumbled on, walked again in Chromium (Chinese first, desktop and phone):
the history of My bookings newest first, series outcomes said plainly, the price before
booking, a free-time search that starts from where the user is and carries its window to the
instrument page, a flash said once, and a non-shared instrument that says it cannot be booked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from playwright.async_api import Browser, Page

from service.common.time import utcnow
from service.db import Database
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_pages_browser import PHONE, log_in, new_page
from tests.factories import PASSWORD, make_instrument, unique
from tests.live_server import LiveServer
from tests.web_support import SHANGHAI, World, local_input, open_all_week, past_booking, tomorrow_at
from tests.web_support import _own_subclass as own_subclass

pytestmark = pytest.mark.browser


@dataclass
class Scene:
    tag: str
    category: str
    yanbian_instrument: int
    changchun_instrument: int
    not_shared: int
    history: list[int]


async def _set_fees(db: Database, instrument: int) -> None:
    await db.execute(
        """INSERT INTO booking_policy (instrument_id, fee_internal, fee_external_academic,
               fee_enterprise) VALUES ($1, 50, 120, 300)
           ON CONFLICT (instrument_id) DO UPDATE SET fee_internal = 50,
               fee_external_academic = 120, fee_enterprise = 300""",
        instrument,
    )


@pytest.fixture(scope="module")
async def scene(db: Database, world: World) -> Scene:
    tag = unique("s")
    category = await own_subclass(db)
    yb = await make_instrument(
        db, world.yanbian, category=category, name_zh=f"流式细胞仪{tag}", name_en=f"FCM {tag}"
    )
    cc = await make_instrument(
        db, world.jlu, category=category, name_zh=f"流式细胞仪{tag}长春", name_en=f"FCM CC {tag}"
    )
    closed = await make_instrument(
        db, world.jlu, share_mode="none", name_zh=f"不共享仪器{tag}", name_en=f"Own {tag}"
    )
    for item in (yb, cc, closed):
        await open_all_week(db, item)
    await _set_fees(db, world.twin)
    # 45 past bookings of the Yanbian researcher, one a day back from yesterday; every tenth a
    # no-show, every seventh cancelled, the rest completed and not rated yet.
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    history = []
    for n in range(45):
        status = "no_show" if n % 10 == 9 else "cancelled" if n % 7 == 6 else "completed"
        start = now - timedelta(days=n + 1, hours=3)
        history.append(
            await past_booking(db, world.instrument, world.researcher_yanbian_id, start, 1, status)
        )
    return Scene(tag, category, yb, cc, closed, history)


async def test_my_bookings_show_the_newest_history_first_with_paging_filters_and_ratings(
    chromium: Browser, server: LiveServer, world: World, scene: Scene, db: Database
) -> None:
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_yanbian)
    await page.goto("/bookings")
    completed = sum(
        1 for n in range(45) if n % 10 != 9 and n % 7 != 6
    )  # the unrated completed ones
    assert await page.locator("#to-rate-count").inner_text() == str(completed)
    assert await page.locator("#to-rate tbody tr").count() == 5
    assert "45" in await page.locator("#past-count").inner_text()
    first = page.locator("#past tbody tr").first
    assert await first.get_attribute("id") == f"booking-{scene.history[0]}"  # yesterday's
    assert await page.locator("#past tbody tr").count() == 20
    await page.screenshot(path=str(SCREENSHOTS / "my-bookings-zh-desktop.png"), full_page=True)
    await page.locator("nav.pager a").last.click()
    await page.wait_for_url(re.compile(r"page=2"))
    assert await page.locator("#past tbody tr").first.get_attribute("id") == (
        f"booking-{scene.history[20]}"
    )
    await page.select_option("#show", "to_rate")
    await page.click("#history-filter-button")
    await page.wait_for_url(re.compile(r"show=to_rate"))
    statuses = await page.locator("#past tbody tr .badge").all_inner_texts()
    assert statuses and set(statuses) == {"已完成"}
    assert await page.locator("#past tbody tr .rate-link").count() == len(statuses)
    await page.select_option("#show", "no_show")
    await page.click("#history-filter-button")
    await page.wait_for_url(re.compile(r"show=no_show"))
    assert await page.locator("#past tbody tr").count() == 4
    await page.context.close()
    phone = await new_page(chromium, server, viewport=PHONE)
    await log_in(phone, world.researcher_yanbian)
    await phone.goto("/bookings")
    await phone.screenshot(path=str(SCREENSHOTS / "my-bookings-zh-phone.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    await phone.context.close()


def _date(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%m-%d")


async def _book_series(page: Page, start: datetime, count: int, mode: str) -> None:
    await page.fill("#start", local_input(start))
    await page.fill("#end", local_input(start + timedelta(hours=2)))
    await page.select_option("#repeat", "WEEKLY")
    await page.fill("#count", str(count))
    await page.select_option("#repeat_mode", mode)
    await page.click("#submit-booking")
    await page.wait_for_load_state()


async def test_series_outcomes_say_what_was_booked_requested_or_skipped_and_why(
    chromium: Browser, server: LiveServer, world: World, db: Database
) -> None:
    first = tomorrow_at(8, days=20)
    second = first + timedelta(weeks=1)
    manager = await db.fetchval("SELECT id FROM app_user WHERE email = $1", world.manager)
    await db.execute(
        """INSERT INTO booking (kind, instrument_id, user_id, starts_at, ends_at, occupied_until,
               status, booker_institution_id, booker_region_code)
           VALUES ('maintenance', $1, $2, $3, $4, $4, 'confirmed', $5, '220100')""",
        world.twin, manager, second, second + timedelta(hours=4), world.jlu,
    )  # fmt: skip
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_jlu)
    await page.goto(f"/instruments/{world.twin}/book")
    await _book_series(page, first, 3, "skip_conflicts")
    outcome = await page.locator("#series-outcome").inner_text()
    assert outcome.startswith(f"已预约 2/3：{_date(second)} 与维护冲突，已跳过。"), outcome
    assert "预约成功" not in outcome
    await page.screenshot(path=str(SCREENSHOTS / "series-outcome-zh-desktop.png"), full_page=True)
    await page.context.close()

    page = await new_page(chromium, server)
    await log_in(page, world.researcher_ciac)
    await page.goto(f"/instruments/{world.twin}/book")
    await _book_series(page, tomorrow_at(14, days=22), 3, "skip_conflicts")
    outcome = await page.locator("#series-outcome").inner_text()
    assert outcome.startswith("已提交 3 个申请，等待审批。"), outcome
    # All or nothing, past the 90-day horizon: the rule once, with the dates that break it.
    start = tomorrow_at(17, days=60)
    await page.goto(f"/instruments/{world.twin}/book")
    await _book_series(page, start, 8, "all_or_nothing")
    assert await page.locator("#refusal").get_attribute("data-status") == "422"
    items = await page.locator("ul.violations li").all_inner_texts()
    horizon = await page.locator("ul.violations li[data-rule='horizon']").all_inner_texts()
    assert len(horizon) == 1, items
    beyond = [
        start + timedelta(weeks=n)
        for n in range(8)
        if start + timedelta(weeks=n) > utcnow() + timedelta(days=90)
    ]
    assert beyond and all(_date(d) in horizon[0] for d in beyond), horizon
    await page.screenshot(path=str(SCREENSHOTS / "series-refusal-zh-desktop.png"), full_page=True)
    await page.context.close()


async def test_the_booking_form_shows_the_cost_live_and_the_confirmation_repeats_it(
    chromium: Browser, server: LiveServer, world: World, db: Database
) -> None:
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_ciac)
    await page.goto(f"/instruments/{world.twin}/book")
    estimate = page.locator("#cost-estimate")
    assert "120.00 元/小时" in await estimate.inner_text()
    start = tomorrow_at(9, days=30)
    await page.fill("#start", local_input(start))
    await page.fill("#end", local_input(start + timedelta(hours=2)))
    text = await estimate.inner_text()
    assert "预计费用：240.00 元" in text and "外单位学术用户" in text and "× 2 小时" in text, text
    await page.fill("#end", local_input(start + timedelta(hours=3)))
    assert "预计费用：360.00 元" in await estimate.inner_text()
    await page.select_option("#repeat", "WEEKLY")
    await page.fill("#count", "4")
    assert "= 1,440.00 元" in await estimate.inner_text()
    await page.select_option("#repeat", "")
    await page.screenshot(path=str(SCREENSHOTS / "book-cost-zh-desktop.png"), full_page=True)
    await page.click("#submit-booking")
    await page.wait_for_url(re.compile(r"/bookings\?ok=requested&booking=\d+"))
    confirmation = await page.locator("#booking-confirmation").inner_text()
    assert "预计费用：360.00 元（外单位学术用户，120.00 元/小时）" in confirmation, confirmation
    booking = int(page.url.rsplit("=", 1)[1])
    stored = await db.fetchval("SELECT estimated_cost FROM booking WHERE id = $1", booking)
    assert stored == Decimal("360.00")
    await page.context.close()


async def test_free_time_search_starts_from_the_users_region_and_carries_the_window(
    chromium: Browser, server: LiveServer, world: World, scene: Scene
) -> None:
    page = await new_page(chromium, server)
    await log_in(page, world.researcher_yanbian)
    await page.goto("/instruments")
    assert await page.locator("#near").input_value() == "222400"
    start = tomorrow_at(10, days=9)
    await page.select_option("#category", scene.category)
    await page.fill("#free_from", local_input(start))
    await page.fill("#free_to", local_input(start + timedelta(hours=2)))
    await page.click("#search-button")
    await page.wait_for_selector("#result-count")
    rows = page.locator("table.instruments tbody tr")
    assert await rows.count() == 2
    assert "延边" in await rows.nth(0).inner_text()
    nearest = await rows.nth(0).locator("a.instrument-link").get_attribute("href")
    assert (
        nearest is not None and nearest.split("?")[0] == f"/instruments/{scene.yanbian_instrument}"
    )
    assert await rows.nth(0).locator(".distance").inner_text() == "0 km"
    far = await rows.nth(1).locator(".distance").inner_text()
    assert "长春" in await rows.nth(1).inner_text() and int(far.split()[0]) > 200, far
    await page.screenshot(path=str(SCREENSHOTS / "free-search-zh-desktop.png"), full_page=True)
    # The region box filters here as in the catalogue search.
    await page.select_option("#region", "220100")
    await rows.filter(has_text="延边").wait_for(state="detached")
    assert await rows.count() == 1
    assert "长春" in await rows.nth(0).inner_text()
    await rows.nth(0).locator("a.instrument-link").click()
    await page.wait_for_url(re.compile(rf"/instruments/{scene.changchun_instrument}\?start="))
    assert "您搜索的时段" in await page.locator("#searched-window").inner_text()
    day = start.astimezone(SHANGHAI).date().isoformat()
    await page.wait_for_selector(f"#calendar .fc-timegrid-col[data-date='{day}']")
    await page.click("#book-button")
    await page.wait_for_selector("#booking-form")
    assert await page.input_value("#start") == local_input(start)
    assert await page.input_value("#end") == local_input(start + timedelta(hours=2))
    url = page.url
    await page.context.close()
    phone = await new_page(chromium, server, viewport=PHONE)
    await log_in(phone, world.researcher_yanbian)
    await phone.goto(url)
    assert "预计费用" in await phone.locator("#cost-estimate").inner_text()
    await phone.screenshot(path=str(SCREENSHOTS / "book-window-zh-phone.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    await phone.context.close()


async def test_the_login_flash_is_shown_once_not_after_a_search(
    chromium: Browser, server: LiveServer, world: World
) -> None:
    page = await new_page(chromium, server)
    await page.goto("/login?next=/instruments")
    await page.fill("#email", world.researcher_jlu)
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/instruments\?ok=logged-in"))
    assert await page.locator(".flash").count() == 1
    await page.fill("#q", world.instrument_name)
    await page.click("#search-button")
    await page.wait_for_selector(f"a.instrument-link:has-text('{world.instrument_name}')")
    await page.locator(".flash").wait_for(state="detached", timeout=3000)
    assert "ok=" not in page.url
    await page.context.close()


async def test_a_non_shared_instrument_says_so_and_refuses_the_booking_form(
    chromium: Browser, server: LiveServer, world: World, scene: Scene
) -> None:
    page = await new_page(chromium, server, viewport=PHONE)
    await log_in(page, world.researcher_yanbian)
    await page.goto(f"/instruments/{scene.not_shared}")
    text = await page.locator("main").inner_text()
    assert "在日历中选择空闲时段即可预约" not in text and "选择空闲时段" not in text
    assert "该仪器不共享，只有仪器负责人可以预约。" in text
    assert await page.locator("#book-button").count() == 0
    response = await page.goto(f"/instruments/{scene.not_shared}/book")
    assert response is not None and response.status == 403
    assert await page.locator("#not-bookable h2").inner_text() == "该仪器不可预约"
    assert await page.locator("#booking-form").count() == 0
    await page.screenshot(path=str(SCREENSHOTS / "book-refused-zh-phone.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    await page.context.close()
