"""Managers' editors through the pages: opening hours and closures, rules and fees, usage
entry (with and without a booking), iCal import with a dry run first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from tests.factories import make_instrument
from tests.web_support import (
    SHANGHAI,
    World,
    build_world,
    local_input,
    past_booking,
    signed_in,
    tomorrow_at,
)


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


async def managed_instrument(db: Database, world: World) -> int:
    """A fresh instrument of the world's university, run by the world's manager."""
    instrument = await make_instrument(db, world.jlu)
    await db.execute(
        "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
        world.manager_id,
        instrument,
    )
    return instrument


async def weekly_hours(db: Database, instrument: int) -> list[tuple[int, str, str]]:
    rows = await db.fetch(
        "SELECT weekday, opens::text, closes::text FROM opening_hours WHERE instrument_id = $1 "
        "ORDER BY weekday, opens",
        instrument,
    )
    return [(r["weekday"], r["opens"], r["closes"]) for r in rows]


async def test_opening_hours_are_written_as_text_per_weekday(
    app: Any, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    async with signed_in(app, world.manager) as (c, token):
        page = await c.get(f"/manage/instruments/{instrument}/hours")
        assert page.status_code == 200 and 'id="hours-form"' in page.text
        form = {"csrf_token": token, "day1": "08:30-12:00, 13:30-17:30", "day3": "9:00 - 18:00"}
        saved = await c.post(f"/manage/instruments/{instrument}/hours", data=form)
        assert saved.status_code == 303, saved.text
        assert await weekly_hours(db, instrument) == [
            (1, "08:30:00", "12:00:00"), (1, "13:30:00", "17:30:00"), (3, "09:00:00", "18:00:00"),
        ]  # fmt: skip
        again = await c.get(f"/manage/instruments/{instrument}/hours")
        assert 'value="08:30-12:00, 13:30-17:30"' in again.text
        garbled = await c.post(
            f"/manage/instruments/{instrument}/hours", data={"csrf_token": token, "day2": "nine"}
        )
        assert garbled.status_code == 422 and "nine" in garbled.text
        backwards = await c.post(
            f"/manage/instruments/{instrument}/hours",
            data={"csrf_token": token, "day2": "18:00-09:00"},
        )
        assert backwards.status_code == 422 and 'class="violations"' in backwards.text
        assert (
            await db.fetchval(
                "SELECT count(*) FROM opening_hours WHERE instrument_id = $1", instrument
            )
            == 3
        ), "a refused edit changes nothing"


async def test_hours_typed_with_a_chinese_input_method_are_accepted(
    app: Any, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    async with signed_in(app, world.manager) as (c, token):
        form = {"csrf_token": token, "mode": "hours", "day1": "09：00－12：00",
                "day2": "０８：３０～１１：００，13:00至17:00", "day3": "9:00到10:00"}  # fmt: skip
        saved = await c.post(f"/manage/instruments/{instrument}/hours", data=form)
        assert saved.status_code == 303, saved.text
        assert await weekly_hours(db, instrument) == [
            (1, "09:00:00", "12:00:00"), (2, "08:30:00", "11:00:00"), (2, "13:00:00", "17:00:00"),
            (3, "09:00:00", "10:00:00"),
        ]  # fmt: skip


async def test_open_around_the_clock_is_an_explicit_choice_not_seven_empty_fields(
    app: Any, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    url = f"/manage/instruments/{instrument}/hours"
    count = "SELECT count(*) FROM opening_hours WHERE instrument_id = $1"
    async with signed_in(app, world.manager) as (c, token):
        await c.post(url, data={"csrf_token": token, "mode": "hours", "day1": "09:00-12:00"})
        emptied = await c.post(url, data={"csrf_token": token, "mode": "hours"})
        assert emptied.status_code == 422 and "请至少填写一天的开放时间" in emptied.text
        assert await db.fetchval(count, instrument) == 1, "the hours are kept"
        both = await c.post(
            url, data={"csrf_token": token, "mode": "always", "day1": "09:00-12:00"}
        )
        assert both.status_code == 422 and "请选择按每周开放时间或全天开放" in both.text
        assert await db.fetchval(count, instrument) == 1, "an unclear choice changes nothing"
        always = await c.post(url, data={"csrf_token": token, "mode": "always"})
        assert always.status_code == 303
        assert await db.fetchval(count, instrument) == 0
        page = await c.get(url)
        assert 'value="always" id="mode-always" checked' in page.text


async def test_closures_are_added_refused_twice_and_removed(
    app: Any, db: Database, world: World
) -> None:
    day = (utcnow().astimezone(SHANGHAI) + timedelta(days=20)).date().isoformat()
    async with signed_in(app, world.manager) as (c, token):
        url = f"/manage/instruments/{world.twin}/closures"
        added = await c.post(url, data={"csrf_token": token, "day": day, "reason": "停电检修"})
        assert added.status_code == 303
        twice = await c.post(url, data={"csrf_token": token, "day": day})
        assert twice.status_code == 409
        half = await c.post(url, data={"csrf_token": token, "day": "2031-01-02", "opens": "09:00"})
        assert half.status_code == 422
        page = await c.get(f"/manage/instruments/{world.twin}/hours")
        assert "停电检修" in page.text
        closure = await db.fetchval(
            "SELECT id FROM calendar_exception WHERE instrument_id = $1 AND day = $2::text::date",
            world.twin,
            day,
        )
        gone = await c.post(f"{url}/{closure}/delete", data={"csrf_token": token})
        assert gone.status_code == 303
        assert (
            await db.fetchval("SELECT count(*) FROM calendar_exception WHERE id = $1", closure) == 0
        )


async def test_rules_and_fees_are_saved_and_bad_rules_are_explained(
    app: Any, db: Database, world: World
) -> None:
    url = f"/manage/instruments/{world.twin}/policy"
    form = {"min_minutes": "60", "max_minutes": "240", "granularity_minutes": "30",
            "min_notice_minutes": "120", "horizon_days": "60", "buffer_minutes": "15",
            "approval": "all", "approval_deadline_hours": "24", "late_cancel_hours": "12",
            "max_hours_per_day": "", "max_hours_per_week": "20", "max_future_bookings": "",
            "fee_internal": "100", "fee_external_academic": "200.50", "fee_enterprise": "400",
            "service_ways": ["occupy", "entrusted"]}  # fmt: skip
    async with signed_in(app, world.manager) as (c, token):
        assert (await c.get(url)).status_code == 200
        saved = await c.post(url, data={**form, "csrf_token": token})
        assert saved.status_code == 303, saved.text
        row = await db.fetchrow("SELECT * FROM booking_policy WHERE instrument_id = $1", world.twin)
        assert row is not None
        assert (row["approval"], row["buffer_minutes"], str(row["fee_external_academic"])) == (
            "all",
            15,
            "200.50",
        )
        assert row["max_hours_per_day"] is None and list(row["service_ways"]) == [
            "occupy",
            "entrusted",
        ]
        wrong = await c.post(url, data={**form, "min_minutes": "300", "csrf_token": token})
        assert wrong.status_code == 422 and "min_max" in wrong.text
        words = await c.post(url, data={**form, "fee_internal": "lots", "csrf_token": token})
        assert words.status_code == 422 and "fee_internal" in words.text


async def test_the_rules_page_edits_the_new_limits_grace_and_relaxed_hours(
    app: Any, db: Database, world: World
) -> None:
    instrument = await make_instrument(db, world.jlu)
    await db.execute(
        "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
        world.manager_id,
        instrument,
    )
    url = f"/manage/instruments/{instrument}/policy"
    form = {"max_bookings_per_day": "2", "max_future_hours": "12.5", "min_gap_minutes": "30",
            "no_show_grace_minutes": "15", "relaxed_windows": "6 00:00-24:00\n7 00:00-24:00\n",
            "relaxed_rules": ["max_duration", "daily_limit"],
            "service_ways": ["occupy"]}  # fmt: skip
    async with signed_in(app, world.manager) as (c, token):
        saved = await c.post(url, data={**form, "csrf_token": token})
        assert saved.status_code == 303, saved.text
        row = await db.fetchrow("SELECT * FROM booking_policy WHERE instrument_id = $1", instrument)
        assert row is not None
        assert (row["max_bookings_per_day"], str(row["max_future_hours"])) == (2, "12.50")
        assert (row["min_gap_minutes"], row["no_show_grace_minutes"]) == (30, 15)
        assert row["relaxed_windows"] == [
            {"weekday": 6, "start": "00:00", "end": "24:00"},
            {"weekday": 7, "start": "00:00", "end": "24:00"},
        ]
        assert list(row["relaxed_rules"]) == ["max_duration", "daily_limit"]
        page = (await c.get(url)).text
        assert "6 00:00-24:00" in page and 'value="daily_limit" checked' in page
        assert (
            'id="no_show_grace_minutes" name="no_show_grace_minutes" inputmode="numeric" value="15"'
            in page
        )
        garbled = await c.post(
            url, data={**form, "relaxed_windows": "weekends", "csrf_token": token}
        )
        assert garbled.status_code == 422 and "relaxed_windows" in garbled.text


async def test_usage_is_recorded_with_or_without_a_booking(
    app: Any, db: Database, world: World
) -> None:
    start = utcnow() - timedelta(hours=6)
    booking = await past_booking(
        db, world.instrument, world.researcher_yanbian_id, start, hours=2, status="confirmed"
    )
    url = f"/manage/instruments/{world.instrument}/usage"
    async with signed_in(app, world.manager) as (c, token):
        page = await c.get(url)
        assert page.status_code == 200 and f'<option value="{booking}"' in page.text
        with_booking = {"csrf_token": token, "booking_id": str(booking),
                        "start": local_input(start), "end": local_input(start + timedelta(hours=2)),
                        "service_way": "technical", "samples": "12", "amount": "300"}  # fmt: skip
        assert (await c.post(url, data=with_booking)).status_code == 303
        session = await db.fetchrow("SELECT * FROM usage_session WHERE booking_id = $1", booking)
        assert session is not None and session["is_cross_region"] and session["samples"] == 12
        assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "completed"
        own = {"csrf_token": token, "start": local_input(start - timedelta(days=1)),
               "end": local_input(start - timedelta(days=1, hours=-3)), "service_way": "occupy"}  # fmt: skip
        # who used it must be said: no silent fall-back to the own group
        unsaid = await c.post(url, data=own)
        assert unsaid.status_code == 422 and 'id="problem"' in unsaid.text
        own["booking_id"] = "own"
        assert (await c.post(url, data=own)).status_code == 303
        backwards = {**own, "end": local_input(start - timedelta(days=2))}
        assert (await c.post(url, data=backwards)).status_code == 422
        future = {**own, "start": local_input(tomorrow_at(9)), "end": local_input(tomorrow_at(10))}
        assert (await c.post(url, data=future)).status_code == 422
        twice = await c.post(url, data=with_booking)
        assert twice.status_code == 409


ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:maint-1@example.org
DTSTAMP:20260101T000000Z
DTSTART:%(start)s
DTEND:%(end)s
SUMMARY:Annual service
END:VEVENT
END:VCALENDAR
"""


