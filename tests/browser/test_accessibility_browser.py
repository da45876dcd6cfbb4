"""axe-core (from the npm registry, read from node_modules — never a CDN) on every page of the app
for each role: anonymous, researcher, instrument manager and platform admin. The pages are
enumerated from the router, so a new page is checked without anyone remembering to add it."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from service.web.routes import PAGE_HANDLERS
from tests.browser.test_pages_browser import log_in
from tests.live_server import ROOT, LiveServer
from tests.metrics_support import add_session
from tests.web_support import World, past_booking, tomorrow_at

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
PARAM = re.compile(r"\{(\w+):\w+\}")

#: GET routes that are not pages a person looks at, and why.
NOT_PAGES = {
    "/instruments/suggest": "an htmx fragment inside the catalogue's search box",
    "/sso/{provider_id:int}/start": "a redirect to the institution's identity provider",
    "/sso/callback": "the identity provider's return address, a redirect",
}


@dataclass
class Ids:
    values: dict[str, str]


@pytest.fixture(scope="module")
async def ids(db: Database, world: World) -> Ids:
    """One real object for every path parameter of the pages."""
    booking = await past_booking(
        db, world.instrument, world.researcher_jlu_id, utcnow() - timedelta(days=3)
    )
    session = await add_session(
        db, world.instrument, world.jlu, tomorrow_at(9, days=-4), tomorrow_at(11, days=-4),
        user_id=world.researcher_jlu_id, booking_id=booking,
    )  # fmt: skip
    return Ids(
        {
            "instrument_id": str(world.instrument),
            "booking_id": str(booking),
            "session_id": str(session),
            "institution_id": str(world.jlu),
            "code": "220100",
            # An unknown token: the page people see for an expired or mistyped link.
            "token": "no-such-token",
        }
    )


def page_paths(ids: Ids) -> list[str]:
    paths = []
    for handler in PAGE_HANDLERS:
        if "GET" not in handler.http_methods:
            continue
        for path in handler.paths:
            if path in NOT_PAGES:
                continue
            names = PARAM.findall(path)
            missing = [n for n in names if n not in ids.values]
            assert not missing, f"no test object for {missing} in {path}: add one to `ids`"
            paths.append(PARAM.sub(lambda m: ids.values[m.group(1)], path))
    return sorted(set(paths))


async def axe_violations(page: Any) -> list[str]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result
        if v["impact"] in BLOCKING
    ]


#: Pages checked at once in one browser context: most of a page's time is the wait for the
#: network to fall quiet, which several pages can spend together.
AT_ONCE = 4


async def check_role(
    chromium: Any, server: LiveServer, email: str | None, paths: list[str], width: int
) -> list[str]:
    context = await chromium.new_context(
        base_url=server.url, locale="zh-CN", bypass_csp=True,
        viewport={"width": width, "height": 844 if width < 720 else 900},
    )  # fmt: skip
    if email:
        await log_in(await context.new_page(), email)
    queue = list(reversed(paths))
    seen: set[str] = set()
    problems: list[str] = []

    async def work() -> None:
        page = await context.new_page()
        while queue:
            path = queue.pop()
            await page.goto(path)
            await page.wait_for_load_state("networkidle")
            if page.url in seen:
                continue
            seen.add(page.url)
            problems.extend(f"{path} → {page.url}: {v}" for v in await axe_violations(page))

    await asyncio.gather(*(work() for _ in range(AT_ONCE)))
    await context.close()
    return sorted(problems)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make node)")
@pytest.mark.parametrize(
    "role", ["anonymous", "researcher", "manager", "admin", "admin at phone width"]
)
async def test_every_page_has_no_serious_or_critical_accessibility_violation_for_each_role(
    chromium: Any, server: LiveServer, world: World, ids: Ids, role: str
) -> None:
    email = {
        "anonymous": None,
        "researcher": world.researcher_jlu,
        "manager": world.manager,
        "admin": world.platform_admin,
        "admin at phone width": world.platform_admin,
    }[role]
    paths = page_paths(ids)
    assert len(paths) > 30, "the routes were not enumerated"
    # At phone width wide tables scroll inside their wrappers, which must then take the focus.
    width = 390 if "phone" in role else 1280
    problems = await check_role(chromium, server, email, paths, width)
    assert not problems, "\n".join(problems)
