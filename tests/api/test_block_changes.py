"""Maintenance blocks can be moved, resized and repeated: moves need the version they were
read with and treat bookings in the way as a new block does; series keep local wall-clock
times across DST."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx

from service.db import Database
from tests.bookings_support import (
    NEW_YORK,
    OVERLAPS,
    book,
    ensure_ny_region,
    future_day,
    local,
    make_world,
)


def _block(start: datetime, end: datetime, **extra: object) -> dict[str, object]:
    return {"start": start.isoformat(), "end": end.isoformat(), "reason": "detector swap", **extra}


async def test_a_block_moves_only_with_the_version_it_was_read_with(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(9)
    url = f"/api/v1/instruments/{w.instrument}/blocks"
    placed = await client.post(
        url, json=_block(local(day, 8), local(day, 10)), headers=w.manager.headers
    )
    assert placed.status_code == 201
    block, etag = placed.json(), placed.headers["ETag"]
    assert etag == f'"{block["id"]}-{block["version"]}"'
    move = {"start": local(day, 13).isoformat(), "end": local(day, 16).isoformat()}
    missing = await client.patch(f"{url}/{block['id']}", json=move, headers=w.manager.headers)
    assert missing.status_code == 428
    moved = await client.patch(
        f"{url}/{block['id']}", json=move, headers={**w.manager.headers, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["start"]) == local(day, 13)
    assert moved.json()["version"] == block["version"] + 1
    stale = await client.patch(
        f"{url}/{block['id']}",
        json={"end": local(day, 17).isoformat()},
        headers={**w.manager.headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    # The old time is free again, the new one is not.
    assert (
        await book(client, w.insider, w.instrument, local(day, 8), local(day, 9))
    ).status_code == 201
    assert (
        await book(client, w.insider, w.instrument, local(day, 14), local(day, 15))
    ).status_code == 409
    researcher = await client.patch(
        f"{url}/{block['id']}",
        json={"end": local(day, 17).isoformat()},
        headers={**w.insider.headers, "If-Match": moved.headers["ETag"]},
    )
    assert researcher.status_code == 403


async def test_resizing_a_block_over_bookings_is_refused_or_cancels_them_as_asked(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(9)
    url = f"/api/v1/instruments/{w.instrument}/blocks"
    placed = await client.post(
        url, json=_block(local(day, 8), local(day, 10)), headers=w.manager.headers
    )
    victim = (await book(client, w.outsider, w.instrument, local(day, 10), local(day, 11))).json()
    wider = {"end": local(day, 12).isoformat()}
    refused = await client.patch(
        f"{url}/{placed.json()['id']}",
        json=wider,
        headers={**w.manager.headers, "If-Match": placed.headers["ETag"]},
    )
    assert refused.status_code == 409
    assert [d["id"] for d in refused.json()["displaced"]] == [victim["id"]]
    done = await client.patch(
        f"{url}/{placed.json()['id']}",
        json={**wider, "on_conflict": "cancel"},
        headers={**w.manager.headers, "If-Match": placed.headers["ETag"]},
    )
    assert done.status_code == 200, done.text
    assert [d["id"] for d in done.json()["displaced"]] == [victim["id"]]
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", victim["id"]) == (
        "cancelled"
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE booking_id = $1 "
            "AND kind = 'booking_displaced' AND user_id = $2",
            victim["id"],
            w.outsider.id,
        )
        == 1
    )
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


def _next_dst_start() -> date:
    """The next spring-forward Sunday in New York (second Sunday of March)."""
    year = future_day(0).year + 1
    march = date(year, 3, 1)
    first_sunday = march + timedelta(days=(6 - march.weekday()) % 7)
    return first_sunday + timedelta(days=7)


async def test_a_daily_block_series_keeps_local_times_across_a_dst_change(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, region=await ensure_ny_region(db), zone=NEW_YORK)
    change = _next_dst_start()
    first = change - timedelta(days=2)
    start = datetime.combine(first, time(8), tzinfo=NEW_YORK)
    end = datetime.combine(first, time(12), tzinfo=NEW_YORK)
    response = await client.post(
        f"/api/v1/instruments/{w.instrument}/blocks/series",
        json=_block(start, end, repeat={"every": "daily", "count": 5}),
        headers=w.manager.headers,
    )
    assert response.status_code == 201, response.text
    placed = response.json()["blocks"]
    assert len(placed) == 5
    locals_ = [
        (
            datetime.fromisoformat(b["start"]).astimezone(NEW_YORK),
            datetime.fromisoformat(b["end"]).astimezone(NEW_YORK),
        )
        for b in placed
    ]
    assert [(a.date(), a.time(), b.time()) for a, b in locals_] == [
        (first + timedelta(days=n), time(8), time(12)) for n in range(5)
    ]
    # The UTC instants do move by the hour of the change.
    offsets = [a.utcoffset() for a, _ in locals_]
    assert offsets[0] != offsets[-1]
    series = {b["series_id"] for b in placed}
    assert series == {response.json()["series_id"]}


async def test_a_weekday_block_series_skips_weekends_and_is_refused_whole_over_bookings(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    monday = future_day(14, weekday=1)
    victim = (
        await book(
            client,
            w.insider,
            w.instrument,
            local(monday + timedelta(days=3), 7),
            local(monday + timedelta(days=3), 8),
        )
    ).json()
    url = f"/api/v1/instruments/{w.instrument}/blocks/series"
    body = _block(
        local(monday, 7),
        local(monday, 9),
        repeat={"every": "weekdays", "until": str(monday + timedelta(days=9))},
    )
    preview = await client.post(f"{url}?dry_run=true", json=body, headers=w.manager.headers)
    assert preview.status_code == 200 and [d["id"] for d in preview.json()["displaced"]] == [
        victim["id"]
    ]
    refused = await client.post(url, json=body, headers=w.manager.headers)
    assert refused.status_code == 409
    assert (
        await db.fetchval(
            "SELECT count(*) FROM booking WHERE instrument_id = $1 AND kind = 'maintenance'",
            w.instrument,
        )
        == 0
    )
    placed = await client.post(
        url, json={**body, "on_conflict": "cancel"}, headers=w.manager.headers
    )
    assert placed.status_code == 201, placed.text
    days = [
        datetime.fromisoformat(b["start"]).astimezone(w.zone).date()
        for b in placed.json()["blocks"]
    ]
    assert days == [monday + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9)]
    assert [d["id"] for d in placed.json()["displaced"]] == [victim["id"]]
    bad = await client.post(
        url,
        json=_block(local(monday, 7), local(monday, 9), repeat={"every": "daily"}),
        headers=w.manager.headers,
    )
    assert bad.status_code == 422


async def test_a_block_series_of_more_than_52_occurrences_is_refused_in_the_users_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(5)
    body = _block(
        local(day, 7),
        local(day, 8),
        repeat={"every": "daily", "until": str(day.replace(year=day.year + 1))},
    )
    url = f"/api/v1/instruments/{w.instrument}/blocks/series"
    zh = await client.post(url, json=body, headers=w.manager.headers)
    assert zh.status_code == 422
    assert [v["rule"] for v in zh.json()["violations"]] == ["repeat"]
    assert zh.json()["violations"][0]["message"].startswith("重复规则无效")
    outsider_manager = await client.post(url, json=body, headers=w.insider.headers)
    assert outsider_manager.status_code == 403
