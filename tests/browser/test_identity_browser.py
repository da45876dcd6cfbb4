"""Headless Chromium through the identity pages: forgot password → mail (from the real SMTP
test server) → new password → log in; single sign-on through a real OpenID provider from the
login page's buttons (with the institution filter); and screenshots of the sign-on, members,
audit and reset pages at desktop and phone width, none scrolling sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.db import Database
from service.settings import Settings
from tests.browser.conftest import DEMO_ADMIN, DEMO_INST_ADMIN, SCREENSHOTS, Demo
from tests.browser.test_admin_pages_browser import DESKTOP, PHONE, signed_in_page
from tests.factories import make_institution, make_user, unique
from tests.identity_support import deliver, link_in
from tests.live_server import LiveServer
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
)
from tests.sso_support import CLIENT_ID, CLIENT_SECRET, OidcServer
from tests.web_support import World

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a new password for the browser"


async def _wide(page: Any, viewport: dict[str, int]) -> bool:
    return int(await page.evaluate("document.documentElement.scrollWidth")) > viewport["width"] + 1


async def _shot(page: Any, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_forgot_mail_reset_then_log_in(
    chromium: Any,
    server: LiveServer,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    user = await make_user(db, await make_institution(db), language="en")
    context = await chromium.new_context(base_url=server.url, viewport=PHONE)
    await context.add_cookies([{"name": "is_lang", "value": "en", "url": server.url}])
    page = await context.new_page()
    try:
        await page.goto("/login")
        await page.click("a[href='/password/forgot']")
        await page.fill("#email", user.email)
        await _shot(page, "password-forgot-en-phone")
        await page.click("form[action='/password/forgot'] button[type=submit]")
        assert "is on its way" in await page.locator("p.flash").inner_text()
        link = link_in(await deliver(db, mail_settings, smtp, user.id, "password_reset"))
        assert link.startswith(server.url + "/password/reset?token=")
        await page.goto(link)
        await page.fill("#password", NEW_PASSWORD)
        await page.fill("#password_again", NEW_PASSWORD)
        await _shot(page, "password-reset-en-phone")
        assert not await _wide(page, PHONE)
        await page.click("form[action='/password/reset'] button[type=submit]")
        await page.wait_for_url("**/login?ok=password-reset")
        await page.fill("#email", user.email)
        await page.fill("#password", NEW_PASSWORD)
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_url("**/instruments?ok=logged-in")
        await page.goto(link)
        assert "already used or expired" in await page.locator(".problem").inner_text()
        await _shot(page, "password-reset-used-en-phone")
    finally:
        await context.close()


@pytest.fixture(scope="module")
def idp(server: LiveServer) -> Iterator[OidcServer]:
    provider = OidcServer([f"{server.url}/sso/callback"], count=1)
    try:
        yield provider
    finally:
        provider.stop()


async def _providers(server: LiveServer, db: Database, world: World, idp: OidcServer) -> str:
    """The world's university signs on through the OpenID provider; seven more institutions
    through CAS servers (enough for the login page's filter). Returns the university's name."""
    admin = await make_user(db, world.jlu, platform_admin=True)
    async with httpx.AsyncClient(base_url=server.url, headers=admin.headers) as api:
        r = await api.put(f"/api/v1/institutions/{world.jlu}/identity-providers/oidc",
                          json={"issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})  # fmt: skip
        assert r.status_code in (200, 201), r.text
        for n in range(7):
            other = await make_institution(db, name=f"示例学院{n}")
            r = await api.put(f"/api/v1/institutions/{other}/identity-providers/cas",
                              json={"issuer": f"https://authserver{n}.example.edu.cn/cas"})  # fmt: skip
            assert r.status_code == 201, r.text
    return str(await db.fetchval("SELECT name_zh FROM institution WHERE id = $1", world.jlu))


async def test_single_sign_on_from_the_login_page(
    chromium: Any, server: LiveServer, db: Database, world: World, idp: OidcServer
) -> None:
    name = await _providers(server, db, world, idp)
    shots = [("zh-CN", DESKTOP, "login-sso-zh-desktop"), ("en", PHONE, "login-sso-en-phone")]
    for lang, viewport, shot in shots:
        context = await chromium.new_context(base_url=server.url, viewport=viewport)
        await context.add_cookies([{"name": "is_lang", "value": lang, "url": server.url}])
        page = await context.new_page()
        await page.goto("/login")
        assert await page.locator("#sso-list li").count() >= 8
        await _shot(page, shot)
        assert not await _wide(page, viewport)
        await context.close()
    context = await chromium.new_context(base_url=server.url, viewport=DESKTOP)
    await context.add_cookies([{"name": "is_lang", "value": "zh-CN", "url": server.url}])
    page = await context.new_page()
    try:
        await page.goto("/login?next=/bookings")
        await page.fill("#sso-filter", name)
        assert await page.locator("#sso-list li:visible").count() == 1
        await page.fill("#sso-filter", "no such place")
        assert await page.locator("#sso-list li:visible").count() == 0
        assert await page.locator(".sso-none").is_visible()
        await page.fill("#sso-filter", name)
        await page.click("#sso-list li:visible a")
        await page.wait_for_selector("text=Test identity provider")
        login = unique("browser").lower()
        await page.fill("input[name=login]", login)
        await page.click("button[type=submit]")
        await page.wait_for_url("**/bookings?ok=logged-in")
        await _shot(page, "sso-logged-in-zh-desktop")
        assert "登录成功" in await page.locator(".flash").inner_text()
    finally:
        await context.close()
    row = await db.fetchrow(
        """SELECT u.institution_id, m.method FROM app_user u JOIN membership m ON m.user_id = u.id
           WHERE u.email = $1 AND m.state = 'verified'""",
        f"{login}@sso.test.example",
    )
    assert row is not None
    assert (row["institution_id"], row["method"]) == (world.jlu, "sso")


@pytest.mark.parametrize(
    ("lang", "viewport", "suffix"), [("zh-CN", DESKTOP, "zh-desktop"), ("en", PHONE, "en-phone")]
)
async def test_tour_of_the_identity_pages(
    chromium: Any, server: LiveServer, db: Database, demo: Demo, lang: str,
    viewport: dict[str, int], suffix: str,
) -> None:  # fmt: skip
    jlu = await db.fetchval("SELECT id FROM institution WHERE code = 'jlu'")
    tour = [
        (DEMO_INST_ADMIN, f"/institution/{jlu}/members", "members"),
        (DEMO_INST_ADMIN, f"/institution/{jlu}/audit", "institution-audit"),
        (DEMO_INST_ADMIN, f"/institution/{jlu}/sso", "institution-sso"),
        (DEMO_ADMIN, "/admin/audit", "admin-audit"),
        (None, "/password/forgot", "password-forgot"),
        (None, "/password/reset?token=unknown", "password-reset-invalid"),
        (None, "/affiliation/confirm?token=unknown", "affiliation-confirm-invalid"),
        (None, "/sso/link?token=unknown", "sso-link-invalid"),
    ]
    wide: list[str] = []
    pages: dict[str | None, Any] = {}
    try:
        for email, path, name in tour:
            if email not in pages:
                if email:
                    pages[email] = await signed_in_page(chromium, server, email, lang, viewport)
                else:
                    context = await chromium.new_context(base_url=server.url, viewport=viewport)
                    await context.add_cookies(
                        [{"name": "is_lang", "value": lang, "url": server.url}]
                    )
                    pages[email] = await context.new_page()
            page = pages[email]
            await page.goto(path)
            assert await page.locator("html").get_attribute("lang") == lang
            await _shot(page, f"{name}-{suffix}")
            if await _wide(page, viewport):
                wide.append(path)
    finally:
        for page in pages.values():
            await page.context.close()
    assert not wide, f"pages scroll sideways: {wide}"
