"""Feeds, downloads and exports as libical reads them: plain snapshots without METHOD (so no
iTIP restriction applies and none fails), and every instant exactly the booked one."""

from __future__ import annotations

import httpx

from service.db import Database
from tests.api.test_feeds_content import WIDE, _dst_fixture
from tests.calendars_support import feed_path, new_feed, uid
from tests.libical_support import LibicalReport, read_with_libical


async def _truth(db: Database, ids: list[int]) -> dict[str, tuple[object, object]]:
    rows = await db.fetch(
        "SELECT id, starts_at, ends_at FROM booking WHERE id = ANY($1::bigint[])", ids
    )
    return {uid(r["id"]): (r["starts_at"], r["ends_at"]) for r in rows}


def _check(report: LibicalReport, truth: dict[str, tuple[object, object]], what: str) -> None:
    assert report.method is None, what
    assert report.restrictions_ok and report.errors == [], (what, report.errors)
    assert {e.uid for e in report.events} == set(truth), what
    for event in report.events:
        assert (event.start, event.end) == truth[event.uid], (what, event.uid)


async def test_feeds_downloads_and_exports_pass_libicals_restriction_check(
    client: httpx.AsyncClient, db: Database
) -> None:
    fx = await _dst_fixture(db)
    researcher, manager, admin = fx["researcher"], fx["manager"], fx["admin"]
    on_instrument = [*fx["bookings"], fx["block"]]
    feeds = {
        "user": (new_feed(client, researcher.headers, scope="user"), [*fx["bookings"], fx["cc"]]),
        "instrument": (
            new_feed(client, manager.headers, scope="instrument", target_id=fx["instrument"]),
            on_instrument,
        ),
        "public": (
            new_feed(
                client,
                researcher.headers,
                scope="instrument",
                target_id=fx["instrument"],
                public=True,
            ),
            on_instrument,
        ),
        "institution": (
            new_feed(client, admin.headers, scope="institution", target_id=fx["nyc"]),
            on_instrument,
        ),
    }
    for kind, (created, expected) in feeds.items():
        response = await client.get(feed_path(await created) + WIDE)
        assert response.status_code == 200, kind
        _check(read_with_libical(response.content), await _truth(db, expected), kind)

    booking = fx["bookings"][0]
    download = await client.get(f"/api/v1/bookings/{booking}/ics", headers=researcher.headers)
    assert download.status_code == 200
    _check(read_with_libical(download.content), await _truth(db, [booking]), "download")

    export = await client.get(
        f"/api/v1/instruments/{fx['instrument']}/calendar/export.ics{WIDE}",
        headers=manager.headers,
    )
    assert export.status_code == 200
    _check(read_with_libical(export.content), await _truth(db, on_instrument), "export")