async def test_ical_import_previews_first_and_then_creates_the_blocks(
    app: Any, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    start = tomorrow_at(9, days=12)
    stamp = "%Y%m%dT%H%M%SZ"
    body = ICS % {b"start": start.strftime(stamp).encode(),
                  b"end": (start + timedelta(hours=3)).strftime(stamp).encode()}  # fmt: skip
    url = f"/manage/instruments/{instrument}/import"
    count = "SELECT count(*) FROM booking WHERE instrument_id = $1 AND kind = 'maintenance'"
    async with signed_in(app, world.manager) as (c, token):
        assert (await c.get(url)).status_code == 200
        preview = await c.post(
            url,
            data={"csrf_token": token, "mode": "preview", "days": "60"},
            files={"file": ("maint.ics", body, "text/calendar")},
        )
        assert preview.status_code == 200, preview.text
        assert 'data-dry-run="true"' in preview.text and "Annual service" in preview.text
        assert await db.fetchval(count, instrument) == 0
        carried = preview.text.split('name="ics_b64" value="')[1].split('"')[0]
        done = await c.post(
            url,
            data={"csrf_token": token, "mode": "import", "days": "60", "ics_b64": carried},
            files={"file": ("", b"", "application/octet-stream")},
        )
        assert done.status_code == 200 and 'data-dry-run="false"' in done.text
        assert await db.fetchval(count, instrument) == 1
        junk = await c.post(
            url,
            data={"csrf_token": token, "mode": "preview"},
            files={"file": ("x.ics", b"not a calendar", "text/calendar")},
        )
        assert junk.status_code == 422
        empty = await c.post(
            url, data={"csrf_token": token}, files={"file": ("", b"", "text/calendar")}
        )
        assert empty.status_code == 422


async def test_a_manager_cannot_open_the_editors_of_another_institutions_instrument(
    app: Any, world: World
) -> None:
    async with signed_in(app, world.manager) as (c, token):
        for tab in ("hours", "policy", "usage", "import"):
            response = await c.get(f"/manage/instruments/{world.ciac_instrument}/{tab}")
            assert response.status_code in (403, 404), (tab, response.status_code)
            assert world.ciac_instrument_name not in response.text
        refused = await c.post(
            f"/manage/instruments/{world.ciac_instrument}/policy",
            data={"csrf_token": token, "min_minutes": "30"},
        )
        assert refused.status_code in (403, 404)


async def test_the_booking_page_asks_a_manager_for_a_reason_and_hides_cancel_after_the_end(
    app: Any, db: Database, world: World
) -> None:
    ahead = await past_booking(
        db, world.twin, world.researcher_jlu_id, tomorrow_at(9, days=20), 1, "confirmed"
    )
    ended = await past_booking(
        db, world.twin, world.researcher_jlu_id, utcnow() - timedelta(hours=30), 1, "confirmed"
    )
    async with signed_in(app, world.manager) as (c, token):
        page = (await c.get(f"/bookings/{ahead}")).text
        assert 'id="cancel-reason" required' in page
        refused = await c.post(
            f"/bookings/{ahead}/actions/cancel", data={"csrf_token": token, "reason": ""}
        )
        assert refused.status_code == 422
        assert await db.fetchval("SELECT status FROM booking WHERE id = $1", ahead) == "confirmed"
        done = await c.post(
            f"/bookings/{ahead}/actions/cancel",
            data={"csrf_token": token, "reason": "维修"},
        )
        assert done.status_code == 303
    async with signed_in(app, world.researcher_jlu) as (c, token):
        seen = (await c.get(f"/bookings/{ahead}")).text
        assert "维修" in seen
        after = (await c.get(f"/bookings/{ended}")).text
        assert 'id="cancel-form"' not in after


async def test_a_booking_made_for_a_user_shows_who_booked_it(
    app: Any, db: Database, world: World
) -> None:
    booking = await past_booking(
        db, world.twin, world.researcher_jlu_id, tomorrow_at(9, days=21), 1, "confirmed"
    )
    await db.execute("UPDATE booking SET booked_by = $2 WHERE id = $1", booking, world.manager_id)
    name = await db.fetchval("SELECT display_name FROM app_user WHERE id = $1", world.manager_id)
    async with signed_in(app, world.manager) as (c, _):
        page = (await c.get(f"/bookings/{booking}")).text
        assert 'id="booked-by"' in page and name in page
    async with signed_in(app, world.researcher_jlu) as (c, _):
        page = (await c.get(f"/bookings/{booking}")).text
        assert 'id="booked-by">仪器负责人<' in page
        assert name not in page


async def test_a_manager_books_for_a_user_from_the_booking_form_with_an_override(
    app: Any, db: Database, world: World
) -> None:
    url = f"/instruments/{world.twin}/book"
    start = tomorrow_at(10, days=200)  # far beyond the horizon
    form = {"start": local_input(start), "end": local_input(start + timedelta(hours=1)),
            "service_way": "occupy", "purpose": "代测", "for_email": world.researcher_yanbian.upper(),
            "override_reason": "样品只能在那天送达"}  # fmt: skip
    async with signed_in(app, world.manager) as (c, token):
        assert 'id="manager-options"' in (await c.get(url)).text
        unknown = await c.post(
            url, data={**form, "for_email": "nobody@example.org", "csrf_token": token}
        )
        assert unknown.status_code == 422
        made = await c.post(url, data={**form, "csrf_token": token})
        assert made.status_code == 303, made.text
        assert "ok=booked-for" in made.headers["location"]
    row = await db.fetchrow(
        "SELECT user_id, booked_by, status FROM booking WHERE instrument_id = $1 AND starts_at = $2",
        world.twin,
        start,
    )
    assert row is not None
    assert (row["user_id"], row["booked_by"], row["status"]) == (
        world.researcher_yanbian_id,
        world.manager_id,
        "confirmed",
    )
    async with signed_in(app, world.researcher_yanbian) as (c, token):
        assert 'id="manager-options"' not in (await c.get(url)).text
        refused = await c.post(
            url, data={**form, "for_email": world.researcher_jlu, "csrf_token": token}
        )
        assert refused.status_code == 403
        # Nor does it tell whether an address has an account.
        unknown = await c.post(
            url, data={**form, "for_email": "nobody@nowhere.example", "csrf_token": token}
        )
        assert unknown.status_code == 403
        assert "没有使用该邮箱的有效用户" not in unknown.text
        assert "只有仪器负责人可以代他人预约" in unknown.text


async def test_a_check_out_with_a_bad_sample_count_or_fee_is_refused_in_place_and_changes_nothing(
    app: Any, db: Database, world: World
) -> None:
    instrument = await managed_instrument(db, world)
    booking = await past_booking(
        db, instrument, world.researcher_jlu_id, utcnow() - timedelta(minutes=30),
        status="confirmed",
    )  # fmt: skip
    async with signed_in(app, world.manager) as (c, token):
        base = f"/manage/bookings/{booking}"
        checked_in = await c.post(f"{base}/check_in", data={"csrf_token": token})
        assert checked_in.status_code == 303
        bad = await c.post(
            f"{base}/check_out",
            data={"csrf_token": token, "samples": "三个", "amount": "-5"},
            headers={"HX-Request": "true"},
        )
        assert bad.status_code == 422 and "<html" not in bad.text
        assert "样品数应为非负整数" in bad.text and "费用应为不小于 0 的金额" in bad.text
        assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking) == "in_use"
        good = await c.post(
            f"{base}/check_out",
            data={
                "csrf_token": token,
                "samples": "１２",
                "amount": "88.5",
                "service_way": "entrusted",
            },
        )
        assert good.status_code == 303
        row = await db.fetchrow(
            "SELECT samples, amount::text, service_way FROM usage_session WHERE booking_id = $1",
            booking,
        )
        assert row is not None
        assert tuple(row) == (12, "88.50", "entrusted")
