"""The catalogue's search box as a person uses it: type what researchers type (`电镜`, `TEM`),
see the suggestions, pick one with the keyboard, land on its results. Desktop and phone width;
screenshots in tests/screenshots/. The ARIA combobox is read back through the roles a screen
reader sees (Playwright's role locators), not through our own markup."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Locator, Page, expect

from service.db import Database
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_institution, make_instrument, unique
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
async def microscopes(db: Database) -> list[str]:
    """Electron microscopes whose names nobody else uses, so the test can recognise them."""
    tag = unique("Suggest").split("-")[-1]
    inst = await make_institution(db)
    names = [f"透射电子显微镜 {tag}", f"冷冻透射电子显微镜 {tag}", f"场发射扫描电子显微镜 {tag}"]
    for name in names:
        await make_instrument(db, inst, category="0101", name_zh=name, name_en=f"TEM {tag}")
    return names


def _box(page: Page) -> Locator:
    """The search box, found as a screen reader finds it: a combobox named by its label."""
    return page.get_by_role("combobox", name="搜索")


async def _type_and_pick(page, text: str, downs: int) -> str:  # type: ignore[no-untyped-def]
    """Type `text` into the combobox, wait for its list, move `downs` options down with the
    arrow key and press Enter; returns the picked option's value."""
    box = _box(page)
    await box.click()
    await box.fill("")
    await box.press_sequentially(text, delay=40)
    listbox = page.get_by_role("listbox")
    await expect(listbox).to_be_visible()
    await expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    assert await options.count() >= downs
    for _ in range(downs):
        await box.press("ArrowDown")
    chosen = options.nth(downs - 1)
    await expect(chosen).to_have_attribute("aria-selected", "true")
    await expect(box).to_have_attribute("aria-activedescendant", await chosen.get_attribute("id"))
    value = await chosen.get_attribute("data-value")
    assert value
    return str(value)


async def _lands_on_results(page, value: str) -> None:  # type: ignore[no-untyped-def]
    await expect(page).to_have_url(re.compile(r"/instruments\?.*q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == [value]
    await expect(page.get_by_role("listbox")).to_have_count(0)
    await expect(_box(page)).to_have_attribute("aria-expanded", "false")
    links = page.locator("#results a.instrument-link")
    await expect(links.first).to_be_visible()


async def _pick_and_land(page, text: str, downs: int, shot: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The whole journey on the catalogue page; returns the texts of the options offered."""
    await page.goto("/instruments")
    value = await _type_and_pick(page, text, downs)
    listbox = await page.get_by_role("listbox").bounding_box()
    width = page.viewport_size["width"]
    assert listbox is not None and listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= width
    await page.screenshot(path=str(SCREENSHOTS / f"suggestions-{shot}.png"))
    texts: list[str] = await page.get_by_role("option").all_inner_texts()
    await _box(page).press("Enter")
    await _lands_on_results(page, value)
    await page.screenshot(path=str(SCREENSHOTS / f"suggestions-picked-{shot}.png"))
    return texts


@pytest.mark.parametrize(
    ("viewport", "text", "downs", "shot"),
    [(DESKTOP, "电镜", 1, "zh-desktop"), (PHONE, "TEM", 2, "zh-phone")],
)
async def test_pick_a_suggestion_with_the_keyboard(  # type: ignore[no-untyped-def]
    chromium,
    server: LiveServer,
    microscopes: list[str],
    viewport: dict[str, int],
    text: str,
    downs: int,
    shot: str,
) -> None:
    context = await chromium.new_context(base_url=server.url, locale="zh-CN", viewport=viewport)
    page = await context.new_page()
    texts = await _pick_and_land(page, text, downs, shot)
    assert any(name in " ".join(texts) for name in microscopes), texts

    # Escape closes the list without searching.
    box = _box(page)
    await box.fill("")
    await box.press_sequentially(text, delay=40)
    await expect(page.get_by_role("listbox")).to_be_visible()
    await box.press("Escape")
    await expect(page.get_by_role("listbox")).to_have_count(0)
    await expect(box).to_have_attribute("aria-expanded", "false")
    await context.close()
