"""`.ics` uploads through the API: each read on its own (zones from one upload never reach
another), times as the file's VTIMEZONE says (as vobject and libical read them), and bounded:
a file over a limit is refused with a 422 naming the limit, and a hostile file never holds up
other requests, because it is read in a child process that is killed at its deadline."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.common.time import utcnow
from service.db import Database
from service.settings import Settings
from tests.factories import make_institution, make_instrument, make_user
from tests.ics_support import (
    ENDLESS_HOURLY,
    EST_WITH_US_DST,
    calendar,
    fixed_zone,
    local_event,
    monday_before,
    next_us_spring_forward,
    us_wall_time_in_utc,
    vobject_starts,
)
from tests.libical_support import read_with_libical

ICS = {"Content-Type": "text/calendar"}
BUDGET_SECONDS = 1.5


@pytest.fixture(scope="module")
def tight_app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(dataclasses.replace(settings, ics_import_max_seconds=BUDGET_SECONDS), db=db)


@pytest.fixture
async def tight(tight_app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=tight_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _manager(db: Database) -> tuple[int, dict[str, str]]:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    manager = await make_user(db, inst, manages=[instrument])
    return instrument, {**manager.headers, **ICS}


def _url(instrument: int, days: int = 366) -> str:
    return f"/api/v1/instruments/{instrument}/calendar/import?dry_run=true&days={days}"


def _starts(report: dict[str, Any]) -> dict[str, list[datetime]]:
    found: dict[str, list[datetime]] = {}
    for event in report["events"]:
        found.setdefault(event["uid"], []).append(datetime.fromisoformat(event["start"]))
    return found


async def test_two_uploads_in_one_process_keep_their_own_zones(
    client: httpx.AsyncClient, db: Database
) -> None:
    instrument, headers = await _manager(db)
    day = utcnow().date() + timedelta(days=10)
    tzid = "Customized Time Zone"
    first = calendar(fixed_zone(tzid, "+0400"), local_event("first", tzid, day, 9))
    second = calendar(fixed_zone(tzid, "-0400"), local_event("second", tzid, day, 9))
    nine = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    for body, uid, expected in (
        (first, "first", nine - timedelta(hours=4)),
        (second, "second", nine + timedelta(hours=4)),
        (first, "first", nine - timedelta(hours=4)),
    ):
        response = await client.post(_url(instrument), content=body, headers=headers)
        assert response.status_code == 200, response.text
        assert _starts(response.json()) == {uid: [expected]}
        assert vobject_starts(body)[uid] == [expected]


async def test_a_vtimezone_named_like_an_iana_zone_means_the_files_rules(
    client: httpx.AsyncClient, db: Database
) -> None:
    instrument, headers = await _manager(db)
    spring = next_us_spring_forward(utcnow().date() + timedelta(days=8))
    monday = monday_before(spring)
    body = calendar(EST_WITH_US_DST, local_event("weekly", "EST", monday, 9, "FREQ=WEEKLY;COUNT=3"))
    response = await client.post(_url(instrument), content=body, headers=headers)
    assert response.status_code == 200, response.text
    expected = [us_wall_time_in_utc(monday + timedelta(weeks=n), 9) for n in range(3)]
    assert [d.hour for d in expected] == [14, 13, 13]
    assert _starts(response.json())["weekly"] == expected
    assert vobject_starts(body)["weekly"] == expected
    assert read_with_libical(body).event("weekly").occurrences == expected


def _tiny(n: int) -> str:
    start = (utcnow() + timedelta(days=2)).strftime("%Y%m%dT000000Z")
    return f"UID:e{n}\r\nDTSTART:{start}\r\nDTEND:{start[:9]}010000Z\r\n"


async def test_files_over_a_limit_are_refused_naming_the_limit(
    tight: httpx.AsyncClient, client: httpx.AsyncClient, db: Database
) -> None:
    instrument, headers = await _manager(db)
    hourly = _tiny(0) + "RRULE:FREQ=HOURLY;COUNT=5000\r\n"
    cases = {
        "size": (calendar("", _tiny(0)) + b" " * 1_000_000, 1_000_000),
        "events": (calendar("", *(_tiny(n) for n in range(1001))), 1000),
        "occurrences": (calendar("", hourly), 2000),
        "seconds": (ENDLESS_HOURLY, BUDGET_SECONDS),
    }
    for limit, (body, maximum) in cases.items():
        # The count limits are read under the default time budget, so that a busy machine
        # cannot turn them into the time limit; only the time limit uses the tight one.
        reader = tight if limit == "seconds" else client
        response = await reader.post(_url(instrument, 180), content=body, headers=headers)
        assert response.status_code == 422, (limit, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert (problem["limit"], problem["maximum"]) == (limit, maximum), problem
        assert problem["violations"][0]["rule"] == f"limit_{limit}"
        assert limit.rstrip("s") in problem["detail"] or limit == "size", problem["detail"]


async def watch_liveness(client: httpx.AsyncClient, busy: asyncio.Task[Any]) -> list[float]:
    """Ask `/health/live` every 20 ms while `busy` runs; return the gaps (seconds) between
    consecutive answers, the first measured from the start. A blocked event loop shows as one
    long gap, however the requests happen to line up with it."""
    gaps: list[float] = []
    last = time.perf_counter()
    while not busy.done():
        response = await client.get("/health/live")
        assert response.status_code == 200
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        await asyncio.sleep(0.02)
    return gaps


async def test_liveness_answers_promptly_while_a_hostile_file_is_read(
    tight: httpx.AsyncClient, db: Database
) -> None:
    instrument, headers = await _manager(db)
    started = time.perf_counter()
    hostile = asyncio.create_task(
        tight.post(_url(instrument), content=ENDLESS_HOURLY, headers=headers)
    )
    gaps = await watch_liveness(tight, hostile)
    took = time.perf_counter() - started
    response = hostile.result()
    assert response.status_code == 422 and response.json()["limit"] == "seconds"
    assert took >= BUDGET_SECONDS
    # Before, the whole read ran on the event loop: nothing else was answered meanwhile.
    assert len(gaps) >= 10 and max(gaps) < took / 4, (max(gaps), len(gaps), took)
