"""The fast paths agree with the plain ones: search's one-probe conflict check (claims of any
length, buffers, half-open edges), alternatives that stop at the first free instruments, and the
booking engine's two-query refusal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from service.availability.refusal import refusal_for
from service.availability.search import alternatives_for, search_free
from service.availability.store import conflicts_in, next_free_slots
from service.db import Database
from service.policies.store import load_policy
from tests.availability_support import (
    Place,
    add_booking,
    ensure_test_category,
    make_place,
    new_instrument,
    set_hours,
    set_policy,
    utc,
    weekdays,
)

W0, W1 = utc(2033, 3, 14, 2), utc(2033, 3, 14, 4)  # a Monday, 10:00-12:00 in Changchun


async def _free_ids(
    db: Database, category: str, start: datetime = W0, end: datetime = W1
) -> set[int]:
    async with db.connection() as conn:
        rows, total = await search_free(
            conn, start, end, category=category, region=None, limit=100, offset=0
        )
    assert total == len(rows)
    return {r["id"] for r in rows}


async def _instruments(db: Database, place: Place, category: str, n: int) -> list[int]:
    return [await new_instrument(db, place, category=category) for _ in range(n)]


async def test_search_sees_claims_of_any_length_and_their_buffers(db: Database) -> None:
    place = await make_place(db)
    category = await ensure_test_category(db, "9611")
    ids = await _instruments(db, place, category, 9)
    day = timedelta(days=1)
    # A 40-day maintenance block starting long before the window covers it.
    await add_booking(db, place, ids[0], W0 - 30 * day, W0 + 10 * day, kind="maintenance")
    # Ends exactly where the window starts (half-open): free.
    await add_booking(db, place, ids[1], W0 - 9 * day, W0)
    # Its buffer reaches one minute into the window: taken.
    await add_booking(db, place, ids[2], W0 - 2 * day, W0, buffer_minutes=1)
    # Starts exactly at the window's end: free.
    await add_booking(db, place, ids[3], W1, W1 + day)
    # The last claim before the window's end is free of it, an earlier long one is not.
    await add_booking(db, place, ids[4], W0 - 8 * day, W0 + timedelta(hours=1))
    # Cancelled or completed claims never count, however long.
    await add_booking(db, place, ids[5], W0 - 20 * day, W1 + day, status="cancelled")
    await add_booking(db, place, ids[6], W0 - 20 * day, W1 + day, status="completed")
    # The instrument's own buffer widens the window: a claim 10 minutes after its end is in the
    # way with a 15-minute buffer, but not on an instrument without one.
    await set_policy(db, ids[7], buffer_minutes=15)
    await add_booking(db, place, ids[7], W1 + timedelta(minutes=10), W1 + day)
    await add_booking(db, place, ids[8], W1 + timedelta(minutes=10), W1 + day)
    free = await _free_ids(db, category)
    assert free == {ids[1], ids[3], ids[5], ids[6], ids[8]}
    # Held and pending claims count like confirmed ones.
    await add_booking(db, place, ids[5], W0 + timedelta(hours=1), W1, status="pending")
    await add_booking(db, place, ids[6], W0, W0 + timedelta(minutes=30), status="held")
    assert await _free_ids(db, category) == {ids[1], ids[3], ids[8]}
    # A window after the long block ends is free again.
    later = W0 + 10 * day
    assert ids[0] in await _free_ids(db, category, later, later + timedelta(hours=1))


async def test_alternatives_rank_exactly_like_the_search(db: Database) -> None:
    near, far = await make_place(db, "220100"), await make_place(db, "220300")
    other = await make_place(db, "220200")
    sub, sibling = [await ensure_test_category(db, c) for c in ("9612", "9613")]
    target = await new_instrument(db, near, category=sub)
    pool = [
        *await _instruments(db, far, sub, 3),
        *await _instruments(db, near, sibling, 3),
        *await _instruments(db, other, sub, 2),
        *await _instruments(db, near, sub, 2),
    ]
    await add_booking(db, near, pool[0], W0, W1)
    await add_booking(db, near, pool[4], W0 - timedelta(hours=1), W0 + timedelta(minutes=30))
    await set_hours(db, pool[8], weekdays(time(13), time(17)))  # closed at 10:00 local
    async with db.connection() as conn:
        for limit in (1, 3, 5, 100):
            fast = await alternatives_for(
                conn, target, sub, "220100", window=(W0, W1), user_region="220200", limit=limit
            )
            full, _ = await search_free(
                conn,
                W0,
                W1,
                category="96",
                region="220100",
                limit=limit,
                offset=0,
                preferred_category=sub,
                second_region="220200",
                exclude_id=target,
            )
            expected = [{k: v for k, v in r.items() if k != "category_code"} for r in full]
            assert fast == expected and len(fast) <= limit
    ranked = [r["id"] for r in fast if r["id"] in pool]
    assert ranked[:1] == [pool[9]] and target not in ranked
    assert pool[0] not in ranked and pool[4] not in ranked and pool[8] not in ranked


async def test_refusal_gives_the_same_answers_as_the_separate_functions(db: Database) -> None:
    place = await make_place(db)
    category = await ensure_test_category(db, "9614")
    target = await new_instrument(db, place, category=category)
    twin = await new_instrument(db, place, category=category)
    await set_policy(
        db, target, buffer_minutes=30, min_notice_minutes=0, horizon_days=365, max_minutes=600
    )
    await set_hours(db, target, weekdays(time(8), time(20)))
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day, opens, closes, reason) "
        "VALUES ($1, $2, NULL, NULL, 'holiday')",
        target,
        date(2033, 4, 11),
    )
    start, end = W0, W1
    await add_booking(db, place, target, W0 - timedelta(hours=1), W0 + timedelta(hours=1))
    # Blocked for four weeks after the request, up to a holiday, so the slot search walks
    # past the chunk read with the facts and past the holiday.
    await add_booking(db, place, target, W1, W1 + timedelta(days=28), kind="maintenance")
    now = utc(2033, 3, 1)
    async with db.connection() as conn:
        got = await refusal_for(conn, target, start, end, user_region="220100", now=now)
        policy = await load_policy(conn, target)
        conflicts = await conflicts_in(
            conn, target, start, end + timedelta(minutes=policy.buffer_minutes)
        )
        slots = await next_free_slots(conn, target, end - start, start, policy=policy, now=now)
        full, _ = await search_free(
            conn,
            start,
            end,
            category="96",
            region="220100",
            limit=5,
            offset=0,
            preferred_category=category,
            second_region="220100",
            exclude_id=target,
        )
    assert got.conflicts == conflicts and len(conflicts) == 2
    assert got.slots == slots and len(slots) == 5
    assert slots[0] == (utc(2033, 4, 12, 0), utc(2033, 4, 12, 2))  # Tuesday 08:00 local
    assert got.instruments == [{k: v for k, v in r.items() if k != "category_code"} for r in full]
    assert twin in [r["id"] for r in got.instruments]


async def test_refusal_for_an_unknown_instrument_is_empty(db: Database) -> None:
    async with db.connection() as conn:
        got = await refusal_for(conn, 10**12, W0, W1, user_region="220100", now=utc(2033, 3, 1))
    assert got == ([], [], [])
