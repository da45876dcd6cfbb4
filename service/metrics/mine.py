"""A researcher's own usage history: their sessions and hours per instrument."""

from __future__ import annotations

from datetime import date

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.common.pagination import offset
from service.db import Database
from service.metrics import sql
from service.metrics.figures import hours
from service.metrics.schemas import MineOut, MyInstrumentOut, MySessionOut


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
        f"{sql.MY_SESSIONS} LIMIT {int(page_size)} OFFSET {offset(page, page_size)}",
        *args,
    )
    per = await db.fetch(
        sql.MY_INSTRUMENTS,
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
