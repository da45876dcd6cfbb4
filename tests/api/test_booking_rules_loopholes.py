"""Booking rules closing loopholes: ended bookings keep their outcome, caps count time already
used or missed, other people's bookings are cancelled with a reason, more per-user limits, and
the no-show grace of each instrument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.bookings.lifecycle import mark_no_shows
from service.db import Database
from tests.bookings_support import book, future_day, local, make_world, rules_of
from tests.factories import UserHandle


async def _into_the_past(db: Database, booking_id: int, hours_ago: float, length: float) -> None:
    """Move a booking so it started `hours_ago` and lasted `length` hours."""
    await db.execute(
        "UPDATE booking SET starts_at = now() - make_interval(secs => $2), "
        "ends_at = now() - make_interval(secs => $2 - $3), "
        "occupied_until = now() - make_interval(secs => $2 - $3) WHERE id = $1",
        booking_id,
        hours_ago * 3600,
        length * 3600,
    )


async def _moved(
    client: httpx.AsyncClient,
    db: Database,
    user: UserHandle,
    instrument: int,
    hours_ago: float,
    length: float,
) -> dict[str, Any]:
    """A booking of `user` (made ahead, as the engine wants) that started `hours_ago`."""
    day = future_day(5)
    made = await book(client, user, instrument, local(day, 9), local(day, 10))
    assert made.status_code == 201, made.text
    booking: dict[str, Any] = made.json()
    await _into_the_past(db, booking["id"], hours_ago, length)
    return booking


async def _history(client: httpx.AsyncClient, booking_id: int, headers: Any) -> list[Any]:
    response = await client.get(f"/api/v1/bookings/{booking_id}/history", headers=headers)
    assert response.status_code == 200
    return list(response.json())


# 1. An ended booking keeps its outcome.


async def test_a_booker_cannot_cancel_a_booking_that_has_ended(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    booking = await _moved(client, db, w.outsider, w.instrument, 2, 1)
    refused = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "forgot"},
        headers=w.outsider.headers,
    )
    assert refused.status_code == 422
    assert rules_of(refused) == {"booking_ended"}
    assert "manager" in refused.json()["violations"][0]["message"]  # outsider reads English
    status = await db.fetchval("SELECT status FROM booking WHERE id = $1", booking["id"])
    assert status == "confirmed"


async def test_a_booker_may_still_cancel_a_booking_that_has_not_ended(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    booking = await _moved(client, db, w.insider, w.instrument, 0.5, 1)
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", headers=w.insider.headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


async def test_after_the_end_only_a_manager_changes_the_outcome_with_a_reason_in_the_history(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    day = future_day(5)
    mine = (await book(client, w.manager, w.instrument, local(day, 9), local(day, 10))).json()
    theirs = (await book(client, w.insider, w.instrument, local(day, 11), local(day, 12))).json()
    for booking in (mine, theirs):
        await _into_the_past(db, booking["id"], 3 if booking is mine else 2, 1)
        bare = await client.post(
            f"/api/v1/bookings/{booking['id']}/cancel", headers=w.manager.headers
        )
        assert bare.status_code == 422 and rules_of(bare) == {"reason_required"}
    why = "the instrument was down all morning"
    done = await client.post(
        f"/api/v1/bookings/{mine['id']}/cancel", json={"reason": why}, headers=w.manager.headers
    )
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    last = (await _history(client, mine["id"], w.manager.headers))[-1]
    assert (last["action"], last["reason"], last["to_status"]) == ("cancel", why, "cancelled")


# 2. Daily and weekly caps count time already used or missed.


async def test_daily_cap_counts_time_already_missed_that_day(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", max_hours_per_day=0.5, max_hours_per_week=40)
    day = future_day(6)
    missed = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 9, 30))).json()
    await db.execute("UPDATE booking SET status = 'no_show' WHERE id = $1", missed["id"])
    again = await book(client, w.insider, w.instrument, local(day, 10), local(day, 10, 30))
    assert again.status_code == 422 and rules_of(again) == {"daily_limit"}
    other_day = day + timedelta(days=1)
    alone = await book(client, w.insider, w.instrument, local(other_day, 10), local(other_day, 11))
    assert rules_of(alone) == {"daily_limit"}  # one hour is over the cap on its own
    half = await book(
        client, w.insider, w.instrument, local(other_day, 10), local(other_day, 10, 30)
    )
    assert half.status_code == 201


async def test_daily_cap_counts_a_completed_booking_up_to_its_check_out(
    client: httpx.AsyncClient, db: Database
) -> None:
    """13 minutes used of a 30-minute slot leave 17 minutes of a 30-minute daily cap."""
    w = await make_world(
        db, approval="none", max_hours_per_day=0.5, granularity_minutes=15, min_minutes=15
    )
    day = future_day(6)
    used = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 9, 30))).json()
    await db.execute(
        """INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
               user_region_code, is_external, is_cross_region, started_at, ended_at)
           VALUES ($1, $2, $3, $4, '220100', false, false, $5, $6)""",
        w.instrument,
        used["id"],
        w.insider.id,
        w.owner,
        local(day, 9),
        local(day, 9, 13),
    )
    await db.execute("UPDATE booking SET status = 'completed' WHERE id = $1", used["id"])
    thirty = await book(client, w.insider, w.instrument, local(day, 10), local(day, 10, 30))
    assert thirty.status_code == 422 and rules_of(thirty) == {"daily_limit"}
    fifteen = await book(client, w.insider, w.instrument, local(day, 10), local(day, 10, 15))
    assert fifteen.status_code == 201


async def test_weekly_cap_counts_time_already_used_or_missed_that_week(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", max_hours_per_week=2)
    monday = future_day(14, weekday=1)
    first = (
        await book(client, w.outsider, w.instrument, local(monday, 9), local(monday, 10))
    ).json()
    second = (
        await book(client, w.outsider, w.instrument, local(monday, 11), local(monday, 12))
    ).json()
    await db.execute("UPDATE booking SET status = 'no_show' WHERE id = $1", first["id"])
    await db.execute("UPDATE booking SET status = 'completed' WHERE id = $1", second["id"])
    wednesday = monday + timedelta(days=2)
    over = await book(client, w.outsider, w.instrument, local(wednesday, 9), local(wednesday, 10))
    assert over.status_code == 422 and rules_of(over) == {"weekly_limit"}


async def test_cancelled_time_does_not_count_against_the_caps(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", max_hours_per_day=1)
    day = future_day(6)
    gone = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))).json()
    await client.post(f"/api/v1/bookings/{gone['id']}/cancel", headers=w.insider.headers)
    assert (
        await book(client, w.insider, w.instrument, local(day, 11), local(day, 12))
    ).status_code == 201


# 3. Cancelling someone else's booking needs a reason the booker sees.


async def test_a_manager_cancelling_someone_elses_booking_must_give_a_reason_the_booker_sees(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    day = future_day(5)
    booking = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    bare = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "  "}, headers=w.admin.headers
    )
    assert bare.status_code == 422 and rules_of(bare) == {"reason_required"}
    assert "理由" in bare.json()["violations"][0]["message"]  # the admin reads Chinese
    why = "the detector is being replaced that week"
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": why}, headers=w.admin.headers
    )
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    seen = await _history(client, booking["id"], w.outsider.headers)
    assert [e["reason"] for e in seen if e["action"] == "cancel"] == [why]
    notice = await db.fetchrow(
        "SELECT user_id, payload FROM notification_outbox "
        "WHERE booking_id = $1 AND kind = 'booking_cancelled'",
        booking["id"],
    )
    assert notice is not None and notice["user_id"] == w.outsider.id
    assert notice["payload"]["reason"] == why


async def test_a_booker_cancels_their_own_booking_without_a_reason(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    day = future_day(5)
    own = (await book(client, w.manager, w.instrument, local(day, 9), local(day, 10))).json()
    theirs = (await book(client, w.insider, w.instrument, local(day, 11), local(day, 12))).json()
    for booking, user in ((own, w.manager), (theirs, w.insider)):
        done = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=user.headers)
        assert done.status_code == 200


# 4. More limits.


async def test_a_cap_on_the_number_of_bookings_per_day(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", max_bookings_per_day=2)
    day = future_day(6)
    for hour in (9, 11):
        ok = await book(client, w.insider, w.instrument, local(day, hour), local(day, hour, 30))
        assert ok.status_code == 201
    third = await book(client, w.insider, w.instrument, local(day, 14), local(day, 14, 30))
    assert third.status_code == 422 and rules_of(third) == {"bookings_per_day_limit"}
    next_day = day + timedelta(days=1)
    assert (
        await book(client, w.insider, w.instrument, local(next_day, 14), local(next_day, 15))
    ).status_code == 201
    assert (
        await book(client, w.outsider, w.instrument, local(day, 14), local(day, 15))
    ).status_code in (201, 202)


async def test_a_cap_on_total_future_booked_time(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db, approval="none", max_future_hours=3)
    day = future_day(6)
    two = await book(client, w.insider, w.instrument, local(day, 9), local(day, 11))
    assert two.status_code == 201
    later = day + timedelta(days=20)
    over = await book(client, w.insider, w.instrument, local(later, 9), local(later, 10, 30))
    assert over.status_code == 422 and rules_of(over) == {"future_hours_limit"}
    fits = await book(client, w.insider, w.instrument, local(later, 9), local(later, 10))
    assert fits.status_code == 201
    # Time already past is not "future": the first booking used, the room is back.
    await _into_the_past(db, two.json()["id"], 3, 2)
    await db.execute("UPDATE booking SET status = 'completed' WHERE id = $1", two.json()["id"])
    assert (
        await book(client, w.insider, w.instrument, local(later, 11), local(later, 13))
    ).status_code == 201


async def test_a_minimum_gap_between_the_same_users_bookings_does_not_block_others(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", min_gap_minutes=60)
    day = future_day(6)
    assert (
        await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    ).status_code == 201
    for start, end in ((local(day, 10), local(day, 11)), (local(day, 7, 30), local(day, 8, 30))):
        close = await book(client, w.insider, w.instrument, start, end)
        assert close.status_code == 422 and rules_of(close) == {"min_gap"}
    assert (
        await book(client, w.insider, w.instrument, local(day, 11), local(day, 12))
    ).status_code == 201
    assert (
        await book(client, w.manager, w.instrument, local(day, 10), local(day, 11))
    ).status_code == 201


# 5. The no-show grace of each instrument.


async def test_the_no_show_job_waits_for_each_instruments_own_grace(
    client: httpx.AsyncClient, db: Database
) -> None:
    short = await make_world(db, approval="none", no_show_grace_minutes=10)
    long = await make_world(db, approval="none", no_show_grace_minutes=120)
    day = future_day(5)
    a = (await book(client, short.insider, short.instrument, local(day, 9), local(day, 12))).json()
    b = (await book(client, long.insider, long.instrument, local(day, 9), local(day, 12))).json()
    for booking in (a, b):
        await _into_the_past(db, booking["id"], 0.5, 3)  # started 30 minutes ago
    await mark_no_shows(db, datetime.now(UTC))
    statuses = dict(
        await db.fetch("SELECT id, status FROM booking WHERE id = ANY($1)", [a["id"], b["id"]])
    )
    assert statuses == {a["id"]: "no_show", b["id"]: "confirmed"}


async def test_a_manager_marks_a_no_show_only_after_the_grace_and_with_a_reason(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", no_show_grace_minutes=45)
    day = future_day(5)
    booking = (await book(client, w.insider, w.instrument, local(day, 9), local(day, 12))).json()
    url = f"/api/v1/bookings/{booking['id']}/no-show"
    await _into_the_past(db, booking["id"], 0.5, 3)
    early = await client.post(url, json={"reason": "nobody came"}, headers=w.manager.headers)
    assert early.status_code == 409 and "45" in early.json()["detail"]
    await _into_the_past(db, booking["id"], 1, 3)
    bare = await client.post(url, headers=w.manager.headers)
    assert bare.status_code == 422 and rules_of(bare) == {"reason_required"}
    marked = await client.post(url, json={"reason": "nobody came"}, headers=w.manager.headers)
    assert marked.status_code == 200 and marked.json()["status"] == "no_show"


async def test_a_no_show_can_be_undone_within_24_hours_and_the_job_leaves_it_alone(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", no_show_grace_minutes=0)
    booking = await _moved(client, db, w.insider, w.instrument, 1, 3)
    await mark_no_shows(db, datetime.now(UTC))
    undo = f"/api/v1/bookings/{booking['id']}/undo-no-show"
    assert (
        await client.post(undo, json={"reason": "x"}, headers=w.insider.headers)
    ).status_code == 403
    bare = await client.post(undo, headers=w.manager.headers)
    assert bare.status_code == 422 and rules_of(bare) == {"reason_required"}
    back = await client.post(
        undo, json={"reason": "she was there, forgot to check in"}, headers=w.manager.headers
    )
    assert back.status_code == 200 and back.json()["status"] == "confirmed"
    assert await mark_no_shows(db, datetime.now(UTC)) == 0
    events = await _history(client, booking["id"], w.manager.headers)
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events][-2:] == [
        ("no_show", "confirmed", "no_show"),
        ("undo_no_show", "no_show", "confirmed"),
    ]
    again = await client.post(undo, json={"reason": "x"}, headers=w.manager.headers)
    assert again.status_code == 409


async def test_a_no_show_older_than_24_hours_cannot_be_undone(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    booking = await _moved(client, db, w.insider, w.instrument, 30, 1)
    marked = await client.post(
        f"/api/v1/bookings/{booking['id']}/no-show",
        json={"reason": "nobody came"},
        headers=w.manager.headers,
    )
    assert marked.status_code == 200
    await db.execute(
        "UPDATE booking_event SET at = at - interval '25 hours' "
        "WHERE booking_id = $1 AND action = 'no_show'",
        booking["id"],
    )
    late = await client.post(
        f"/api/v1/bookings/{booking['id']}/undo-no-show",
        json={"reason": "too late"},
        headers=w.manager.headers,
    )
    assert late.status_code == 409


async def test_new_policy_settings_are_in_the_policy_api(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    url = f"/api/v1/instruments/{w.instrument}/policy"
    body = {
        "max_bookings_per_day": 3,
        "max_future_hours": "20",
        "min_gap_minutes": 30,
        "no_show_grace_minutes": 15,
    }
    saved = await client.put(url, json=body, headers=w.manager.headers)
    assert saved.status_code == 200, saved.text
    got = (await client.get(url, headers=w.manager.headers)).json()
    assert (got["max_bookings_per_day"], got["min_gap_minutes"], got["no_show_grace_minutes"]) == (
        3,
        30,
        15,
    )
    assert float(got["max_future_hours"]) == 20
    bad = await client.put(url, json={"max_future_hours": "-1"}, headers=w.manager.headers)
    assert bad.status_code == 422


# 6. Hours when the rules are relaxed.


async def test_relaxed_windows_lift_the_chosen_rules_for_bookings_wholly_inside_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    policy = {
        "min_notice_minutes": 0,
        "max_minutes": 240,
        "horizon_days": 30,
        "max_hours_per_day": "4",
        "relaxed_windows": [
            {"weekday": 6, "start": "00:00", "end": "24:00"},
            {"weekday": 7, "start": "00:00", "end": "24:00"},
        ],
        "relaxed_rules": ["max_duration", "daily_limit", "horizon"],
    }
    saved = await client.put(
        f"/api/v1/instruments/{w.instrument}/policy", json=policy, headers=w.manager.headers
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["relaxed_windows"][0] == {"weekday": 6, "start": "00:00", "end": "24:00"}
    saturday = future_day(7, weekday=6)
    whole_weekend = await book(
        client, w.insider, w.instrument, local(saturday, 0), local(saturday + timedelta(days=1), 20)
    )
    assert whole_weekend.status_code == 201, whole_weekend.text
    friday = saturday - timedelta(days=1)
    spill = await book(client, w.insider, w.instrument, local(friday, 20), local(saturday, 4))
    assert spill.status_code == 422 and rules_of(spill) == {"max_duration"}
    far = future_day(45, weekday=6)
    assert (
        await book(client, w.insider, w.instrument, local(far, 9), local(far, 12))
    ).status_code == 201
    far_weekday = far - timedelta(days=1)
    beyond = await book(
        client, w.insider, w.instrument, local(far_weekday, 9), local(far_weekday, 12)
    )
    assert rules_of(beyond) == {"horizon"}


async def test_relaxed_windows_are_validated(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    url = f"/api/v1/instruments/{w.instrument}/policy"
    backwards = {"relaxed_windows": [{"weekday": 1, "start": "22:00", "end": "08:00"}]}
    refused = await client.put(url, json=backwards, headers=w.manager.headers)
    assert refused.status_code == 422
    assert {v["rule"] for v in refused.json()["violations"]} == {"relaxed_windows"}
    unknown = await client.put(
        url, json={"relaxed_rules": ["min_notice"]}, headers=w.manager.headers
    )
    assert unknown.status_code in (400, 422)


# 7. Managers override the policy for one booking.


async def test_a_manager_overrides_duration_horizon_opening_hours_and_limits_with_a_reason(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", max_minutes=120, horizon_days=30)
    for weekday in range(1, 8):
        await db.execute(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) "
            "VALUES ($1, $2, '08:00', '18:00')",
            w.instrument,
            weekday,
        )
    far = future_day(40)
    long_night = (local(far, 14), local(far, 20))  # 6 h, past closing, beyond the horizon
    plain = await book(client, w.manager, w.instrument, *long_night)
    assert rules_of(plain) == {"max_duration", "horizon", "outside_opening_hours"}
    why = "overnight calibration run agreed with the lab"
    forced = await book(client, w.manager, w.instrument, *long_night, override_reason=why)
    assert forced.status_code == 201, forced.text
    created = (await _history(client, forced.json()["id"], w.manager.headers))[0]
    assert created["action"] == "created"
    assert created["data"]["override"] == {
        "reason": why,
        "rules": ["max_duration", "horizon", "outside_opening_hours"],
    }


async def test_an_override_never_sets_aside_an_overlap_or_the_rules_it_does_not_cover(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none", buffer_minutes=30)
    day = future_day(6)
    assert (
        await book(client, w.insider, w.instrument, local(day, 9), local(day, 10))
    ).status_code == 201
    in_buffer = await book(
        client, w.manager, w.instrument, local(day, 10), local(day, 11), override_reason="urgent"
    )
    assert in_buffer.status_code == 409
    past = await book(
        client,
        w.manager,
        w.instrument,
        datetime.now(UTC) - timedelta(days=1),
        datetime.now(UTC) - timedelta(hours=23),
        override_reason="urgent",
    )
    assert past.status_code == 422 and "in_the_past" in rules_of(past)


async def test_only_managers_may_override_or_book_for_someone_else(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, approval="none")
    day = future_day(6)
    # An unknown account is refused alike: the answer never tells who has an account.
    for extra in ({"override_reason": "please"}, {"on_behalf_of": w.outsider.id},
                  {"on_behalf_of": 2**40}):  # fmt: skip
        refused = await book(
            client, w.insider, w.instrument, local(day, 9), local(day, 10), **extra
        )
        assert refused.status_code == 403
    assert (
        await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", w.instrument)
        == 0
    )


# 8. Managers book on behalf of a user.


async def test_a_manager_books_for_a_user_the_booking_is_the_users_with_booked_by_kept(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, max_hours_per_day=1, fee_enterprise=300, fee_internal=10)
    day = future_day(6)
    made = await book(
        client, w.manager, w.instrument, local(day, 9), local(day, 10), on_behalf_of=w.enterprise.id
    )
    assert made.status_code == 201, made.text
    booking = made.json()
    assert (booking["user_id"], booking["booked_by"]) == (w.enterprise.id, w.manager.id)
    assert booking["fee_class"] == "enterprise" and booking["status"] == "confirmed"
    assert float(booking["estimated_cost"]) == 300
    # The user's own limits apply to what is booked for them.
    over = await book(
        client,
        w.manager,
        w.instrument,
        local(day, 11),
        local(day, 12),
        on_behalf_of=w.enterprise.id,
    )
    assert over.status_code == 422 and rules_of(over) == {"daily_limit"}
    mine = await client.get("/api/v1/bookings?scope=mine", headers=w.enterprise.headers)
    assert [b["id"] for b in mine.json()["items"]] == [booking["id"]]
    assert ("booking_confirmed", w.enterprise.id) in [
        (r["kind"], r["user_id"])
        for r in await db.fetch(
            "SELECT kind, user_id FROM notification_outbox WHERE booking_id = $1", booking["id"]
        )
    ]
    created = (await _history(client, booking["id"], w.manager.headers))[0]
    assert created["actor_user_id"] == w.manager.id and created["data"]["booked_by"] == w.manager.id
    # Overridden, the user's limit is set aside, with the reason kept.
    forced = await book(
        client,
        w.manager,
        w.instrument,
        local(day, 11),
        local(day, 12),
        on_behalf_of=w.enterprise.id,
        override_reason="second run of the same samples",
    )
    assert forced.status_code == 201 and forced.json()["user_id"] == w.enterprise.id


async def test_booking_for_an_unknown_user_is_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db)
    day = future_day(6)
    refused = await book(
        client, w.manager, w.instrument, local(day, 9), local(day, 10), on_behalf_of=2**40
    )
    assert refused.status_code == 422 and rules_of(refused) == {"on_behalf_of"}


async def test_a_series_booked_for_a_user_with_an_override_is_theirs_in_every_occurrence(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, max_hours_per_week=1, max_minutes=60)
    monday = future_day(14, weekday=1)
    made = await book(
        client,
        w.manager,
        w.instrument,
        local(monday, 9),
        local(monday, 11),
        on_behalf_of=w.outsider.id,
        override_reason="a two-hour course every morning",
        recurrence={"rrule": "FREQ=DAILY;COUNT=3"},
    )
    assert made.status_code == 201, made.text
    booked = made.json()["booked"]
    assert len(booked) == 3
    assert {(b["user_id"], b["booked_by"], b["status"]) for b in booked} == {
        (w.outsider.id, w.manager.id, "confirmed")
    }
    created = (await _history(client, booked[-1]["id"], w.manager.headers))[0]
    assert created["data"]["override"]["rules"] == ["max_duration", "weekly_limit"]
    owner = await db.fetchval(
        "SELECT user_id FROM booking_series WHERE id = $1", made.json()["series_id"]
    )
    assert owner == w.outsider.id
    # Without the override the user's own rules refuse the series.
    plain = await book(
        client,
        w.manager,
        w.instrument,
        local(monday + timedelta(days=7), 9),
        local(monday + timedelta(days=7), 11),
        on_behalf_of=w.outsider.id,
        recurrence={"rrule": "FREQ=DAILY;COUNT=2"},
    )
    assert plain.status_code == 422
    assert {"max_duration"} <= rules_of(plain)
