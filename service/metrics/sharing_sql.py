"""SQL of the sharing-rate table. Every figure comes from one row per instrument and period:
month and year rows, and at the edges of the range a month's running totals (two array
elements), so a year costs at most ~13 rows per instrument whatever its dates.

Distinct external institutions are counted as the ones in the OR of per-row bitmaps (see
`rollup_run`); `width` is the bitmap width every row is padded to.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service.accounts.principal import Principal
from service.metrics.periods import Segment, decompose, month_pieces, next_month, year_fraction
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

#: The additive figures, in the order of `usage_daily` (and of `usage_month_run.run`).
FIGURES = (
    "effective_s",
    "external_s",
    "cross_region_s",
    "internal_s",
    "booked_s",
    "available_s",
    "sessions",
    "bookings",
    "cancellations",
    "late_cancellations",
    "no_shows",
    "unverified_external_s",
)
_PLAIN = ", ".join(FIGURES)
_SUMS = ", ".join(f"sum(src.{c}) AS {c}" for c in FIGURES)
_PER_SUMS = ", ".join(f"sum(per.{c}) AS {c}" for c in FIGURES)

_COUNTS = """count(*) FILTER (WHERE active) AS n,
    count(*) FILTER (WHERE active AND itype = 'general') AS general,
    count(*) FILTER (WHERE active AND itype = 'special') AS special"""


class Query:
    """One request's selection: who asks, which range, which grouping, which filters."""

    def __init__(
        self, user: Principal, date_from: date, date_to: date, group_by: str, *, filters: Filters,
        quota_until: date | None = None,
    ) -> None:  # fmt: skip
        """`quota_until`: days from then on earn no quota hours (they have not begun)."""
        self.user = user
        self.date_from = date_from
        self.date_to = date_to
        self.group_by = group_by
        self.filters = filters
        self.quota_to = date_to if quota_until is None else min(date_to, quota_until)
        self.time_group = group_by in TIME_GROUPS
        self.segments = decompose(date_from, date_to, allow_years=group_by != "month")
        self.pieces = month_pieces(date_from, date_to, allow_years=group_by != "month")

    def quota_fraction(self, bucket: str | None = None) -> float:
        """Years' worth of quota the range earns (of one month or year bucket)."""
        return year_fraction(self.date_from, max(self.quota_to, self.date_from), bucket)

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

    def source(self, p: Params, width: int) -> str:
        """`src`: per instrument and period, the figures and the external-institution bitmap."""
        whole = [s for s in self.pieces if s.grain != "day"]
        _, periods = period_where(whole, p, "day", "period_start")
        parts = [
            f"""SELECT instrument_id, period_start AS p, {_PLAIN}, ext_institutions AS ext
            FROM usage_period WHERE {periods}"""
        ]
        for seg in (s for s in self.pieces if s.grain == "day"):
            parts.extend(_edge(seg, p, width))
        return "src AS (" + "\nUNION ALL\n".join(parts) + ")"

    def usage_sql(self, width: int) -> tuple[str, list[Any]]:
        """Figures per group plus the totals row (`is_total`)."""
        p = Params()
        key = self.key("src.p")
        sql = f"""WITH {self.vis(p)}, {self.source(p, width)}
            SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {_SUMS},
                   coalesce(bit_count(bit_or(src.ext::bit({width}))), 0) AS ext_n
            FROM src JOIN vis ON vis.id = src.instrument_id
            GROUP BY GROUPING SETS (({key}), ())"""
        return sql, p.args

    def satisfaction_sql(self) -> tuple[str, list[Any]]:
        p = Params()
        lo, hi = p.add(self.date_from), p.add(self.date_to)
        key = self.key("s.day")
        return (
            f"""WITH {self.vis(p)}
            SELECT GROUPING({key}) = 1 AS is_total, {key} AS key,
                   avg(s.rating)::float8 AS avg, count(*) AS n
            FROM satisfaction s JOIN vis ON vis.id = s.instrument_id
            WHERE s.day >= {lo} AND s.day < {hi}
            GROUP BY GROUPING SETS (({key}), ())""",
            p.args,
        )

    def instruments_sql(self) -> tuple[str, list[Any]]:
        """Instrument counts: for time groups only the total (every bucket has the same)."""
        p = Params()
        if self.time_group:
            return f"WITH {self.vis(p)} SELECT true AS is_total, '' AS key, {_COUNTS} FROM vis", (
                p.args
            )
        key = self.key("")
        return (
            f"""WITH {self.vis(p)}
            SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {_COUNTS}
            FROM vis GROUP BY GROUPING SETS (({key}), ())""",
            p.args,
        )

    def table_sql(self, width: int, limit: int | None, offset: int) -> tuple[str, list[Any]]:
        """Non-time groups: every visible group (with usage or not) in the table's order
        (effective seconds descending, then key), one page of them, the totals row first, and
        the number of groups in `groups`."""
        p = Params()
        vkey = self.key("")
        lo, hi = p.add(self.date_from), p.add(self.date_to)
        sat_key = self.key("s.day")
        page = f"LIMIT {p.add(limit)} OFFSET {p.add(offset)}" if limit is not None else ""
        sql = f"""WITH {self.vis(p)}, {self.source(p, width)},
        per AS (SELECT src.instrument_id, {_SUMS}, bit_or(src.ext::bit({width})) AS ext
                FROM src WHERE src.instrument_id IN (SELECT id FROM vis)
                GROUP BY src.instrument_id),
        u AS (SELECT GROUPING({vkey}) = 1 AS is_total, coalesce({vkey}, '') AS key,
                     {_PER_SUMS}, coalesce(bit_count(bit_or(per.ext)), 0) AS ext_n
              FROM per JOIN vis ON vis.id = per.instrument_id
              GROUP BY GROUPING SETS (({vkey}), ())),
        c AS (SELECT GROUPING({vkey}) = 1 AS is_total, coalesce({vkey}, '') AS key, {_COUNTS}
              FROM vis GROUP BY GROUPING SETS (({vkey}), ())),
        s AS (SELECT GROUPING({sat_key}) = 1 AS is_total, coalesce({sat_key}, '') AS key,
                     avg(s.rating)::float8 AS sat_avg, count(*) AS sat_n
              FROM satisfaction s JOIN vis ON vis.id = s.instrument_id
              WHERE s.day >= {lo} AND s.day < {hi}
              GROUP BY GROUPING SETS (({sat_key}), ())),
        j AS MATERIALIZED (
            SELECT c.is_total, c.key, c.n, c.general, c.special,
                   {", ".join(f"u.{f}" for f in FIGURES)}, u.ext_n, s.sat_avg, s.sat_n
            FROM c LEFT JOIN u ON u.is_total = c.is_total AND u.key = c.key
            LEFT JOIN s ON s.is_total = c.is_total AND s.key = c.key)
        (SELECT j.*, (SELECT count(*) FROM j WHERE NOT is_total) AS groups FROM j WHERE is_total)
        UNION ALL
        (SELECT j.*, NULL FROM j WHERE NOT is_total
         ORDER BY coalesce(j.effective_s, 0) DESC, j.key COLLATE "C" {page})"""
        return sql, p.args


