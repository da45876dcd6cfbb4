"""Rendered in English, no page shows a Chinese string from the templates' catalogue."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.db import Database
from service.web import messages
from tests.web_support import World, build_world, login


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    return await build_world(db)


def chinese_ui_strings() -> set[str]:
    catalogue = messages.read_catalogue("zh-CN")
    return {
        m.string for m in catalogue if m.id and isinstance(m.string, str) and "%(" not in m.string
    }


async def test_pages_in_english_carry_no_chinese_ui_strings(app: Any, world: World) -> None:
    ui = chinese_ui_strings()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        c.cookies.set("is_lang", "en")
        pages = ["/login", "/register", "/instruments", f"/instruments/{world.instrument}"]
        await login(c, world.manager)
        base = f"/manage/instruments/{world.instrument}"
        pages += [f"/instruments/{world.instrument}/book", "/bookings", "/manage", base,
                  f"{base}/hours", f"{base}/policy", f"{base}/usage", f"{base}/import",
                  "/account", "/instruments/999999999"]  # fmt: skip
        await assert_english(c, pages, ui)
        await login(c, world.platform_admin)
        await assert_english(c, ADMIN_PAGES + [f"/institution/{world.jlu}",
                             f"/institution/{world.jlu}/policy",
                             f"/institution/{world.jlu}/figures"], ui)  # fmt: skip


ADMIN_PAGES = ["/admin/metrics", "/admin/institutions", "/admin/regions", "/admin/users",
               "/admin/health"]  # fmt: skip


async def assert_english(c: httpx.AsyncClient, pages: list[str], ui: set[str]) -> None:
    for path in pages:
        response = await c.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        leaked = sorted(s for s in ui if len(s) >= 2 and s in response.text)
        context = [response.text[max(0, i - 80) : i + 40] for i in map(response.text.find, leaked)]
        assert not leaked, (path, leaked, context)
