"""Recurring bookings: expansion in the instrument's zone, per-occurrence checks, cancel scopes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from service.db import Database
from tests.bookings_support import NEW_YORK, SHANGHAI, book, ensure_ny_region, local, make_world


def next_dst_change_week() -> date:
    """A Monday one or two weeks before the next New York DST change (March or November)."""
    today = datetime.now(UTC).date()
    for days in range(14, 400):
        day = today + timedelta(days=days)
        before = datetime.combine(day, datetime.min.time(), tzinfo=NEW_YORK).utcoffset()
        after = datetime.combine(
            day + timedelta(days=1), datetime.min.time(), tzinfo=NEW_YORK
        ).utcoffset()
        if before != after:
            monday = day - timedelta(days=day.weekday()) - timedelta(days=14)
            return max(monday, today + timedelta(days=7 - today.weekday()))
    raise AssertionError("no DST change within a year")


async def test_weekly_series_keeps_local_time_across_dst(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(
        db, region=await ensure_ny_region(db), zone=NEW_YORK, approval="none", horizon_days=400
    )
    monday = next_dst_change_week()
    start = local(monday, 9, zone=NEW_YORK)
    response = await book(
        client,
        w.insider,
        w.instrument,
        start,
        start + timedelta(hours=1),
        recurrence={"rrule": "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"},
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["series_id"] and data["skipped"] == [] and len(data["booked"]) == 10
    starts = [datetime.fromisoformat(b["start"]) for b in data["booked"]]
    local_starts = [s.astimezone(NEW_YORK) for s in starts]
    assert all((s.hour, s.minute) == (9, 0) for s in local_starts)
    assert {s.strftime("%a") for s in local_starts} == {"Mon", "Wed"}
    assert len({s.utcoffset() for s in local_starts}) == 2  # the series crosses the change
    assert all(b["series_id"] == data["series_id"] for b in data["booked"])


async def test_all_or_nothing_refuses_with_each_conflict(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    monday = datetime.now(UTC).date() + timedelta(days=14 - datetime.now(UTC).weekday())
    await book(
        client,
        w.manager,
        w.instrument,
        local(monday + timedelta(days=7), 9),
        local(monday + timedelta(days=7), 10),
    )
    series = {"rrule": "FREQ=DAILY;INTERVAL=7;COUNT=3", "mode": "all_or_nothing"}
    refused = await book(
        client, w.insider, w.instrument, local(monday, 9), local(monday, 10), recurrence=series
    )
    assert refused.status_code == 409
    problem = refused.json()
    assert (
        len(problem["skipped"]) == 1 and problem["skipped"][0]["reasons"][0]["rule"] == "conflict"
    )
    assert problem["conflicts"][0]["kind"] == "booking"
    count = await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", w.instrument)
    assert count == 1
    skipping = await book(
        client,
        w.insider,
        w.instrument,
        local(monday, 9),
        local(monday, 10),
        recurrence={**series, "mode": "skip_conflicts"},
    )
    assert skipping.status_code == 201
    assert len(skipping.json()["booked"]) == 2 and len(skipping.json()["skipped"]) == 1


async def test_series_reports_rule_violations_per_occurrence(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", horizon_days=20)
    monday = datetime.now(UTC).date() + timedelta(days=7 - datetime.now(UTC).weekday())
    response = await book(
        client,
        w.insider,
        w.instrument,
        local(monday, 9),
        local(monday, 10),
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=5", "mode": "skip_conflicts"},
    )
    assert response.status_code == 201
    skipped = response.json()["skipped"]
    assert skipped and all(s["reasons"][0]["rule"] == "horizon" for s in skipped)


async def test_an_all_or_nothing_series_names_each_broken_rule_once_with_its_occurrence_dates(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", horizon_days=20)
    monday = datetime.now(UTC).date() + timedelta(days=7 - datetime.now(UTC).weekday())
    response = await book(
        client,
        w.insider,
        w.instrument,
        local(monday, 9),
        local(monday, 10),
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=5", "mode": "all_or_nothing"},
    )
    assert response.status_code == 422
    body = response.json()
    late = [datetime.fromisoformat(s["start"]).astimezone(SHANGHAI).date() for s in body["skipped"]]
    assert len(late) >= 2, "the horizon should cut at least the last two weeks"
    assert [v["rule"] for v in body["violations"]] == ["horizon"]
    assert [date.fromisoformat(d) for d in body["violations"][0]["occurrences"]] == late


async def test_bad_rules_refused(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = datetime.now(UTC).date() + timedelta(days=5)
    for rule in (
        "FREQ=MONTHLY;COUNT=3",
        "FREQ=WEEKLY",
        "FREQ=DAILY;COUNT=53",
        "FREQ=DAILY;UNTIL=20990101",
        "garbage!",
        # These once hung the event loop or raised past the handler (500).
        "FREQ=DAILY;INTERVAL=-1;COUNT=3",
        "FREQ=DAILY;INTERVAL=0;BYDAY=MO;UNTIL=20300101",
        "FREQ=DAILY;INTERVAL=7;BYDAY=MO;COUNT=3",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=DAILY;BYYEARDAY=400;COUNT=3",
        "FREQ=DAILY;INTERVAL=52;UNTIL=99991231T235959Z",
    ):
        response = await book(
            client,
            w.insider,
            w.instrument,
            local(day, 9),
            local(day, 10),
            recurrence={"rrule": rule},
        )
        assert response.status_code == 422, rule
    assert (
        await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", w.instrument)
        == 0
    )


async def test_cancel_this_and_following(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none")
    day = datetime.now(UTC).date() + timedelta(days=3)
    made = await book(
        client,
        w.insider,
        w.instrument,
        local(day, 9),
        local(day, 10),
        recurrence={"rrule": "FREQ=DAILY;COUNT=5"},
    )
    ids = [b["id"] for b in made.json()["booked"]]
    one = await client.post(
        f"/api/v1/bookings/{ids[0]}/cancel", json={"scope": "one"}, headers=w.insider.headers
    )
    assert one.json()["also_cancelled"] == []
    following = await client.post(
        f"/api/v1/bookings/{ids[2]}/cancel", json={"scope": "following"}, headers=w.insider.headers
    )
    assert following.status_code == 200 and following.json()["also_cancelled"] == ids[3:]
    status = dict(
        await db.fetch("SELECT id, status FROM booking WHERE id = ANY($1::bigint[])", ids)
    )
    assert [status[i] for i in ids] == [
        "cancelled",
        "confirmed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    every = await client.post(
        f"/api/v1/bookings/{ids[1]}/cancel",
        json={"scope": "all", "reason": "the instrument moves to another building"},
        headers=w.manager.headers,
    )
    assert every.status_code == 200 and every.json()["status"] == "cancelled"
