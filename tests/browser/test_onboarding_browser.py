"""Headless Chromium: the onboarding pages in both languages, at desktop and phone width — the
registry import (a file chosen, checked, its problems listed), an institution's registry page,
an instrument's registry record, the region editor; screenshots written, nothing scrolls
sideways on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import DEMO_ADMIN, DEMO_INST_ADMIN, DEMO_MANAGER, SCREENSHOTS, Demo
from tests.browser.test_admin_pages_browser import DESKTOP, PHONE, signed_in_page
from tests.live_server import LiveServer
from tests.onboarding_support import csv_bytes, registry_row

pytestmark = pytest.mark.browser


def _file(tmp_path) -> str:  # type: ignore[no-untyped-def]
    rows = [registry_row("jlu", "BROWSER-1"), registry_row("jlu", "BROWSER-1", worth="-3")]
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(rows))
    return str(path)


@pytest.mark.parametrize(
    ("lang", "viewport", "suffix"), [("zh-CN", DESKTOP, "zh-desktop"), ("en", PHONE, "en-phone")]
)
async def test_onboarding_pages(
    chromium: Browser,
    server: LiveServer,
    demo: Demo,
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    wide: list[tuple[str, int]] = []

    async def shoot(page: Page, name: str) -> None:
        assert await page.locator("html").get_attribute("lang") == lang
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"] + 1:
            wide.append((page.url, width))

    admin = await signed_in_page(chromium, server, DEMO_ADMIN, lang, viewport)
    await admin.goto("/imports")
    await admin.set_input_files("#registry-file", _file(tmp_path))
    await admin.click("#check-file")
    await admin.wait_for_selector("#registry-import-report")
    assert await admin.locator("#import-errors tbody tr").count() >= 2  # duplicate, worth
    await shoot(admin, "registry-import")
    for path, name in (("/admin/regions", "admin-regions"), ("/admin/regions/new", "region-new")):
        assert (await admin.goto(path)).status == 200
        await shoot(admin, name)
    await admin.context.close()

    inst_admin = await signed_in_page(chromium, server, DEMO_INST_ADMIN, lang, viewport)
    home = await inst_admin.locator("nav.nav a[href^='/institution/']").get_attribute("href")
    assert (await inst_admin.goto(f"{home}/registry")).status == 200
    assert await inst_admin.locator("#registry-gaps tbody tr").count() >= 1
    await shoot(inst_admin, "institution-registry")
    await inst_admin.context.close()

    manager = await signed_in_page(chromium, server, DEMO_MANAGER, lang, viewport)
    assert (await manager.goto(f"/manage/instruments/{demo.managed[0]}/registry")).status == 200
    await shoot(manager, "instrument-registry")
    await manager.context.close()
    assert not wide, f"pages scroll sideways: {wide}"
