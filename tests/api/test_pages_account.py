"""The researcher's account page (feed link, reminders, language) and rating from My bookings."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from tests.factories import make_user
from tests.web_support import World, build_world, past_booking, signed_in

FEED_URL = re.compile(r'id="feed-url" readonly value="(http[^"]+)"')
WEBCAL_URL = re.compile(r'id="feed-webcal" readonly value="(webcal://[^"]+)"')


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


async def test_the_feed_link_is_shown_once_copyable_and_rotation_kills_the_old_one(
    app: Any, world: World
) -> None:
    async with signed_in(app, world.researcher_ciac) as (c, token):
        page = await c.get("/account")
        assert page.status_code == 200 and 'id="feed-button"' in page.text
        assert "feed-url" not in page.text
        made = await c.post("/account/feed", data={"csrf_token": token})
        assert made.status_code == 200
        first = FEED_URL.search(made.text)
        webcal = WEBCAL_URL.search(made.text)
        assert first and webcal and 'data-copy="feed-url"' in made.text
        assert webcal.group(1).removeprefix("webcal://") in first.group(1)
        path = first.group(1).removeprefix("http://testserver")
        assert (await c.get(path)).status_code == 200
        again = await c.get("/account")
        assert first.group(1) not in again.text, "the secret link is shown only once"
        rotated = await c.post("/account/feed", data={"csrf_token": token})
        second = FEED_URL.search(rotated.text)
        assert second and second.group(1) != first.group(1)
        assert (await c.get(path)).status_code == 404
        new_path = second.group(1).removeprefix("http://testserver")
        assert (await c.get(new_path)).status_code == 200


async def test_reminder_lead_times_can_be_chosen_and_turned_off(
    app: Any, db: Database, world: World
) -> None:
    async with signed_in(app, world.researcher_yanbian) as (c, token):
        form = {"csrf_token": token, "display_name": "金哲浩", "language": "zh-CN",
                "reminders": "on", "lead": ["60", "1440"]}  # fmt: skip
        saved = await c.post("/account/preferences", data=form)
        assert saved.status_code == 303 and "ok=saved" in saved.headers["location"]
        leads = await db.fetchval(
            "SELECT reminder_lead_minutes FROM app_user WHERE email = $1", world.researcher_yanbian
        )
        assert list(leads) == [1440, 60]
        page = await c.get("/account")
        assert 'name="lead" value="60" checked' in page.text
        off = await c.post("/account/preferences", data={**form, "reminders": "off"})
        assert off.status_code == 303
        leads = await db.fetchval(
            "SELECT reminder_lead_minutes FROM app_user WHERE email = $1", world.researcher_yanbian
        )
        assert list(leads) == []
        too_many = {**form, "lead": ["15", "30", "60", "120", "180", "1440"]}
        refused = await c.post("/account/preferences", data=too_many)
        assert refused.status_code == 422 and 'class="problem"' in refused.text
        empty_name = await c.post("/account/preferences", data={**form, "display_name": " "})
        assert empty_name.status_code == 422


async def test_changing_the_language_on_the_account_page_switches_the_pages(
    app: Any, db: Database, world: World
) -> None:
    institution = await db.fetchval("SELECT id FROM institution WHERE id = $1", world.ciac)
    person = await make_user(db, institution)
    async with signed_in(app, person.email) as (c, token):
        form = {"csrf_token": token, "display_name": "Lin", "language": "en", "reminders": "off"}
        response = await c.post("/account/preferences", data=form)
        assert response.status_code == 303
        page = await c.get("/account")
        assert "Calendar feed" in page.text and "日历订阅" not in page.text
        stored = await db.fetchval("SELECT language FROM app_user WHERE id = $1", person.id)
        assert stored == "en"


async def test_a_completed_booking_is_rated_once_on_the_five_level_scale(
    app: Any, db: Database, world: World
) -> None:
    start = utcnow() - timedelta(days=3)
    done = await past_booking(db, world.twin, world.researcher_yanbian_id, start)
    async with signed_in(app, world.researcher_yanbian) as (c, token):
        mine = await c.get("/bookings")
        assert f'href="/bookings/{done}/rate"' in mine.text
        form = await c.get(f"/bookings/{done}/rate")
        assert form.status_code == 200
        assert all(
            label in form.text for label in ("非常满意", "基本满意", "一般", "不满意", "极差")
        )
        missing = await c.post(f"/bookings/{done}/rate", data={"csrf_token": token})
        assert missing.status_code == 422
        rated = await c.post(
            f"/bookings/{done}/rate",
            data={"csrf_token": token, "rating": "4", "comment": "工作人员很专业"},
        )
        assert rated.status_code == 303 and "ok=rated" in rated.headers["location"]
        row = await db.fetchrow(
            "SELECT rating, comment FROM satisfaction WHERE booking_id = $1", done
        )
        assert row is not None and (row["rating"], row["comment"]) == (4, "工作人员很专业")
        again = await c.post(f"/bookings/{done}/rate", data={"csrf_token": token, "rating": "1"})
        assert again.status_code == 409
        mine = await c.get("/bookings")
        assert f'href="/bookings/{done}/rate"' not in mine.text


async def test_nobody_rates_someone_elses_booking_or_an_unfinished_one(
    app: Any, db: Database, world: World
) -> None:
    start = utcnow() - timedelta(days=4)
    theirs = await past_booking(db, world.twin, world.researcher_yanbian_id, start)
    async with signed_in(app, world.researcher_ciac) as (c, token):
        assert (await c.get(f"/bookings/{theirs}/rate")).status_code == 404
        refused = await c.post(
            f"/bookings/{theirs}/rate", data={"csrf_token": token, "rating": "5"}
        )
        assert refused.status_code == 404
    cancelled = await past_booking(
        db, world.twin, world.researcher_yanbian_id, start - timedelta(days=1), status="cancelled"
    )
    async with signed_in(app, world.researcher_yanbian) as (c, token):
        refused = await c.post(
            f"/bookings/{cancelled}/rate", data={"csrf_token": token, "rating": "5"}
        )
        assert refused.status_code == 409