def _edge(seg: Segment, p: Params, width: int) -> list[str]:
    """Days `[seg.lo, seg.hi)` of one month: running totals through the last day minus those
    through the day before the first. The external institutions of a head or tail of the month
    are stored; of days strictly inside it they are ORed from the day rows."""
    month = seg.lo.replace(day=1)
    first, last = seg.lo.day, (seg.hi - timedelta(days=1)).day
    m = p.add(month)
    sums = ", ".join(
        f"run[{last + 1}][{n}] - run[{first}][{n}] AS {c}" for n, c in enumerate(FIGURES, 1)
    )
    if first == 1:
        ext = f"ext_upto[{last}]"
    elif seg.hi == next_month(month):
        ext = f"ext_from[{first}]"
    else:
        ext = "NULL::varbit"
    parts = [f"SELECT instrument_id, month, {sums}, {ext} FROM usage_month_run WHERE month = {m}"]
    if ext == "NULL::varbit":
        lo, hi = p.add(seg.lo), p.add(seg.hi)
        zeros = ", ".join(f"0 AS {c}" for c in FIGURES)
        parts.append(
            f"""SELECT f.instrument_id, {m}::date, {zeros},
                   bit_or(set_bit(repeat('0', {width})::varbit, s.slot, 1))
            FROM flow_daily f JOIN metrics_institution_slot s
                 ON s.institution_id = f.user_institution_id
            WHERE f.day >= {lo} AND f.day < {hi} AND f.is_external
            GROUP BY f.instrument_id"""
        )
    return parts


WIDTH_SQL = "SELECT coalesce(max(slot) + 1, 1) FROM metrics_institution_slot"
