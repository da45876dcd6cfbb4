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


async def test_pages_in_english_carry_no_chinese_ui_strings(
    app: Any, db: Database, world: World
) -> None:
    ui = chinese_ui_strings()
    # Names people gave in Chinese are data, not interface text, whatever words they contain.
    names = await chinese_names(db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        c.cookies.set("is_lang", "en")
        pages = ["/login", "/register", "/instruments", f"/instruments/{world.instrument}"]
        await login(c, world.manager)
        base = f"/manage/instruments/{world.instrument}"
        pages += [f"/instruments/{world.instrument}/book", "/bookings", "/manage", base,
                  f"{base}/hours", f"{base}/policy", f"{base}/usage", f"{base}/import",
                  "/account", "/instruments/999999999"]  # fmt: skip
        await assert_english(c, pages, ui, names)
        await login(c, world.platform_admin)
        await assert_english(c, ADMIN_PAGES + [f"/institution/{world.jlu}",
                             f"/institution/{world.jlu}/policy",
                             f"/institution/{world.jlu}/figures"], ui, names)  # fmt: skip


ADMIN_PAGES = ["/admin/metrics", "/admin/institutions", "/admin/regions", "/admin/users",
               "/admin/health"]  # fmt: skip


async def chinese_names(db: Database) -> list[str]:
    rows = await db.fetch(
        "SELECT name_zh FROM institution UNION SELECT name_zh FROM instrument"
        " UNION SELECT name_zh FROM region"
    )
    return sorted((r["name_zh"] for r in rows if r["name_zh"]), key=len, reverse=True)


async def assert_english(
    c: httpx.AsyncClient, pages: list[str], ui: set[str], names: list[str]
) -> None:
    for path in pages:
        response = await c.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        text = response.text
        for name in names:
            text = text.replace(name, "")
        leaked = sorted(s for s in ui if len(s) >= 2 and s in text)
        context = [text[max(0, i - 80) : i + 40] for i in map(text.find, leaked)]
        assert not leaked, (path, leaked, context)
