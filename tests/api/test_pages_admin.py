"""Institution and platform administration pages, the navigation per role, and the isolation
of institutions: an admin of A sees none of B's data on any page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from service.metrics.rollup import rebuild
from tests.factories import make_user
from tests.metrics_support import add_session
from tests.web_support import SHANGHAI, World, build_world, signed_in

NAV = re.compile(r'<nav class="nav".*?</nav>', re.S)
#: The days of the world's usage: the pages open on the last complete month otherwise.
_TODAY = utcnow().astimezone(SHANGHAI).date()
RECENT = {"from": str(_TODAY - timedelta(days=10)), "to": str(_TODAY + timedelta(days=1))}
HREF = re.compile(r'<a href="([^"]+)"')


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    """The world, with usage on A's (JLU) and B's (CIAC) instruments, rolled up."""
    w = await build_world(db)
    now = utcnow()
    for days, hours, user_institution in ((3, 4, w.yanbian), (5, 2, w.ciac), (6, 3, w.jlu)):
        start = now - timedelta(days=days)
        await add_session(db, w.instrument, user_institution, start, start + timedelta(hours=hours))
    start = now - timedelta(days=4)
    await add_session(db, w.ciac_instrument, w.yanbian, start, start + timedelta(hours=12))
    today = now.astimezone(SHANGHAI).date()
    await rebuild(db, today - timedelta(days=10), today + timedelta(days=1),
                  [w.instrument, w.ciac_instrument])  # fmt: skip
    return w


def nav_links(html: str) -> list[str]:
    match = NAV.search(html)
    assert match, "the page has no navigation"
    return HREF.findall(match.group(0))


async def test_each_role_sees_exactly_the_pages_it_may_use(app: Any, world: World) -> None:
    expected = {
        world.researcher_ciac: ["/instruments", "/bookings", "/account"],
        world.manager: ["/instruments", "/bookings", "/manage", "/account"],
        world.inst_admin: ["/instruments", "/bookings", "/manage", f"/institution/{world.jlu}",
                           "/account"],
        world.platform_admin: ["/instruments", "/bookings", "/manage", "/admin/metrics",
                               "/admin/institutions", "/admin/health", "/account"],
    }  # fmt: skip
    every = {link for links in expected.values() for link in links}
    for email, links in expected.items():
        async with signed_in(app, email) as (c, _):
            assert nav_links((await c.get("/instruments")).text) == links, email
            for link in links:
                assert (await c.get(link)).status_code == 200, (email, link)
            for link in every - set(links):
                if email == world.platform_admin and link.startswith("/institution/"):
                    continue  # reached through the directory instead
                assert (await c.get(link)).status_code in (403, 404), (email, link)


async def test_visitors_see_only_the_catalogue_and_the_login(app: Any, client: Any) -> None:
    page = await client.get("/instruments")
    assert nav_links(page.text) == ["/instruments", "/login", "/register"]
    for path in ("/account", "/admin/metrics", "/admin/health", "/institution/1"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_an_institution_admin_of_a_sees_no_data_of_b(
    app: Any, db: Database, world: World
) -> None:
    secrets = (world.ciac_instrument_name, world.ciac_admin)
    async with signed_in(app, world.inst_admin) as (c, token):
        for path in (f"/institution/{world.ciac}", f"/institution/{world.ciac}/policy",
                     f"/institution/{world.ciac}/figures"):  # fmt: skip
            response = await c.get(path)
            assert response.status_code == 404, path
            assert not any(s in response.text for s in secrets), path
        for path in ("/admin/metrics", "/admin/institutions", "/admin/users", "/admin/health",
                     "/admin/regions", f"/manage/instruments/{world.ciac_instrument}"):  # fmt: skip
            assert (await c.get(path)).status_code == 403, path
        for path in (f"/institution/{world.jlu}", f"/institution/{world.jlu}/policy",
                     f"/institution/{world.jlu}/figures", "/manage", "/bookings", "/account"):  # fmt: skip
            response = await c.get(path)
            assert response.status_code == 200, path
            leaked = [s for s in secrets if s in response.text]
            assert not leaked, (path, leaked)
        figures = await c.get(f"/institution/{world.jlu}/figures", params=RECENT)
        assert world.instrument_name in figures.text and "9.0" in figures.text
        export = re.search(r'<a href="(/api/v1/metrics/sharing\.csv[^"]+)"', figures.text)
        assert export and f"institution={world.jlu}" in export.group(1)
        own = await c.get(export.group(1).replace("&amp;", "&"))
        assert own.status_code == 200 and world.instrument_name in own.text
        tampered = (
            export.group(1)
            .replace("&amp;", "&")
            .replace(f"institution={world.jlu}", f"institution={world.ciac}")
        )
        response = await c.get(tampered)
        assert world.ciac_instrument_name not in response.text
        b_user = await db.fetchval("SELECT id FROM app_user WHERE email = $1", world.ciac_admin)
        grant = {"csrf_token": token, "action": "grant"}
        foreign_instrument = await c.post(
            f"/institution/{world.jlu}/managers",
            data={
                **grant,
                "user_id": str(world.manager_id),
                "instrument_id": str(world.ciac_instrument),
            },
        )
        assert foreign_instrument.status_code == 404
        foreign_user = await c.post(
            f"/institution/{world.jlu}/managers",
            data={**grant, "user_id": str(b_user), "instrument_id": str(world.instrument)},
        )
        assert foreign_user.status_code == 404
        assert not await db.fetchval(
            "SELECT count(*) FROM instrument_manager WHERE user_id = $1", b_user
        )


async def test_an_institution_admin_appoints_and_removes_a_manager(
    app: Any, db: Database, world: World
) -> None:
    person = await make_user(db, world.jlu)
    managed = "SELECT count(*) FROM instrument_manager WHERE user_id = $1 AND instrument_id = $2"
    async with signed_in(app, world.inst_admin) as (c, token):
        page = await c.get(f"/institution/{world.jlu}")
        assert person.email in page.text and world.instrument_name in page.text
        form = {"csrf_token": token, "user_id": str(person.id), "instrument_id": str(world.twin)}
        granted = await c.post(
            f"/institution/{world.jlu}/managers", data={**form, "action": "grant"}
        )
        assert granted.status_code == 303 and "manager-granted" in granted.headers["location"]
        assert await db.fetchval(managed, person.id, world.twin) == 1
        revoked = await c.post(
            f"/institution/{world.jlu}/managers", data={**form, "action": "revoke"}
        )
        assert revoked.status_code == 303
        assert await db.fetchval(managed, person.id, world.twin) == 0


async def test_the_institution_default_policy_is_edited_by_its_admin(
    app: Any, db: Database, world: World
) -> None:
    url = f"/institution/{world.jlu}/policy"
    form = {"min_minutes": "30", "max_minutes": "480", "granularity_minutes": "30",
            "min_notice_minutes": "60", "horizon_days": "90", "buffer_minutes": "0",
            "approval": "external", "approval_deadline_hours": "48", "late_cancel_hours": "24",
            "fee_internal": "50", "fee_external_academic": "120", "fee_enterprise": "300",
            "service_ways": ["occupy", "technical", "entrusted", "remote"]}  # fmt: skip
    async with signed_in(app, world.inst_admin) as (c, token):
        saved = await c.post(url, data={**form, "csrf_token": token})
        assert saved.status_code == 303, saved.text
        fee = await db.fetchval(
            "SELECT fee_enterprise FROM booking_policy WHERE institution_id = $1", world.jlu
        )
        assert str(fee) == "300.00"
        wrong = await c.post(url, data={**form, "granularity_minutes": "7", "csrf_token": token})
        assert wrong.status_code == 422 and "granularity" in wrong.text


async def test_the_dashboard_shows_charts_the_heat_map_rankings_and_exports(
    app: Any, world: World
) -> None:
    async with signed_in(app, world.platform_admin) as (c, _):
        page = await c.get("/admin/metrics", params=RECENT)
        assert page.status_code == 200
        for chart in ("region", "category", "institution", "month"):
            assert f'data-config="config-{chart}"' in page.text
            config = json.loads(page.text.split(f'id="config-{chart}">')[1].split("</script>")[0])
            assert config["type"] in ("bar", "line") and len(config["data"]["datasets"]) >= 3
            assert any(any(v for v in d["data"]) for d in config["data"]["datasets"]), chart
        assert 'id="flow-matrix"' in page.text and "延边" in page.text
        # The ranking is platform-wide (other tests' instruments compete), so check its shape.
        best = page.text.split('id="best-shared"')[1].split("</table>")[0]
        assert best.count('<a href="/instruments/') >= 1
        assert "/static/vendor/chart.umd.min.js" in page.text
        exports = re.findall(r'<a href="(/api/v1/metrics/[^"]+)"', page.text)
        assert len(exports) == 8
        for link in exports:
            response = await c.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, link
            assert response.headers["content-type"].startswith("text/csv")
        # how fresh, which definitions, one reference year with its source, the year beside
        assert 'id="figures-as-of"' in page.text and 'id="definitions"' in page.text
        assert 'id="reference-source"' in page.text and "2025" in page.text
        assert 'id="last-year"' in page.text and 'id="by-value"' in page.text
        assert 'title="' in page.text.split('id="headline"')[1].split("</div>")[0]
        # opens on the last twelve complete months (not the one in progress); days that have
        # not happened are cut off
        default = await c.get("/admin/metrics")
        month_start = _TODAY.replace(day=1)
        year_before = month_start.replace(year=month_start.year - 1)
        assert f'id="from" name="from" type="date" required value="{year_before}"' in default.text
        assert f'id="to" name="to" type="date" required value="{month_start}"' in default.text
        trend = json.loads(default.text.split('id="config-month">')[1].split("</script>")[0])
        assert "进行中" not in json.dumps(trend["data"]["labels"], ensure_ascii=False)
        recent = json.loads(page.text.split('id="config-month">')[1].split("</script>")[0])
        assert recent["data"]["labels"][-1] == f"{_TODAY:%Y-%m} (进行中)"
        ahead = await c.get(
            "/admin/metrics", params={"from": str(_TODAY), "to": str(_TODAY + timedelta(days=60))}
        )
        assert 'id="period-clamped"' in ahead.text
        assert f'value="{(_TODAY + timedelta(days=1)).isoformat()}"' in ahead.text
        bad = await c.get("/admin/metrics", params={"from": "2026-13-01"})
        assert bad.status_code == 422 and 'data-status="422"' in bad.text
        backwards = await c.get("/admin/metrics", params={"from": "2026-05-01", "to": "2026-01-01"})
        assert backwards.status_code == 422


async def test_directory_lists_and_health_page_with_a_retry(
    app: Any, db: Database, world: World
) -> None:
    dead = await db.fetchval(
        """INSERT INTO notification_outbox (dedupe_key, kind, user_id, state, attempts, last_error)
           VALUES ($1, 'booking_confirmed', $2, 'dead', 8, 'smtp refused') RETURNING id""",
        f"web-test-{world.jlu}",
        world.manager_id,
    )
    async with signed_in(app, world.platform_admin) as (c, token):
        institutions = await c.get("/admin/institutions", params={"q": "延边大学"})
        assert f'href="/institution/{world.yanbian}"' in institutions.text
        users = await c.get("/admin/users", params={"q": world.manager})
        assert world.manager in users.text and world.researcher_ciac not in users.text
        regions = await c.get("/admin/regions")
        assert "RU-VVO" in regions.text and "Asia/Vladivostok" in regions.text
        health = await c.get("/admin/health")
        assert health.status_code == 200 and "smtp refused" in health.text
        assert 'id="jobs"' in health.text
        retried = await c.post(f"/admin/outbox/{dead}/retry", data={"csrf_token": token})
        assert retried.status_code == 303
        assert (
            await db.fetchval("SELECT state FROM notification_outbox WHERE id = $1", dead)
            == "pending"
        )
        again = await c.post(f"/admin/outbox/{dead}/retry", data={"csrf_token": token})
        assert again.status_code == 409
