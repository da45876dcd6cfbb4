"""A researcher's own usage history: their sessions and hours per instrument."""

from __future__ import annotations

from datetime import date

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.common.pagination import offset
from service.db import Database
from service.metrics.figures import hours
from service.metrics.schemas import MineOut, MyInstrumentOut, MySessionOut

_FROM = """
FROM usage_session s
JOIN instrument i ON i.id = s.instrument_id
JOIN institution n ON n.id = i.institution_id
JOIN region r ON r.code = n.region_code
LEFT JOIN satisfaction sat ON sat.booking_id = s.booking_id
WHERE s.user_id = $1
  AND ($2::date IS NULL OR s.started_at >= $2::date::timestamp AT TIME ZONE r.timezone)
  AND ($3::date IS NULL OR s.started_at < $3::date::timestamp AT TIME ZONE r.timezone)
"""

_SECONDS = "extract(epoch FROM s.ended_at - s.started_at)"


async def my_usage(
    db: Database,
    user: Principal,
    date_from: date | None,
    date_to: date | None,
    *,
    language: str,
    page: int,
    page_size: int,
) -> MineOut:
    args = (user.user_id, date_from, date_to)
    rows = await db.fetch(
        f"""SELECT s.id, s.instrument_id, i.name_zh, i.name_en, s.booking_id, s.started_at,
                   s.ended_at, {_SECONDS} AS secs, s.service_way, s.samples, s.amount, sat.rating
            {_FROM} ORDER BY s.started_at DESC, s.id DESC
            LIMIT {int(page_size)} OFFSET {offset(page, page_size)}""",
        *args,
    )
    per = await db.fetch(
        f"""SELECT s.instrument_id, min(i.name_zh) AS name_zh, min(i.name_en) AS name_en,
                   count(*) AS n, coalesce(sum({_SECONDS}), 0)::float8 AS secs
            {_FROM} GROUP BY s.instrument_id ORDER BY secs DESC, s.instrument_id""",
        *args,
    )
    sessions = [
        MySessionOut(
            id=r["id"],
            instrument_id=r["instrument_id"],
            instrument_label=pick(language, r["name_zh"], r["name_en"]),
            booking_id=r["booking_id"],
            started_at=r["started_at"],
            ended_at=r["ended_at"],
            hours=None if r["secs"] is None else hours(float(r["secs"])),
            service_way=r["service_way"],
            samples=r["samples"],
            amount=float(r["amount"]),
            rating=r["rating"],
        )
        for r in rows
    ]
    by_instrument = [
        MyInstrumentOut(
            instrument_id=r["instrument_id"],
            label=pick(language, r["name_zh"], r["name_en"]),
            sessions=r["n"],
            hours=hours(r["secs"]),
        )
        for r in per
    ]
    return MineOut(
        sessions=sessions,
        by_instrument=by_instrument,
        total_hours=hours(sum(r["secs"] for r in per)),
        total=sum(r["n"] for r in per),
        page=page,
        page_size=page_size,
    )
