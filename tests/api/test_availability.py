"""Free/busy of one instrument over HTTP: kinds, half-open edges, buffers, closures, bad input."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from service.db import Database
from tests.availability_support import (
    add_booking,
    ensure_berlin_region,
    far_monday,
    make_place,
    new_instrument,
    set_hours,
    set_policy,
    utc,
    weekdays,
)


def _iso(value: datetime) -> str:
    return value.isoformat()


async def _availability(
    client: httpx.AsyncClient, instrument: int, start: str, end: str
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/instruments/{instrument}/availability", params={"from": start, "to": end}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_busy_kinds_and_free_is_open_minus_busy(
    db: Database, client: httpx.AsyncClient
) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    # Shanghai: 09:00–17:00 local = 01:00–09:00 UTC on weekdays.
    await set_hours(db, instrument, weekdays(time(9), time(17)))
    day = utc(2031, 3, 3)  # a Monday
    await add_booking(db, place, instrument, day.replace(hour=1), day.replace(hour=2))
    await add_booking(
        db, place, instrument, day.replace(hour=4), day.replace(hour=5), kind="maintenance"
    )
    await add_booking(
        db, place, instrument, day.replace(hour=6), day.replace(hour=7), status="cancelled"
    )
    body = await _availability(client, instrument, "2031-03-03T00:00:00Z", "2031-03-04T00:00:00Z")
    assert body["timezone"] == "Asia/Shanghai"
    busy = [(b["kind"], b["start"][11:16], b["end"][11:16]) for b in body["busy"]]
    assert busy == [
        ("closed", "00:00", "01:00"),
        ("booking", "01:00", "02:00"),
        ("maintenance", "04:00", "05:00"),
        ("closed", "09:00", "00:00"),
    ]
    free = [(f["start"][11:16], f["end"][11:16]) for f in body["free"]]
    assert free == [("02:00", "04:00"), ("05:00", "09:00")]
    assert all(set(b) == {"start", "end", "kind"} for b in body["busy"])


async def test_half_open_edges_and_buffer(db: Database, client: httpx.AsyncClient) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    day = utc(2031, 3, 4)
    await add_booking(db, place, instrument, day.replace(hour=9), day.replace(hour=10))
    await add_booking(
        db, place, instrument, day.replace(hour=12), day.replace(hour=13), buffer_minutes=30
    )
    body = await _availability(client, instrument, "2031-03-04T08:00:00Z", "2031-03-04T16:00:00Z")
    free = [(f["start"][11:16], f["end"][11:16]) for f in body["free"]]
    assert free == [("08:00", "09:00"), ("10:00", "12:00"), ("13:30", "16:00")]
    # A window that ends exactly where a booking starts shows nothing busy.
    edge = await _availability(client, instrument, "2031-03-04T08:00:00Z", "2031-03-04T09:00:00Z")
    assert edge["busy"] == [] and len(edge["free"]) == 1


async def test_window_given_in_another_offset(db: Database, client: httpx.AsyncClient) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    await add_booking(db, place, instrument, utc(2031, 3, 5, 2), utc(2031, 3, 5, 3))
    body = await _availability(
        client, instrument, "2031-03-05T09:00:00+08:00", "2031-03-05T12:00:00+08:00"
    )
    assert [(b["start"], b["end"]) for b in body["busy"]] == [
        ("2031-03-05T02:00:00Z", "2031-03-05T03:00:00Z")
    ]


async def test_closures_and_special_hours_in_berlin_across_dst(
    db: Database, client: httpx.AsyncClient
) -> None:
    region = await ensure_berlin_region(db)
    place = await make_place(db, region)
    instrument = await new_instrument(db, place)
    await set_hours(db, instrument, weekdays(time(9), time(17), range(1, 8)))
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, reason) VALUES ($1, $2, 'holiday')",
        instrument,
        date(2031, 3, 31),
    )
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, opens, closes) VALUES ($1, $2, $3, $4)",
        instrument,
        date(2031, 4, 1),
        time(13),
        time(15),
    )
    # 2031-03-30 is the spring-forward Sunday: winter on Saturday, summer from Sunday.
    body = await _availability(client, instrument, "2031-03-29T00:00:00Z", "2031-04-02T00:00:00Z")
    assert body["timezone"] == "Europe/Berlin"
    free = [(f["start"], f["end"]) for f in body["free"]]
    assert free == [
        ("2031-03-29T08:00:00Z", "2031-03-29T16:00:00Z"),
        ("2031-03-30T07:00:00Z", "2031-03-30T15:00:00Z"),
        ("2031-04-01T11:00:00Z", "2031-04-01T13:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "2031-03-04T10:00:00Z", "to": "2031-03-04T10:00:00Z"}, 422),
        ({"from": "2031-03-04T10:00:00Z", "to": "2031-03-04T09:00:00Z"}, 422),
        ({"from": "2031-03-01T00:00:00Z", "to": "2031-05-03T00:00:01Z"}, 422),
        ({"from": "2031-03-04T10:00:00", "to": "2031-03-04T12:00:00Z"}, 422),
        ({"from": "2031-03-04T10:00:00Z", "to": "2031-03-04T12:00:00"}, 422),
        ({"from": "yesterday", "to": "2031-03-04T12:00:00Z"}, 422),
        ({"to": "2031-03-04T12:00:00Z"}, 422),
    ],
)
async def test_bad_windows_are_problems(
    db: Database, client: httpx.AsyncClient, params: dict[str, str], status: int
) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    response = await client.get(f"/api/v1/instruments/{instrument}/availability", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:00:00+14:00", "0001-01-01T03:00:00+14:00"),
        ("9999-12-31T12:00:00-12:00", "9999-12-31T23:00:00-12:00"),
    ],
)
async def test_windows_at_the_end_of_the_calendar_are_problems(
    db: Database, client: httpx.AsyncClient, start: str, end: str
) -> None:
    """Converting these to UTC or local time overflows Python's dates; once a 500."""
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    window = {"from": start, "to": end}
    for path, params in (
        (f"/api/v1/instruments/{instrument}/availability", window),
        (f"/api/v1/instruments/{instrument}/slots", {**window, "duration_minutes": "60"}),
        ("/api/v1/availability/search", {"start": start, "end": end}),
    ):
        response = await client.get(path, params=params)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_instrument_is_404(client: httpx.AsyncClient) -> None:
    for instrument in (2**62, 2**63 + 5, 0):
        response = await client.get(
            f"/api/v1/instruments/{instrument}/availability",
            params={"from": "2031-03-04T10:00:00Z", "to": "2031-03-04T12:00:00Z"},
        )
        assert response.status_code in {404, 400, 422}, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    response = await client.get(
        f"/api/v1/instruments/{2**62}/availability",
        params={"from": "2031-03-04T10:00:00Z", "to": "2031-03-04T12:00:00Z"},
    )
    assert response.status_code == 404


