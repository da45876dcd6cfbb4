"""The sharing-rate table: figures per group over a range of local dates, read from the
roll-up (days at the edges of the range, whole months and years in between)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.db import Database
from service.metrics import figures
from service.metrics.figures import Extras, Sums
from service.metrics.periods import buckets, decompose, quota_hours, year_fraction
from service.metrics.schemas import MetricsRowOut
from service.metrics.scope import Filters, Params, period_where, visible_where

#: Group key per grouping; `{p}` is the period column of the table being grouped.
KEYS = {
    "instrument": "vis.id::text",
    "institution": "vis.institution_id::text",
    "region": "vis.region_code",
    "category": "vis.cat",
    "month": "date_trunc('month', {p}::timestamp)::date",
    "year": "date_trunc('year', {p}::timestamp)::date",
}
TIME_GROUPS = ("month", "year")

_COLUMNS = """effective_s, external_s, cross_region_s, internal_s, booked_s, available_s,
    sessions, bookings, cancellations, late_cancellations, no_shows"""
_SUMS = ", ".join(f"sum(src.{c.strip()}) AS {c.strip()}" for c in _COLUMNS.split(","))

LABELS = {
    "instrument": "SELECT id::text AS key, name_zh AS zh, name_en AS en FROM instrument",
    "institution": "SELECT id::text AS key, name_zh AS zh, name_en AS en FROM institution",
    "region": "SELECT code AS key, name_zh AS zh, name_en AS en FROM region",
    "category": "SELECT code AS key, name_zh AS zh, name_en AS en FROM category",
}
_LABEL_WHERE = {"instrument": "id", "institution": "id", "region": "code", "category": "code"}


class Query:
    """One request's selection: who asks, which range, which grouping, which filters."""

    def __init__(
        self, user: Principal, date_from: date, date_to: date, group_by: str, filters: Filters
    ) -> None:
        self.user = user
        self.date_from = date_from
        self.date_to = date_to
        self.group_by = group_by
        self.filters = filters
        self.segments = decompose(date_from, date_to, allow_years=group_by != "month")

    def vis(self, p: Params) -> str:
        where = visible_where(self.user, p, self.filters)
        since = p.add(self.date_from)
        return f"""vis AS (
            SELECT i.id, i.institution_id, n.region_code, left(i.category_code, 2) AS cat,
                   i.instrument_type AS itype,
                   (i.retired_at IS NULL OR i.retired_at >= {since}::date::timestamp) AS active
            FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE {where})"""

    def key(self, period_col: str) -> str:
        return KEYS[self.group_by].format(p=period_col)

    def grouped(self, p: Params, select: str, source: str, period_col: str) -> str:
        key = self.key(period_col)
        return f"""WITH {self.vis(p)}, {source}
            SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {select}
            FROM src JOIN vis ON vis.id = src.instrument_id
            GROUP BY GROUPING SETS (({key}), ())"""

    def usage_sql(self) -> tuple[str, list[Any]]:
        p = Params()
        days, periods = period_where(self.segments, p, "day", "period_start")
        source = f"""src AS (
            SELECT instrument_id, day AS p, {_COLUMNS} FROM usage_daily WHERE {days}
            UNION ALL
            SELECT instrument_id, period_start, {_COLUMNS} FROM usage_period WHERE {periods})"""
        return self.grouped(p, _SUMS, source, "src.p"), p.args

    def institutions_sql(self, total: bool) -> tuple[str, list[Any]]:
        """Distinct external user institutions per group (or overall), counted over hashed
        distinct pairs: much cheaper than `count(DISTINCT)` under grouping sets."""
        p = Params()
        days, periods = period_where(self.segments, p, "day", "period_start")
        key = "NULL::text" if total else self.key("src.p")
        return (
            f"""WITH {self.vis(p)}, src AS (
                SELECT instrument_id, day AS p, user_institution_id FROM flow_daily
                WHERE ({days}) AND is_external
                UNION ALL
                SELECT instrument_id, period_start, user_institution_id FROM flow_period
                WHERE ({periods}) AND is_external)
            SELECT {"true" if total else "false"} AS is_total, key, count(*) AS n
            FROM (SELECT DISTINCT {key} AS key, src.user_institution_id
                  FROM src JOIN vis ON vis.id = src.instrument_id) pairs
            GROUP BY key""",
            p.args,
        )

    def satisfaction_sql(self) -> tuple[str, list[Any]]:
        p = Params()
        lo, hi = p.add(self.date_from), p.add(self.date_to)
        source = f"""src AS (SELECT instrument_id, day AS p, rating FROM satisfaction
            WHERE day >= {lo} AND day < {hi})"""
        select = "avg(src.rating)::float8 AS avg, count(*) AS n"
        return self.grouped(p, select, source, "src.p"), p.args

    def instruments_sql(self) -> tuple[str, list[Any]]:
        p = Params()
        counts = """count(*) FILTER (WHERE active) AS n,
                   count(*) FILTER (WHERE active AND itype = 'general') AS general,
                   count(*) FILTER (WHERE active AND itype = 'special') AS special"""
        if self.group_by in TIME_GROUPS:
            return (
                f"WITH {self.vis(p)} SELECT true AS is_total, '' AS key, {counts} FROM vis",
                p.args,
            )
        key = self.key("")
        return (
            f"""WITH {self.vis(p)}
            SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {counts}
            FROM vis GROUP BY GROUPING SETS (({key}), ())""",
            p.args,
        )


