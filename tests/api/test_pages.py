"""The pages through the real app: rendering, login, CSRF on every unsafe page route, error
pages shaped like the API's problem details, booking refusals with alternatives, approvals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from service.db import Database
from tests.web_support import World, build_world, csrf_from, local_input, login, tomorrow_at

API_PREFIXES = ("/api/", "/static", "/schema", "/health", "/feeds", "/metrics")


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


@pytest.fixture
async def browser(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A client that keeps cookies, like a browser, and does not follow redirects."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def page_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = []
    for route in app.routes:
        if route.path.startswith(API_PREFIXES):
            continue
        for method in sorted(getattr(route, "methods", set())):
            if method in {"POST", "PUT", "PATCH", "DELETE"}:
                found.append((method, route.path))
    return found


def concrete(path: str) -> str:
    parts = []
    for part in path.split("/"):
        if part.startswith("{"):
            parts.append("approve" if ":str}" in part else "1")
        else:
            parts.append(part)
    return "/".join(parts)


async def test_every_unsafe_page_route_refuses_a_missing_or_wrong_csrf_token(
    app: Any, browser: httpx.AsyncClient, world: World
) -> None:
    routes = page_routes(app)
    assert len(routes) >= 8, routes
    for method, path in routes:
        response = await browser.request(method, concrete(path), data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
    await login(browser, world.researcher_jlu)
    for method, path in routes:
        for data in ({"x": "1"}, {"csrf_token": "forged"}):
            response = await browser.request(method, concrete(path), data=data)
            assert response.status_code == 403, (method, path, data, response.status_code)
            assert "text/html" in response.headers["content-type"]


async def test_catalogue_and_instrument_pages_render_in_both_languages(
    browser: httpx.AsyncClient, world: World
) -> None:
    zh = await browser.get("/instruments", params={"q": world.instrument_name})
    assert zh.status_code == 200
    assert "查找仪器" in zh.text and world.instrument_name in zh.text
    assert zh.headers["content-security-policy"].startswith("default-src 'self'")
    en = await browser.get("/instruments", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Find an instrument" in en.text and "查找仪器" not in en.text
    detail = await browser.get(f"/instruments/{world.instrument}")
    assert detail.status_code == 200 and "Q Exactive" in detail.text
    assert f"/api/v1/instruments/{world.instrument}/availability" in detail.text


async def test_htmx_filtering_returns_only_the_results(
    browser: httpx.AsyncClient, world: World
) -> None:
    response = await browser.get(
        "/instruments", params={"q": world.instrument_name}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text and world.instrument_name in response.text


async def test_error_pages_carry_the_status_in_markup_and_say_what_happened_in_words(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/instruments/999999999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert 'data-status="404"' in response.text and "404 · " not in response.text
    assert "This page or item does not exist" in response.text
    chinese = await browser.get("/instruments/999999999", headers={"Accept-Language": "zh-CN"})
    assert "找不到该页面或内容" in chinese.text and "Not found" not in chinese.text
    bad = await browser.get("/instruments", params={"region": "XX-NOPE"})
    assert bad.status_code == 200 and 'data-status="422"' in bad.text


async def test_an_unknown_address_is_an_html_page_for_a_browser_and_problem_json_for_api_clients(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get(
        "/no-such-page",
        headers={"Accept": "text/html,application/xhtml+xml", "Accept-Language": "zh-CN"},
    )
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "找不到该页面或内容" in page.text and "网址可能有误" in page.text
    assert "Not Found" not in page.text
    api = await browser.get("/no-such-page", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    unknown_api = await browser.get("/api/v1/nothing-here", headers={"Accept": "text/html"})
    assert unknown_api.headers["content-type"].startswith("application/problem+json")


async def test_pages_that_need_a_user_send_visitors_to_the_login_form(
    browser: httpx.AsyncClient, world: World
) -> None:
    response = await browser.get("/bookings")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/bookings"


async def test_wrong_password_shows_the_form_again(
    browser: httpx.AsyncClient, world: World
) -> None:
    page = await browser.get("/login", headers={"Accept-Language": "en"})
    response = await browser.post(
        "/login",
        data={
            "email": world.researcher_ciac,
            "password": "wrong",
            "csrf_token": csrf_from(page.text),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 401
    assert "The email address or the password is wrong." in response.text


async def test_login_redirects_only_within_the_site(
    browser: httpx.AsyncClient, world: World
) -> None:
    page = await browser.get("/login")
    response = await browser.post(
        "/login",
        data={"email": world.researcher_ciac, "password": "correct horse battery staple",
              "next": "//evil.example.org/", "csrf_token": csrf_from(page.text)},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"].startswith("/instruments")


async def test_book_conflict_shows_taken_time_and_alternatives_then_books_one(
    browser: httpx.AsyncClient, world: World
) -> None:
    token = await login(browser, world.researcher_jlu)
    start, end = tomorrow_at(10, days=3), tomorrow_at(12, days=3)
    form = {"start": local_input(start), "end": local_input(end), "service_way": "occupy",
            "purpose": "样品测试", "csrf_token": token}  # fmt: skip
    first = await browser.post(f"/instruments/{world.instrument}/book", data=form)
    assert first.status_code == 303, first.text
    again = await browser.post(f"/instruments/{world.instrument}/book", data=form)
    assert again.status_code == 409
    assert 'id="alternatives"' in again.text and "alt-slot" in again.text
    assert f"/instruments/{world.twin}/book" in again.text
    mine = await browser.get("/bookings")
    assert mine.text.count('class="confirmed"') >= 1


async def test_refused_booking_lists_the_violated_rules(
    browser: httpx.AsyncClient, world: World
) -> None:
    token = await login(browser, world.researcher_jlu)
    start = tomorrow_at(10, days=4)
    form = {"start": local_input(start), "end": local_input(start.replace(minute=10)),
            "service_way": "occupy", "csrf_token": token}  # fmt: skip
    response = await browser.post(f"/instruments/{world.instrument}/book", data=form)
    assert response.status_code == 422
    assert 'class="violations"' in response.text


async def test_manager_approves_a_cross_region_request_with_htmx(
    app: Any, db: Database, world: World
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as researcher:
        token = await login(researcher, world.researcher_yanbian)
        start = tomorrow_at(14, days=5)
        form = {"start": local_input(start), "end": local_input(tomorrow_at(15, days=5)),
                "service_way": "technical", "csrf_token": token}  # fmt: skip
        response = await researcher.post(f"/instruments/{world.instrument}/book", data=form)
        assert response.status_code == 303 and "ok=requested" in response.headers["location"]
    booking_id = await db.fetchval(
        "SELECT id FROM booking WHERE instrument_id = $1 AND starts_at = $2",
        world.instrument,
        start,
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as manager:
        token = await login(manager, world.manager)
        queue = await manager.get("/manage")
        assert f'id="approval-{booking_id}"' in queue.text
        response = await manager.post(
            f"/manage/bookings/{booking_id}/approve",
            data={"csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and "<html" not in response.text
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"


async def test_times_before_year_one_in_utc_are_a_form_error_not_a_500(
    browser: httpx.AsyncClient, world: World
) -> None:
    """`0001-01-01T00:00` in Shanghai is in year 0 in UTC, which used to raise OverflowError."""
    catalogue = await browser.get(
        "/instruments", params={"free_from": "0001-01-01T00:00", "free_to": "0001-01-01T01:00"}
    )
    assert catalogue.status_code == 200
    csrf = await login(browser, world.manager)
    early = {"start": "0001-01-01T00:00", "end": "0001-01-01T01:00", "csrf_token": csrf}
    for path in (
        f"/instruments/{world.instrument}/book",
        f"/manage/instruments/{world.instrument}/blocks",
        f"/manage/instruments/{world.instrument}/usage",
    ):
        response = await browser.post(path, data={**early, "reason": "x"})
        assert response.status_code == 422, (path, response.status_code)
        assert "text/html" in response.headers["content-type"]