async def test_does_not_reveal_who(db: Database, client: httpx.AsyncClient) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    await add_booking(db, place, instrument, utc(2031, 3, 6, 2), utc(2031, 3, 6, 3))
    response = await client.get(
        f"/api/v1/instruments/{instrument}/availability",
        params={"from": "2031-03-06T00:00:00Z", "to": "2031-03-07T00:00:00Z"},
    )
    text = response.text
    assert str(place.booker_id) not in text.replace(str(instrument), "")
    assert "user" not in text and "institution" not in text


async def test_slots_follow_policy_hours_and_bookings(
    db: Database, client: httpx.AsyncClient
) -> None:
    place = await make_place(db)
    instrument = await new_instrument(db, place)
    await set_hours(db, instrument, weekdays(time(9), time(13)))  # 01:00–05:00 UTC
    await set_policy(
        db, instrument, min_minutes=60, max_minutes=120, granularity_minutes=60, buffer_minutes=30
    )
    monday = far_monday()
    await add_booking(db, place, instrument, monday.replace(hour=3), monday.replace(hour=4))
    response = await client.get(
        f"/api/v1/instruments/{instrument}/slots",
        params={
            "from": monday.isoformat(),
            "to": (monday + timedelta(days=1)).isoformat(),
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # 02:00 would hold the instrument until 03:30 (buffer): refused. 04:00 ends at closing.
    assert [s["start"][11:16] for s in body["slots"]] == ["01:00", "04:00"]
    assert body["slots"][0]["end"][11:16] == "02:00" and body["truncated"] is False
    for minutes in ("30", "90", "180"):
        bad = await client.get(
            f"/api/v1/instruments/{instrument}/slots",
            params={
                "from": monday.isoformat(),
                "to": (monday + timedelta(days=1)).isoformat(),
                "duration_minutes": minutes,
            },
        )
        assert bad.status_code == 422 and bad.json()["violations"], bad.text
    past = await client.get(
        f"/api/v1/instruments/{instrument}/slots",
        params={
            "from": "2020-01-06T00:00:00Z",
            "to": "2020-01-07T00:00:00Z",
            "duration_minutes": "60",
        },
    )
    assert past.status_code == 200 and past.json()["slots"] == []
