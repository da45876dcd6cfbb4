"""The figures pages show hours by unverified accounts on their own line, with the reason it is
apart from the national sharing rate, on the institution's figures and the platform dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.common.time import utcnow
from service.db import Database
from service.metrics.rollup import rebuild
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_session
from tests.web_support import signed_in


def _stat(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split('class="value">')[1].split("<")[0]


async def test_unverified_hours_are_a_line_of_their_own_with_the_reason(
    app: Any, db: Database
) -> None:
    owner, visitor = await make_institution(db), await make_institution(db)
    admin = await make_user(db, owner, admin_of=[owner], language="en")
    instrument = await make_instrument(db, owner)
    start = utcnow() - timedelta(days=3)
    session = await add_session(db, instrument, visitor, start, start + timedelta(hours=3))
    await db.execute("UPDATE usage_session SET affiliation_verified = false WHERE id = $1", session)
    await add_session(
        db, instrument, visitor, start + timedelta(hours=4), start + timedelta(hours=6)
    )
    today = utcnow().date()
    await rebuild(db, today - timedelta(days=10), today + timedelta(days=1), [instrument])
    # An explicit period holding both sessions (the page opens on the last complete month,
    # which these sessions of three days ago may straddle).
    period = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}
    async with signed_in(app, admin.email) as (browser, _):
        page = await browser.get(f"/institution/{owner}/figures", params=period)
    assert page.status_code == 200
    assert _stat(page.text, "unverified-hours").strip() == "3.0"
    assert _stat(page.text, "headline").strip() == "5.0"  # effective: both sessions
    assert "Hours by unverified accounts" in page.text
    assert "the national sharing rate counts only proven affiliation" in page.text
    assert '<th class="num" title="Apart from the sharing rate' in page.text
    platform = await make_user(db, owner, platform_admin=True)
    async with signed_in(app, platform.email) as (browser, _):
        dashboard = await browser.get("/admin/metrics", params=period)
    assert dashboard.status_code == 200 and 'id="unverified-hours"' in dashboard.text
    assert "未验证机时" in dashboard.text  # the breakdown tables' column, in Chinese by default
