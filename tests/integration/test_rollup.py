"""The roll-up against hand-computed figures, on the real database."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from service.db import Database
from service.metrics.rollup import rebuild, rollup_recent
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_booking, add_session, ensure_berlin

SH = ZoneInfo("Asia/Shanghai")
BER = ZoneInfo("Europe/Berlin")
H = 3600


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, tz: ZoneInfo = SH) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


async def daily(db: Database, instrument: int) -> dict[date, dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM usage_daily WHERE instrument_id = $1", instrument)
    return {r["day"]: dict(r) for r in rows}


async def period(db: Database, instrument: int, grain: str, start: date) -> dict[str, Any]:
    row = await db.fetchrow(
        "SELECT * FROM usage_period WHERE instrument_id = $1 AND grain = $2 AND period_start = $3",
        instrument,
        grain,
        start,
    )
    assert row is not None
    return dict(row)


async def test_internal_external_cross_region_split(db: Database) -> None:
    a = await make_institution(db, region="220100")
    b = await make_institution(db, region="220100")
    c = await make_institution(db, region="222400")
    inst = await make_instrument(db, a)
    await add_session(db, inst, a, at(2025, 3, 10, 8), at(2025, 3, 10, 10))
    await add_session(db, inst, b, at(2025, 3, 10, 10), at(2025, 3, 10, 13))
    await add_session(db, inst, c, at(2025, 3, 10, 14), at(2025, 3, 10, 15))
    await add_session(db, inst, c, at(2025, 3, 10, 16), None)  # still open: not counted
    await rebuild(db, date(2025, 3, 1), date(2025, 4, 1), [inst])
    day = (await daily(db, inst))[date(2025, 3, 10)]
    assert (day["effective_s"], day["external_s"], day["cross_region_s"], day["internal_s"]) == (
        6 * H,
        4 * H,
        1 * H,
        2 * H,
    )
    assert day["sessions"] == 3
    assert round(day["external_s"] / day["effective_s"] * 100, 1) == 66.7
    flows = await db.fetch(
        "SELECT user_institution_id, seconds FROM flow_daily WHERE instrument_id = $1", inst
    )
    assert sorted((r["user_institution_id"], r["seconds"]) for r in flows) == sorted(
        [(a, 2 * H), (b, 3 * H), (c, 1 * H)]
    )


async def test_split_across_midnight_month_and_year(db: Database) -> None:
    a = await make_institution(db)
    inst = await make_instrument(db, a)
    await add_session(db, inst, a, at(2024, 12, 31, 23, 30), at(2025, 1, 1, 0, 30))
    await add_session(db, inst, a, at(2025, 3, 10, 22), at(2025, 3, 11, 2))
    await add_session(db, inst, a, at(2025, 3, 31, 23), at(2025, 4, 1, 1))
    await rebuild(db, date(2024, 12, 1), date(2025, 5, 1), [inst])
    days = await daily(db, inst)
    assert days[date(2024, 12, 31)]["effective_s"] == H // 2
    assert days[date(2025, 1, 1)]["effective_s"] == H // 2
    assert days[date(2025, 3, 10)]["effective_s"] == 2 * H
    assert days[date(2025, 3, 11)]["effective_s"] == 2 * H
    assert days[date(2025, 3, 31)]["effective_s"] == H
    assert days[date(2025, 4, 1)]["effective_s"] == H
    assert (await period(db, inst, "month", date(2025, 3, 1)))["effective_s"] == 5 * H
    assert (await period(db, inst, "month", date(2025, 4, 1)))["effective_s"] == H
    assert (await period(db, inst, "year", date(2024, 1, 1)))["effective_s"] == H // 2
    assert (await period(db, inst, "year", date(2025, 1, 1)))["effective_s"] == 6 * H + H // 2
    # open around the clock (no weekly hours): 24 h on every ordinary day
    assert days[date(2025, 3, 12)]["available_s"] == 24 * H


async def test_dst_days_have_23_and_25_hours(db: Database) -> None:
    region = await ensure_berlin(db)
    a = await make_institution(db, region=region)
    inst = await make_instrument(db, a)
    # 01:00 CET to 04:00 CEST on the spring-forward day: two real hours
    await add_session(db, inst, a, at(2026, 3, 29, 1, tz=BER), at(2026, 3, 29, 4, tz=BER))
    # 23:00 on the Saturday to 01:00 local on the Sunday, split at local midnight
    await add_session(db, inst, a, at(2026, 3, 28, 23, tz=BER), at(2026, 3, 29, 0, 30, tz=BER))
    await rebuild(db, date(2026, 3, 28), date(2026, 3, 31), [inst])
    await rebuild(db, date(2026, 10, 25), date(2026, 10, 26), [inst])
    days = await daily(db, inst)
    assert days[date(2026, 3, 28)]["available_s"] == 24 * H
    assert days[date(2026, 3, 29)]["available_s"] == 23 * H
    assert days[date(2026, 3, 30)]["available_s"] == 24 * H
    assert days[date(2026, 10, 25)]["available_s"] == 25 * H
    assert days[date(2026, 3, 28)]["effective_s"] == H
    assert days[date(2026, 3, 29)]["effective_s"] == 2 * H + H // 2


async def test_opening_hours_maintenance_and_closures(db: Database) -> None:
    a = await make_institution(db)
    inst = await make_instrument(db, a)
    user = await make_user(db, a)
    for weekday in range(1, 6):
        await db.execute(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)",
            inst,
            weekday,
            time(8),
            time(18),
        )
    await db.execute(
        "INSERT INTO calendar_exception (instrument_id, day) VALUES ($1, $2)",
        inst,
        date(2025, 3, 12),
    )
    await add_booking(
        db,
        inst,
        user,
        at(2025, 3, 11, 9),
        at(2025, 3, 11, 11),
        kind="maintenance",
        status="confirmed",
    )
    await add_booking(
        db,
        inst,
        user,
        at(2025, 3, 13, 9),
        at(2025, 3, 13, 11),
        kind="maintenance",
        status="cancelled",
    )
    await rebuild(db, date(2025, 3, 10), date(2025, 3, 17), [inst])
    days = await daily(db, inst)
    assert days[date(2025, 3, 10)]["available_s"] == 10 * H  # Monday
    assert days[date(2025, 3, 11)]["available_s"] == 8 * H  # 2 h of maintenance
    assert date(2025, 3, 12) not in days  # closed all day, nothing happened
    assert days[date(2025, 3, 13)]["available_s"] == 10 * H  # cancelled block frees its time
    assert date(2025, 3, 15) not in days  # Saturday


async def test_no_shows_and_cancellations_are_not_used_time(db: Database) -> None:
    a = await make_institution(db)
    b = await make_institution(db)
    inst = await make_instrument(db, a)
    user = await make_user(db, b)
    kept = await add_booking(db, inst, user, at(2025, 6, 2, 9), at(2025, 6, 2, 12))
    await add_session(db, inst, b, at(2025, 6, 2, 9), at(2025, 6, 2, 11), booking_id=kept)
    await add_booking(db, inst, user, at(2025, 6, 2, 13), at(2025, 6, 2, 15), status="no_show")
    await add_booking(
        db, inst, user, at(2025, 6, 2, 15), at(2025, 6, 2, 16), status="cancelled", late=True
    )
    await add_booking(db, inst, user, at(2025, 6, 2, 16), at(2025, 6, 2, 17), status="cancelled")
    await add_booking(db, inst, user, at(2025, 6, 2, 17), at(2025, 6, 2, 18), status="rejected")
    await rebuild(db, date(2025, 6, 1), date(2025, 7, 1), [inst])
    day = (await daily(db, inst))[date(2025, 6, 2)]
    assert day["effective_s"] == 2 * H and day["external_s"] == 2 * H
    assert day["booked_s"] == 5 * H  # the kept booking and the no-show
    assert (day["bookings"], day["no_shows"], day["cancellations"], day["late_cancellations"]) == (
        2,
        1,
        2,
        1,
    )


async def test_rerun_changes_nothing_and_corrections_are_picked_up(db: Database) -> None:
    a = await make_institution(db)
    b = await make_institution(db, region="220200")
    inst = await make_instrument(db, a)
    session = await add_session(db, inst, b, at(2025, 8, 30, 20), at(2025, 9, 2, 4))
    await rebuild(db, date(2025, 8, 1), date(2025, 10, 1), [inst])

    async def snapshot() -> list[Any]:
        rows = await db.fetch(
            """SELECT 'd' AS t, day AS p, effective_s, external_s, available_s FROM usage_daily
               WHERE instrument_id = $1
               UNION ALL SELECT grain, period_start, effective_s, external_s, available_s
               FROM usage_period WHERE instrument_id = $1
               UNION ALL SELECT 'f', day, seconds, 0, 0 FROM flow_daily WHERE instrument_id = $1
               ORDER BY 1, 2""",
            inst,
        )
        return [tuple(r) for r in rows]

    first = await snapshot()
    assert await rebuild(db, date(2025, 8, 1), date(2025, 10, 1), [inst]) > 0
    assert await snapshot() == first
    assert sum(r[2] for r in first if r[0] == "d") == 56 * H
    await db.execute(
        "UPDATE usage_session SET ended_at = $2 WHERE id = $1", session, at(2025, 8, 30, 21)
    )
    await rebuild(db, date(2025, 8, 1), date(2025, 10, 1), [inst])
    assert (await period(db, inst, "month", date(2025, 9, 1)))["effective_s"] == 0
    assert (await period(db, inst, "year", date(2025, 1, 1)))["effective_s"] == H


async def test_rollup_recent_covers_yesterday_and_today(db: Database) -> None:
    a = await make_institution(db)
    inst = await make_instrument(db, a)
    now = at(2025, 11, 5, 10)
    await add_session(db, inst, a, at(2025, 11, 4, 9), at(2025, 11, 4, 10))
    assert await rollup_recent(db, now) > 0
    assert (await daily(db, inst))[date(2025, 11, 4)]["effective_s"] == H
