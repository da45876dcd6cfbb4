"""The sharing-rate table: figures per group over a range of local dates, read from the
roll-up (running totals at the edges of the range, whole months and years in between).

Grouping, ordering and paging happen in SQL, so a page of the instrument table costs the same
whether 50 or 10,000 instruments are visible; only the page's rows are built and labelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

import asyncpg

from service.common.i18n import pick
from service.db import Database
from service.metrics import figures, sql
from service.metrics.figures import Extras, Sums
from service.metrics.periods import buckets, quota_hours
from service.metrics.query import KEYS, TIME_GROUPS, Query
from service.metrics.schemas import MetricsRowOut

__all__ = ["KEYS", "TIME_GROUPS", "Query", "sharing_page", "sharing_table", "snapshot_fetch"]

Rows = list[asyncpg.Record]
Quota = tuple[int, int]


async def sharing_table(
    db: Database, q: Query, language: str, quota: Quota
) -> tuple[list[MetricsRowOut], MetricsRowOut]:
    """All rows (sorted) and the totals row."""
    rows, totals, _ = await sharing_page(db, q, language, quota, limit=None, offset=0)
    return rows, totals


async def sharing_page(
    db: Database, q: Query, language: str, quota: Quota, *, limit: int | None, offset: int
) -> tuple[list[MetricsRowOut], MetricsRowOut, int]:
    """Rows `[offset, offset + limit)` (all with `limit=None`), the totals row and the number
    of rows. Time groups have one row per month or year of the range, in order."""
    if q.time_group:
        rows, totals = await _time_table(db, q, language, quota)
        end = None if limit is None else offset + limit
        return rows[offset:end], totals, len(rows)
    return await _group_table(db, q, language, quota, limit=limit, offset=offset)


async def snapshot_fetch(
    db: Database, build: Any, *extra: Any
) -> tuple[int, Rows]:  # build: (width, *extra) -> (statement, args)
    """Bitmap width and the query in one snapshot: a concurrent roll-up may hand out new
    numbers, and a bitmap cut to a stale width would lose institutions."""
    async with (
        db.pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        # A few hundred thousand rows are grouped in memory; compiling them (JIT) costs more
        # than it saves at this size.
        await conn.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        width = int(await conn.fetchval(sql.WIDTH_SQL))
        statement, args = build(width, *extra)
        return width, list(await conn.fetch(statement, *args))


async def _group_table(
    db: Database, q: Query, language: str, quota: Quota, *, limit: int | None, offset: int
) -> tuple[list[MetricsRowOut], MetricsRowOut, int]:
    _, records = await snapshot_fetch(db, partial(sql.table_sql, q), limit, offset)
    total_rec = next(r for r in records if r["is_total"])
    page = [r for r in records if not r["is_total"]]
    labels = await _labels(db, q.group_by, [r["key"] for r in page], language)
    fraction = q.quota_fraction()
    rows = [
        figures.make_row(
            r["key"],
            labels.get(r["key"], r["key"]),
            Sums.of(r),
            _extras(r, r, (r["sat_avg"], r["sat_n"]), quota, fraction=fraction),
        )
        for r in page
    ]
    totals = figures.make_row(
        "total",
        pick(language, "合计", "Total"),
        Sums.of(total_rec),
        _extras(
            total_rec,
            total_rec,
            (total_rec["sat_avg"], total_rec["sat_n"]),
            quota,
            fraction=fraction,
        ),
    )
    return rows, totals, int(total_rec["groups"])


async def _time_table(
    db: Database, q: Query, language: str, quota: Quota
) -> tuple[list[MetricsRowOut], MetricsRowOut]:
    (_, usage), sats, counts = await asyncio.gather(
        snapshot_fetch(db, partial(sql.usage_sql, q)),
        db.fetch(*_unpack(sql.group_satisfaction_sql(q))),
        db.fetch(*_unpack(sql.instruments_sql(q))),
    )
    by_usage, by_sat = _index(usage, q.group_by), _index(sats, q.group_by)
    count = counts[0] if counts else None
    keys = buckets(q.date_from, q.date_to, q.group_by)  # type: ignore[arg-type]
    rows = []
    for k in keys:
        u = by_usage.get(k)
        rows.append(
            figures.make_row(
                k,
                k,
                Sums.of(u) if u else Sums(),
                _extras(count, u, _sat(by_sat.get(k)), quota, fraction=q.quota_fraction(k)),
            )
        )
    u = by_usage.get(None)
    totals = figures.make_row(
        "total",
        pick(language, "合计", "Total"),
        Sums.of(u) if u else Sums(),
        _extras(count, u, _sat(by_sat.get(None)), quota, fraction=q.quota_fraction()),
    )
    return rows, totals


def _unpack(built: tuple[str, list[Any]]) -> list[Any]:
    return [built[0], *built[1]]


def _index(rows: Rows, group_by: str) -> dict[str | None, asyncpg.Record]:
    return {None if r["is_total"] else _key(r["key"], group_by): r for r in rows}


def _key(value: str | date, group_by: str) -> str:
    """Time keys come back as the first day of the month or year."""
    if isinstance(value, date):
        return f"{value:%Y-%m}" if group_by == "month" else f"{value:%Y}"
    return value


Rec = Mapping[str, Any] | None


def _extras(
    counts: Rec, usage: Rec, sat: tuple[float | None, int | None], quota: Quota, *, fraction: float
) -> Extras:
    general = int(counts["general"] or 0) if counts else 0
    special = int(counts["special"] or 0) if counts else 0
    return Extras(
        quota_hours=quota_hours(general, special, fraction, quota[0], special_hours=quota[1]),
        instruments=int(counts["n"] or 0) if counts else 0,
        external_institutions=int(usage["ext_n"] or 0) if usage else 0,
        satisfaction_avg=sat[0],
        satisfaction_count=int(sat[1] or 0),
    )


def _sat(row: Rec) -> tuple[float | None, int | None]:
    return (row["avg"], row["n"]) if row else (None, None)


async def _labels(db: Database, group_by: str, keys: list[str], language: str) -> dict[str, str]:
    if not keys:
        return {}
    by_id = group_by in ("instrument", "institution")
    rows = await db.fetch(sql.GROUP_LABELS[group_by], [int(k) for k in keys] if by_id else keys)
    return {r["key"]: pick(language, r["zh"], r["en"]) for r in rows}