Rows = list[asyncpg.Record]


async def sharing_table(
    db: Database, q: Query, language: str, quota: tuple[int, int]
) -> tuple[list[MetricsRowOut], MetricsRowOut]:
    """All rows (sorted) and the totals row."""
    queries = (
        q.usage_sql(),
        q.institutions_sql(total=False),
        q.institutions_sql(total=True),
        q.satisfaction_sql(),
        q.instruments_sql(),
    )
    usage, insts, insts_total, sats, counts = await asyncio.gather(
        *(db.fetch(sql, *args) for sql, args in queries)
    )
    insts = insts + insts_total
    if q.group_by in TIME_GROUPS:
        keys = buckets(q.date_from, q.date_to, q.group_by)  # type: ignore[arg-type]
        labels = {k: k for k in keys}
    else:
        keys = sorted({_key(r["key"], q.group_by) for r in usage + counts if not r["is_total"]})
        labels = await _labels(db, q.group_by, keys, language)
    by_key = {
        name: _index(rows, q.group_by)
        for name, rows in (("usage", usage), ("insts", insts), ("sats", sats), ("counts", counts))
    }
    total_counts = by_key["counts"].get(None)
    whole = year_fraction(q.date_from, q.date_to)
    per_bucket = q.group_by in TIME_GROUPS
    fraction = {k: year_fraction(q.date_from, q.date_to, k) if per_bucket else whole for k in keys}
    rows = [
        figures.make_row(
            k,
            labels.get(k, k),
            _sums(by_key, k),
            _extras(q, by_key, k, total_counts, quota, fraction[k]),
        )
        for k in keys
    ]
    if q.group_by not in TIME_GROUPS:
        rows.sort(key=lambda r: (-r.effective_hours, r.key))
    totals = figures.make_row(
        "total",
        pick(language, "合计", "Total"),
        _sums(by_key, None),
        _extras(q, by_key, None, total_counts, quota, whole),
    )
    return rows, totals


def _index(rows: Rows, group_by: str) -> dict[str | None, asyncpg.Record]:
    return {None if r["is_total"] else _key(r["key"], group_by): r for r in rows}


def _key(value: str | date, group_by: str) -> str:
    """Time keys come back as the first day of the month or year."""
    if isinstance(value, date):
        return f"{value:%Y-%m}" if group_by == "month" else f"{value:%Y}"
    return value


def _sums(by_key: dict[str, dict[str | None, asyncpg.Record]], key: str | None) -> Sums:
    row = by_key["usage"].get(key)
    return Sums.of(row) if row is not None else Sums()


def _extras(
    q: Query,
    by_key: dict[str, dict[str | None, asyncpg.Record]],
    key: str | None,
    total_counts: asyncpg.Record | None,
    quota: tuple[int, int],
    fraction: float,
) -> Extras:
    time_group = q.group_by in TIME_GROUPS
    counts = total_counts if time_group else by_key["counts"].get(key)
    general = counts["general"] if counts else 0
    special = counts["special"] if counts else 0
    sat = by_key["sats"].get(key)
    inst = by_key["insts"].get(key)
    return Extras(
        quota_hours=quota_hours(general, special, fraction, *quota),
        instruments=counts["n"] if counts else 0,
        external_institutions=inst["n"] if inst else 0,
        satisfaction_avg=sat["avg"] if sat else None,
        satisfaction_count=sat["n"] if sat else 0,
    )


async def _labels(db: Database, group_by: str, keys: list[str], language: str) -> dict[str, str]:
    if not keys:
        return {}
    if _LABEL_WHERE[group_by] == "id":
        ids = [int(k) for k in keys]
        rows = await db.fetch(f"{LABELS[group_by]} WHERE id = ANY($1::bigint[])", ids)
    else:
        rows = await db.fetch(f"{LABELS[group_by]} WHERE code = ANY($1::text[])", keys)
    return {r["key"]: pick(language, r["zh"], r["en"]) for r in rows}
