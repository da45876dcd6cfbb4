"""Availability and booking agree: what `/slots` offers and what `/availability` shows free
(within the policy) is accepted by `POST /api/v1/bookings`, for random policies, opening hours
and existing bookings, in a DST zone and a fixed-offset one."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

import asyncpg
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.db import Database
from tests.availability_support import (
    add_booking,
    ensure_berlin_region,
    far_monday,
    make_place,
    new_instrument,
    set_hours,
    set_policy,
    weekdays,
)
from tests.factories import make_user

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scenarios = st.fixed_dictionaries(
    {
        "berlin": st.booleans(),
        "granularity": st.sampled_from([15, 30, 60]),
        "min_steps": st.integers(1, 3),
        "extra_steps": st.integers(0, 4),
        "buffer": st.sampled_from([0, 10, 30]),
        "hours": st.one_of(st.none(), st.tuples(st.integers(6, 11), st.integers(13, 20))),
        "bookings": st.lists(st.tuples(st.integers(0, 47), st.integers(1, 6)), max_size=4),
        "day": st.integers(0, 6),
    }
)


async def _scenario(
    db: Database, s: dict[str, Any]
) -> tuple[int, dict[str, str], datetime, int, int]:
    """An instrument set up as `s` describes, a booker's headers, the day, duration, buffer."""
    region = await ensure_berlin_region(db) if s["berlin"] else "220100"
    place = await make_place(db, region)
    instrument = await new_instrument(db, place)
    g = s["granularity"]
    minimum = g * s["min_steps"]
    await set_policy(
        db,
        instrument,
        min_minutes=minimum,
        max_minutes=minimum + g * s["extra_steps"],
        granularity_minutes=g,
        buffer_minutes=s["buffer"],
        min_notice_minutes=0,
        approval="none",
    )
    if s["hours"]:
        await set_hours(
            db, instrument, weekdays(time(s["hours"][0]), time(s["hours"][1]), range(1, 8))
        )
    day = far_monday() + timedelta(days=s["day"])
    for slot, length in s["bookings"]:
        start = day + timedelta(minutes=30 * slot)
        try:
            await add_booking(db, place, instrument, start, start + timedelta(minutes=20 * length))
        except asyncpg.ExclusionViolationError:  # an overlapping random booking is left out
            continue
    booker = await make_user(db, place.institution_id)
    return instrument, booker.headers, day, minimum + g * s["extra_steps"], s["buffer"]


async def _book(
    client: httpx.AsyncClient, headers: dict[str, str], instrument: int, start: str, end: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/bookings",
        json={"instrument_id": instrument, "start": start, "end": end, "purpose": "property"},
        headers=headers,
    )


@SETTINGS
@given(s=scenarios, pick=st.randoms(use_true_random=False))
async def test_offered_slots_are_accepted(
    db: Database, client: httpx.AsyncClient, s: dict[str, Any], pick: random.Random
) -> None:
    instrument, headers, day, minutes, _ = await _scenario(db, s)
    response = await client.get(
        f"/api/v1/instruments/{instrument}/slots",
        params={
            "from": day.isoformat(),
            "to": (day + timedelta(days=1)).isoformat(),
            "duration_minutes": str(minutes),
        },
    )
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    if not slots:
        return
    chosen = pick.choice(slots)
    booked = await _book(client, headers, instrument, chosen["start"], chosen["end"])
    assert booked.status_code == 201, (chosen, booked.text)


@SETTINGS
@given(s=scenarios, pick=st.randoms(use_true_random=False))
async def test_free_intervals_that_fit_the_policy_are_bookable(
    db: Database, client: httpx.AsyncClient, s: dict[str, Any], pick: random.Random
) -> None:
    instrument, headers, day, minutes, buffer = await _scenario(db, s)
    response = await client.get(
        f"/api/v1/instruments/{instrument}/availability",
        params={"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200, response.text
    g = timedelta(minutes=s["granularity"])
    duration = timedelta(minutes=minutes)
    fitting = []
    for free in response.json()["free"]:
        a, b = datetime.fromisoformat(free["start"]), datetime.fromisoformat(free["end"])
        # Grid starts inside the interval whose booking and buffer stay inside it (the day
        # starts at UTC midnight, on every grid of both zones' whole-hour offsets).
        start = day + g * -(-(a - day) // g)
        while start + duration + timedelta(minutes=buffer) <= b:
            fitting.append(start)
            start += g
    if not fitting:
        return
    chosen = pick.choice(fitting)
    booked = await _book(
        client, headers, instrument, chosen.isoformat(), (chosen + duration).isoformat()
    )
    assert booked.status_code == 201, (chosen, booked.text)
