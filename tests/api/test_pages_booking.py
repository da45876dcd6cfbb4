"""The page of one booking (`/bookings/{id}`), where feed and mail links lead: who may see it,
what it shows in both languages, its actions, its `.ics` download, and the mail link to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.calendars.render import EventRow
from service.common.time import utcnow
from service.db import Database
from service.notifications.render import Mail, build_message
from service.notifications.snapshot import BookingSnapshot
from tests.web_support import World, build_world, local_input, past_booking, signed_in, tomorrow_at


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


async def _request(c: httpx.AsyncClient, token: str, world: World, days: int) -> int:
    """A request made through the booking form by a user of another institution (so pending)."""
    start = tomorrow_at(10, days)
    form = {"start": local_input(start), "end": local_input(start + timedelta(hours=2)),
            "purpose": "代谢组学样品", "service_way": "technical", "csrf_token": token}  # fmt: skip
    made = await c.post(f"/instruments/{world.instrument}/book", data=form)
    assert made.status_code == 303 and "ok=requested" in made.headers["location"], made.text
    mine = await c.get("/bookings")
    ids = re.findall(r'class="booking-link" href="/bookings/(\d+)"', mine.text)
    assert ids, "My bookings links each row to its page"
    return max(int(i) for i in ids)


def _history(html: str) -> str:
    return html.split('id="history"', 1)[1]


async def test_the_booker_sees_the_request_in_chinese_and_english(app: Any, world: World) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        booking = await _request(c, token, world, 3)
        page = await c.get(f"/bookings/{booking}")
        assert page.status_code == 200
        assert world.instrument_name in page.text
        assert f'href="/instruments/{world.instrument}"' in page.text
        for text in (
            "待审批",
            "请在",
            "2 小时 00 分钟",
            "代谢组学样品",
            "外单位学术用户",
            "外单位",
        ):
            assert text in page.text, text
        assert "您" in _history(page.text) and "已预约" in _history(page.text)
        assert f'href="/bookings/{booking}/reschedule"' in page.text
        assert f'action="/bookings/{booking}/actions/cancel"' in page.text
        assert 'id="decision"' not in page.text, "a booker does not decide their own request"
        assert "Asia/Shanghai" not in page.text.split('id="booking-time"')[1][:80]
        c.cookies.set("is_lang", "en")
        english = await c.get(f"/bookings/{booking}")
        for text in ("Awaiting approval", "Answer by", "2 h 00 min", "Other academic users",
                     "Estimated cost", "Add to my calendar (.ics)"):  # fmt: skip
            assert text in english.text, text
        assert ">You<" in _history(english.text) and ">Booked" in _history(english.text)


async def test_the_manager_sees_names_and_approves_from_the_page(app: Any, world: World) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        booking = await _request(c, token, world, 4)
    booker_name = world.researcher_ciac.split("@")[0]
    manager_name = world.manager.split("@")[0]
    async with signed_in(app, world.manager) as (c, token):
        queue = await c.get("/manage")
        assert f'href="/bookings/{booking}"' in queue.text
        listing = await c.get(f"/manage/instruments/{world.instrument}")
        assert f'href="/bookings/{booking}"' in listing.text
        page = await c.get(f"/bookings/{booking}")
        assert page.status_code == 200 and 'id="decision"' in page.text
        assert booker_name in page.text.split('id="booker"')[1][:200]
        assert booker_name in _history(page.text), "managers see who did what"
        empty = await c.post(
            f"/bookings/{booking}/actions/reject", data={"csrf_token": token, "reason": ""}
        )
        assert empty.status_code == 422, "a rejection needs a reason"
        approved = await c.post(f"/bookings/{booking}/actions/approve", data={"csrf_token": token})
        assert approved.status_code == 303
        assert approved.headers["location"] == f"/bookings/{booking}?ok=approved"
        after = await c.get(approved.headers["location"])
        assert "已确认" in after.text and 'id="decision"' not in after.text
        assert manager_name in _history(after.text) and "已批准" in _history(after.text)
        twice = await c.post(f"/bookings/{booking}/actions/approve", data={"csrf_token": token})
        assert twice.status_code == 409
    async with signed_in(app, world.researcher_ciac) as (c, _token):
        seen = _history((await c.get(f"/bookings/{booking}")).text)
        assert "仪器负责人" in seen and manager_name not in seen, "bookers see no names"


async def test_strangers_get_404_and_visitors_the_login_page(
    app: Any, db: Database, world: World
) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        booking = await _request(c, token, world, 5)
        approve = await c.post(f"/bookings/{booking}/actions/approve", data={"csrf_token": token})
        assert approve.status_code == 403, "a booker may not approve"
        unknown = await c.post(f"/bookings/{booking}/actions/delete", data={"csrf_token": token})
        assert unknown.status_code == 404
    async with signed_in(app, world.researcher_yanbian) as (c, token):
        other = await c.get(f"/bookings/{booking}")
        assert other.status_code == 404 and "text/html" in other.headers["content-type"]
        assert world.instrument_name not in other.text
        cancel = await c.post(f"/bookings/{booking}/actions/cancel", data={"csrf_token": token})
        assert cancel.status_code == 404
        assert (await c.get("/bookings/999999999999")).status_code == 404
        assert (await c.get(f"/api/v1/bookings/{booking}/ics")).status_code == 404
    async with signed_in(app, world.ciac_admin) as (c, _token):
        assert (await c.get(f"/bookings/{booking}")).status_code == 404, (
            "the admin of the booker's institution does not manage the instrument"
        )
    async with signed_in(app, world.inst_admin) as (c, _token):
        assert (await c.get(f"/bookings/{booking}")).status_code == 200
    async with signed_in(app, world.platform_admin) as (c, _token):
        assert (await c.get(f"/bookings/{booking}")).status_code == 200
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anonymous:
        visit = await anonymous.get(f"/bookings/{booking}")
        assert visit.status_code == 303
        assert visit.headers["location"] == f"/login?next=/bookings/{booking}"
    status = await db.fetchval("SELECT status FROM booking WHERE id = $1", booking)
    assert status == "pending", "nothing above changed the booking"


async def test_the_calendar_file_downloads_with_the_page_session(app: Any, world: World) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        booking = await _request(c, token, world, 6)
        page = await c.get(f"/bookings/{booking}")
        link = re.search(r'id="ics-link" href="([^"]+)"', page.text)
        assert link, "the page offers the .ics"
        ics = await c.get(link.group(1))
        assert ics.status_code == 200, ics.text
        assert ics.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in ics.content
        assert f"/bookings/{booking}".encode() in ics.content.replace(b"\r\n ", b"")


async def test_cancelling_from_the_page_shows_in_the_history(
    app: Any, db: Database, world: World
) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        booking = await _request(c, token, world, 7)
        page = await c.get(f"/bookings/{booking}")
        form = re.search(r'action="(/bookings/\d+/actions/cancel)"', page.text)
        assert form
        done = await c.post(form.group(1), data={"csrf_token": token, "reason": "样品未到"})
        assert done.status_code == 303
        assert done.headers["location"] == f"/bookings/{booking}?ok=cancelled"
        after = await c.get(done.headers["location"])
        assert "预约已取消" in after.text
        history = _history(after.text)
        assert "样品未到" in history and "已取消" in history
        assert 'actions/cancel"' not in after.text and "/reschedule" not in after.text
        again = await c.post(form.group(1), data={"csrf_token": token})
        assert again.status_code == 409
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "cancelled"


async def test_maintenance_is_shown_to_managers_only(app: Any, db: Database, world: World) -> None:
    start = tomorrow_at(7, 9)
    async with signed_in(app, world.manager) as (c, token):
        placed = await c.post(
            f"/manage/instruments/{world.instrument}/blocks",
            data={"csrf_token": token, "start": local_input(start), "reason": "更换离子源",
                  "end": local_input(start + timedelta(hours=1)), "confirm": "preview"},
        )  # fmt: skip
        assert placed.status_code == 303, placed.text
        block = await db.fetchval(
            "SELECT max(id) FROM booking WHERE instrument_id = $1 AND kind = 'maintenance'",
            world.instrument,
        )
        listing = await c.get(f"/manage/instruments/{world.instrument}")
        assert f'href="/bookings/{block}"' in listing.text
        page = await c.get(f"/bookings/{block}")
        assert page.status_code == 200 and "更换离子源" in page.text and "维护" in page.text
        assert 'actions/cancel"' not in page.text
    async with signed_in(app, world.researcher_jlu) as (c, _token):
        assert (await c.get(f"/bookings/{block}")).status_code == 404


async def test_a_completed_booking_offers_the_rating(app: Any, db: Database, world: World) -> None:
    start = (utcnow() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booking = await past_booking(db, world.twin, world.researcher_jlu_id, start)
    async with signed_in(app, world.researcher_jlu) as (c, _token):
        page = await c.get(f"/bookings/{booking}")
        assert f'href="/bookings/{booking}/rate"' in page.text
        assert "/reschedule" not in page.text and 'actions/cancel"' not in page.text
        assert "本单位" in page.text


def test_mails_link_to_the_booking_page() -> None:
    start = datetime(2033, 4, 5, 1, 0, tzinfo=UTC)
    row = EventRow(42, "booking", "confirmed", 1, start, start + timedelta(hours=1), start, start,
                   7, "质谱仪", "MS", "", "", "吉大", "JLU", "A", "", "occupy")  # fmt: skip
    facts = BookingSnapshot(row, "Asia/Shanghai", "a@example.org", "", "")
    mail = Mail(1, "booking_confirmed", {}, "a@example.org", "A", "en", facts)
    message = build_message(mail, sender="s@example.org", base_url="https://is.example.org",
                            now=start - timedelta(days=1))  # fmt: skip
    text = message.get_payload(0).get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "https://is.example.org/bookings/42" in text
