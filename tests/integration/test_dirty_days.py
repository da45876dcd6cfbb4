"""Late changes reach the figures: writes mark dirty instrument-days in their own transaction,
the roll-up job recomputes them (claimed with SKIP LOCKED), and rebuilds cover whole sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.common.time import utcnow
from service.db import Database
from service.metrics import dirty, sql
from service.metrics.jobs import rollup_metrics
from service.metrics.rollup import rebuild
from service.settings import Settings
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_booking, add_session

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


async def dirty_days(db: Database, instrument: int) -> list[date]:
    rows = await db.fetch(
        "SELECT day FROM metrics_dirty_day WHERE instrument_id = $1 ORDER BY day", instrument
    )
    return [r["day"] for r in rows]


async def test_writes_mark_the_days_they_touch(db: Database) -> None:
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    user = await make_user(db, owner)
    session = await add_session(db, inst, owner, at(2025, 3, 10, 22), at(2025, 3, 12, 1))
    assert await dirty_days(db, inst) == [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)]
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    await db.execute(
        "UPDATE usage_session SET started_at = $2, ended_at = $3 WHERE id = $1",
        session,
        at(2025, 4, 1, 9),
        at(2025, 4, 1, 10),
    )  # the old days and the new one
    assert await dirty_days(db, inst) == [
        date(2025, 3, 10),
        date(2025, 3, 11),
        date(2025, 3, 12),
        date(2025, 4, 1),
    ]
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    # a booking's status (a no-show counts on its day); one far ahead marks nothing yet
    booking = await add_booking(db, inst, user, at(2025, 5, 6, 9), at(2025, 5, 6, 10))
    ahead = utcnow() + timedelta(days=20)
    await add_booking(db, inst, user, ahead, ahead + timedelta(hours=1), status="confirmed")
    assert await dirty_days(db, inst) == [date(2025, 5, 6)]
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    await db.execute("UPDATE booking SET status = 'no_show' WHERE id = $1", booking)
    assert await dirty_days(db, inst) == [date(2025, 5, 6)]
    await db.execute("UPDATE booking SET purpose = 'x' WHERE id = $1", booking)  # no figure
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    await db.execute("UPDATE booking SET purpose = 'y' WHERE id = $1", booking)
    assert await dirty_days(db, inst) == []
    # deleting the session marks its days again
    await db.execute("DELETE FROM usage_session WHERE id = $1", session)
    assert await dirty_days(db, inst) == [date(2025, 4, 1)]


async def test_ownership_retirement_and_memberships_mark_their_days(db: Database) -> None:
    owner = await make_institution(db)
    buyer = await make_institution(db, region="222400")
    inst = await make_instrument(db, owner)
    user = await make_user(db, buyer)
    await add_session(db, inst, buyer, at(2025, 6, 1, 9), at(2025, 6, 1, 11), user_id=user.id)
    await rebuild(db, date(2025, 6, 1), date(2025, 6, 3), [inst])  # rows for 1 and 2 June
    assert await dirty_days(db, inst) == []
    async with db.transaction() as conn:  # what a membership change calls in its transaction
        assert await dirty.mark_user_sessions(conn, user.id) == 1
    assert await dirty_days(db, inst) == [date(2025, 6, 1)]
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    await db.execute("UPDATE instrument SET institution_id = $2 WHERE id = $1", inst, buyer)
    assert await dirty_days(db, inst) == [date(2025, 6, 1), date(2025, 6, 2)]
    await db.execute("DELETE FROM metrics_dirty_day WHERE instrument_id = $1", inst)
    yesterday = utcnow() - timedelta(days=1)
    await db.execute("UPDATE instrument SET retired_at = $2 WHERE id = $1", inst, yesterday)
    days = await dirty_days(db, inst)
    today = utcnow().astimezone(SH).date()
    assert days[0] == yesterday.astimezone(SH).date() and days[-1] == today


async def test_a_late_session_reaches_the_figures_after_the_job(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    owner = await make_institution(db)
    guest = await make_institution(db, region="222400")
    inst = await make_instrument(db, owner)
    admin = await make_user(db, owner, admin_of=[owner])
    await add_session(db, inst, owner, at(2025, 2, 3, 9), at(2025, 2, 3, 11))
    await rebuild(db, date(2025, 2, 1), date(2025, 3, 1), [inst])
    params: dict[str, Any] = {
        "from": "2025-02-01",
        "to": "2025-03-01",
        "group_by": "instrument",
        "institution": owner,
    }

    async def row() -> dict[str, float]:
        r = await client.get("/api/v1/metrics/sharing", params=params, headers=admin.headers)
        return next(x for x in r.json()["rows"] if x["key"] == str(inst))

    assert (await row())["effective_hours"] == 2.0
    # entered late, for an old day: the recent roll-up alone would never see it
    await add_session(db, inst, guest, at(2025, 2, 20, 14), at(2025, 2, 20, 17))
    assert (await row())["effective_hours"] == 2.0
    jobs = (
        await client.get(
            "/api/v1/admin/jobs", headers=(await make_user(db, owner, platform_admin=True)).headers
        )
    ).json()
    assert jobs["figures"]["dirty_days"] >= 1
    assert jobs["figures"]["oldest_dirty_day"] <= "2025-02-20"
    result = await rollup_metrics(db, settings, utcnow())
    assert result.counts["late_days"] >= 1
    figures = await row()
    assert (figures["effective_hours"], figures["external_hours"], figures["sessions"]) == (
        5.0,
        3.0,
        2,
    )
    assert await dirty_days(db, inst) == []
    fresh = await dirty.freshness(db)
    assert fresh.as_of is not None and fresh.last_rollup_at is not None


async def test_a_mark_landing_during_a_roll_up_keeps_the_day_dirty(db: Database) -> None:
    """The roll-up deletes a dirty row only if its count of marks is what it saw at its start."""
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    await add_session(db, inst, owner, at(2025, 7, 1, 9), at(2025, 7, 1, 10))
    async with db.transaction() as roll:
        await roll.execute(sql.DIRTY_CREATE_SEEN)
        await roll.execute(sql.DIRTY_REMEMBER, date(2025, 7, 1), date(2025, 7, 2), [inst])
        # meanwhile a correction commits and marks the day again
        await add_session(db, inst, owner, at(2025, 7, 1, 12), at(2025, 7, 1, 13))
        await roll.execute(sql.DIRTY_RESOLVE)
    assert await dirty_days(db, inst) == [date(2025, 7, 1)]
    await rebuild(db, date(2025, 7, 1), date(2025, 7, 2), [inst])
    assert await dirty_days(db, inst) == []


async def test_two_schedulers_claim_different_days(db: Database) -> None:
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    for d in range(1, 7):
        await add_session(db, inst, owner, at(2001, 1, d, 9), at(2001, 1, d, 10))
    now = utcnow()
    before = date(2001, 1, 7)
    lease = now + timedelta(minutes=5)
    async with db.transaction() as first:
        mine = await first.fetch(sql.DIRTY_CLAIM, before, now, 3, lease, "a")
        async with db.transaction() as second:  # while the first claim is not yet committed
            theirs = await second.fetch(sql.DIRTY_CLAIM, before, now, 3, lease, "b")
    got = {(r["instrument_id"], r["day"]) for r in mine}
    other = {(r["instrument_id"], r["day"]) for r in theirs}
    assert len(got) == len(other) == 3 and not got & other
    assert got | other == {(inst, date(2001, 1, d)) for d in range(1, 7)}
    # leased rows are not taken again until the lease ends, then they are
    assert await db.fetch(sql.DIRTY_CLAIM, before, now, 100, lease, "c") == []
    later = await db.fetch(sql.DIRTY_CLAIM, before, lease, 100, lease + timedelta(minutes=5), "c")
    assert {(r["instrument_id"], r["day"]) for r in later} == got | other
    await db.execute(sql.DIRTY_RELEASE, "c", [inst] * 6, [date(2001, 1, d) for d in range(1, 7)])


async def test_a_rebuild_covers_whole_sessions(db: Database) -> None:
    owner = await make_institution(db)
    inst = await make_instrument(db, owner)
    await add_session(db, inst, owner, at(2025, 3, 31, 22), at(2025, 4, 1, 2))
    await rebuild(db, date(2025, 4, 1), date(2025, 5, 1), [inst])
    rows = {
        r["day"]: (r["effective_s"], r["sessions"])
        for r in await db.fetch(
            "SELECT day, effective_s, sessions FROM usage_daily WHERE instrument_id = $1 AND effective_s > 0",
            inst,
        )
    }
    # March 31 was recomputed with April; the session counts once, on the day it starts
    assert rows == {date(2025, 3, 31): (7200, 1), date(2025, 4, 1): (7200, 0)}
    march = await db.fetchval(
        "SELECT sessions FROM usage_period WHERE instrument_id = $1 AND grain = 'month' AND period_start = '2025-03-01'",
        inst,
    )
    assert march == 1
    assert await dirty_days(db, inst) == []


async def test_a_legal_entity_group_makes_use_internal(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    university = await make_institution(db)
    hospital = await make_institution(db)
    inst = await make_instrument(db, university)
    admin = await make_user(db, university, admin_of=[university])
    await add_session(db, inst, hospital, at(2024, 5, 6, 9), at(2024, 5, 6, 13))
    await rebuild(db, date(2024, 5, 1), date(2024, 6, 1), [inst])
    params: dict[str, Any] = {"from": "2024-05-01", "to": "2024-06-01", "institution": university}

    async def totals() -> dict[str, float]:
        r = await client.get("/api/v1/metrics/sharing", params=params, headers=admin.headers)
        totals: dict[str, float] = r.json()["totals"]
        return totals

    assert (await totals())["external_hours"] == 4.0
    records = {"from": "2024-05-01", "to": "2024-06-01", "format": "json"}
    url = "/api/v1/registry/service-records"
    assert len((await client.get(url, params=records, headers=admin.headers)).json()) == 1
    await db.execute(
        "UPDATE institution SET legal_entity_id = $2 WHERE id = $1", hospital, university
    )
    # the registry file's "external service only" follows the same definition, at once
    assert (await client.get(url, params=records, headers=admin.headers)).json() == []
    assert date(2024, 5, 6) in await dirty_days(db, inst)
    await rollup_metrics(db, settings, datetime.now(UTC))
    now = await totals()
    assert (now["external_hours"], now["internal_hours"], now["sharing_rate"]) == (0.0, 4.0, 0.0)
