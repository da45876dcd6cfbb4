"""Instruments free for a whole window, nearest first: one set-based query.

Opening hours are checked in SQL too, so totals and pages are exact without loading every
candidate's calendar: for each local day the window touches, the part of the window on that
day must lie inside one of the day's open intervals (an exception replaces the weekly hours;
a closure wins; no weekly rows means open all day) — the same rule as `openings.open_intervals`,
with wall times converted by `availability_local_to_utc`, which resolves DST like the Python
side. Opening hours are stored merged per day (see `calendar`), so "inside one interval" and
"inside their union" agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.search.plan import Plan
from service.search.sql import RANK_TIER

#: Statuses in which an instrument can serve anyone at all.
NOT_RUNNING = ("awaiting_repair", "awaiting_scrap")

_DAY_HOURS = """
    SELECT e.opens, e.closes FROM calendar_exception e
    WHERE e.instrument_id = i.id AND e.day = g.d::date
      AND NOT EXISTS (SELECT 1 FROM calendar_exception c
                      WHERE c.instrument_id = i.id AND c.day = g.d::date AND c.opens IS NULL)
      AND e.id = (SELECT max(x.id) FROM calendar_exception x
                  WHERE x.instrument_id = i.id AND x.day = g.d::date)
    UNION ALL
    SELECT w.opens, w.closes FROM opening_hours w
    WHERE w.instrument_id = i.id AND w.weekday = extract(isodow FROM g.d)
      AND NOT EXISTS (SELECT 1 FROM calendar_exception c
                      WHERE c.instrument_id = i.id AND c.day = g.d::date)
    UNION ALL
    SELECT time '00:00', time '23:59:59.999999'
    WHERE NOT EXISTS (SELECT 1 FROM calendar_exception c
                      WHERE c.instrument_id = i.id AND c.day = g.d::date)
      AND NOT EXISTS (SELECT 1 FROM opening_hours w WHERE w.instrument_id = i.id)
"""

# `time '23:59:59.999999'` stands for the following midnight (as in `openings`).
_OPEN_ALL_WINDOW = f"""
NOT EXISTS (
    SELECT 1 FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE r.timezone),
                                  date_trunc('day', ($2::timestamptz - interval '1 microsecond')
                                                    AT TIME ZONE r.timezone),
                                  interval '1 day') AS g(d)
    WHERE NOT EXISTS (
        SELECT 1 FROM ({_DAY_HOURS}) h(opens, closes)
        WHERE availability_local_to_utc(g.d + h.opens, r.timezone)
                  <= greatest($1, availability_local_to_utc(g.d, r.timezone))
          AND CASE WHEN h.closes = time '23:59:59.999999'
                   THEN availability_local_to_utc(g.d + interval '1 day', r.timezone)
                   ELSE availability_local_to_utc(g.d + h.closes, r.timezone) END
                  >= least($2, availability_local_to_utc(g.d + interval '1 day', r.timezone))
    )
)
"""

# The common case, cheaply: no weekly hours and no exception on the dates touched.
_ALWAYS_OPEN = """
(NOT EXISTS (SELECT 1 FROM opening_hours w WHERE w.instrument_id = i.id)
 AND NOT EXISTS (SELECT 1 FROM calendar_exception c
                 WHERE c.instrument_id = i.id
                   AND c.day BETWEEN ($1::timestamptz AT TIME ZONE r.timezone)::date
                                 AND ($2::timestamptz AT TIME ZONE r.timezone)::date))
"""

# Active claims of one calendar (an instrument, or all sharing one resource) never overlap, so
# the last one starting before the window's end (widened by the instrument's effective
# buffer, as a booking would claim it) is the only one that can reach into the window: one
# descent of `booking_active_claim_idx` per candidate (and one of the instrument's key).
_BUFFER = "coalesce(pi.buffer_minutes, ps.buffer_minutes, 0)"
_NO_CONFLICT = f"""
coalesce((
    SELECT b.occupied_until FROM booking b
    WHERE b.calendar_key = (SELECT coalesce(c.calendar_key, c.id) FROM instrument c WHERE c.id = i.id)
      AND b.status IN ('held', 'pending', 'confirmed', 'in_use')
      AND b.starts_at < $2::timestamptz + make_interval(mins => {_BUFFER})
    ORDER BY b.starts_at DESC LIMIT 1
), '-infinity') <= $1
"""

_DISTANCE = """
CASE WHEN ref.code IS NULL THEN NULL ELSE
    6371.0 * 2 * asin(least(1.0, sqrt(
        power(sin(radians(r.latitude - ref.latitude) / 2), 2)
        + cos(radians(ref.latitude)) * cos(radians(r.latitude))
          * power(sin(radians(r.longitude - ref.longitude) / 2), 2))))
END
"""

_FROM = """
FROM instrument i
JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
LEFT JOIN region ref ON ref.code = $5
LEFT JOIN booking_policy pi ON pi.instrument_id = i.id
LEFT JOIN booking_policy ps ON ps.institution_id = i.institution_id
WHERE {category}
  AND i.retired_at IS NULL AND i.share_mode = 'external'
  AND i.status NOT IN ('awaiting_repair', 'awaiting_scrap')
  AND i.id IS DISTINCT FROM $7{within}
"""

_COLUMNS = f"""
i.id, i.name_zh, i.name_en, i.category_code, i.institution_id,
s.name_zh AS institution_name_zh, s.name_en AS institution_name_en,
r.code AS region_code, r.name_zh AS region_name_zh, r.name_en AS region_name_en,
{_DISTANCE} AS distance_km
"""

_ORDER = """i.category_code IS DISTINCT FROM $4, r.code IS DISTINCT FROM $5,
         r.code IS DISTINCT FROM $6, distance_km NULLS LAST, i.id"""

_FREE = f"{_NO_CONFLICT} AND ({_ALWAYS_OPEN} OR {_OPEN_ALL_WINDOW})"

# $1 start, $2 end, $3 class or sub-class code (NULL: any), $4 preferred sub-class (NULL: none),
# $5 reference region (same region first, distances from it), $6 second-preferred region,
# $7 instrument to leave out, $8 limit, $9 offset.
_SEARCH = f"""
SELECT {_COLUMNS}, count(*) OVER () AS total
{_FROM}
  AND {_FREE}
ORDER BY {_ORDER}
LIMIT $8 OFFSET $9
"""

# Alternatives need no total: the candidates are ranked first (cheap, no probes) and checked in
# that order until `$8` are found. The order depends on the region only through its place in
# the search's region order, so the dozen regions are ranked once (ties stay ties, broken by id
# as in the search) and the candidates sorted on small keys. `OFFSET 0` keeps the checks above
# the sort; ordering the outer query by the inner sort's own keys keeps that order unchanged.
_REGION_PLACE = f"""
JOIN (SELECT code, dense_rank() OVER (ORDER BY code IS DISTINCT FROM $5,
                                               code IS DISTINCT FROM $6, d NULLS LAST) AS place
      FROM (SELECT r.code, {_DISTANCE} AS d FROM region r
            LEFT JOIN region ref ON ref.code = $5) x) g ON g.code = r.code
"""

_FIRST_FREE = f"""
SELECT {_COLUMNS}
FROM (
    SELECT * FROM (
        SELECT i.id, i.category_code IS DISTINCT FROM $4 AS k1, g.place, r.timezone,
               coalesce(pi.buffer_minutes, ps.buffer_minutes, 0) AS buffer_minutes
        {_FROM.replace("WHERE", _REGION_PLACE + "WHERE", 1)}
        ORDER BY k1, g.place, i.id
        OFFSET 0
    ) i
    WHERE {_FREE.replace(_BUFFER, "i.buffer_minutes").replace("r.timezone", "i.timezone")}
    ORDER BY k1, place, id
    LIMIT $8
) f
JOIN instrument i ON i.id = f.id
JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
LEFT JOIN region ref ON ref.code = $5
ORDER BY f.k1, f.place, f.id
"""

_CATEGORY = "i.category_code IN (SELECT c.code FROM category c WHERE left(c.code, length($3)) = $3)"

# With a search plan ($10 match, $11–$13 tier queries): only matching instruments, the best
# rank tier first (see `service.search.plan`), then the region order. The candidates come from
# `instrument_search` with their keys (a broad query matches thousands of instruments): only
# they are checked for free time, ranked and counted, and only the page's rows are joined to
# the instrument for its names. (`OFFSET 0` keeps the subquery whole: the tier is computed as
# its rows are read, and the documents do not travel through the joins.)
_TIER = RANK_TIER.format(doc="si.document", tiers=("$11", "$12", "$13"))
_CANDIDATES = f"""
FROM (SELECT si.instrument_id AS id, si.institution_id, si.category_code, {_TIER} AS tier
      FROM instrument_search si
      WHERE si.document @@ $10::tsquery AND NOT si.retired AND si.share_mode = 'external'
        AND si.status NOT IN ('awaiting_repair', 'awaiting_scrap') OFFSET 0) i
JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
LEFT JOIN region ref ON ref.code = $5
LEFT JOIN booking_policy pi ON pi.instrument_id = i.id
LEFT JOIN booking_policy ps ON ps.institution_id = i.institution_id
WHERE {{category}} AND i.id IS DISTINCT FROM $7{{within}}
"""
_MATCHING = f"""
WITH hit AS MATERIALIZED (
    SELECT i.id, i.tier, i.category_code, r.code AS region_code, {_DISTANCE} AS distance_km
    {_CANDIDATES}
      AND {_FREE}
),
page AS (
    SELECT * FROM hit ORDER BY tier, category_code IS DISTINCT FROM $4,
        region_code IS DISTINCT FROM $5, region_code IS DISTINCT FROM $6, distance_km NULLS LAST,
        id
    LIMIT $8 OFFSET $9
)
SELECT i.id, i.name_zh, i.name_en, i.category_code, i.institution_id,
       s.name_zh AS institution_name_zh, s.name_en AS institution_name_en,
       r.code AS region_code, r.name_zh AS region_name_zh, r.name_en AS region_name_en,
       p.distance_km, (SELECT count(*) FROM hit) AS total
FROM page p
JOIN instrument i ON i.id = p.id
JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
ORDER BY p.tier, p.category_code IS DISTINCT FROM $4, p.region_code IS DISTINCT FROM $5,
         p.region_code IS DISTINCT FROM $6, p.distance_km NULLS LAST, p.id
"""


def _search_sql(by_category: bool, matching: bool, within: bool) -> str:
    """One variant of the search: by class or not, with a search plan or not, inside one
    region or not (its code is the parameter after the plan's, or after the offset)."""
    category = _CATEGORY if by_category else "($3::text IS NULL)"
    region = f"\n  AND r.code = ${14 if matching else 10}" if within else ""
    return (
        (_MATCHING if matching else _SEARCH)
        .replace("{category}", category)
        .replace("{within}", region)
    )


_SQL = {
    (c, m, w): _search_sql(c, m, w)
    for c in (False, True)
    for m in (False, True)
    for w in (False, True)
}
_ALTERNATIVES = _FIRST_FREE.replace("{category}", _CATEGORY).replace("{within}", "")

_INSTRUMENT = """
SELECT i.category_code, s.region_code FROM instrument i
JOIN institution s ON s.id = i.institution_id WHERE i.id = $1
"""


async def search_free(
    conn: asyncpg.Connection,
    start: datetime,
    end: datetime,
    *,
    category: str | None,
    region: str | None,
    limit: int,
    offset: int,
    preferred_category: str | None = None,
    second_region: str | None = None,
    exclude_id: int | None = None,
    plan: Plan | None = None,
    within: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of shared, running instruments free (open, unclaimed) for all of `[start, end)`;
    with a search plan, only those it matches, the most relevant first. `region` is where
    the distances are measured from (its instruments first); `within` keeps one region only."""
    sql = _SQL[(bool(category), plan is not None, within is not None)]
    extra = [plan.match, *plan.tiers] if plan is not None else []
    if within is not None:
        extra.append(within)
    rows = await conn.fetch(
        sql,
        start,
        end,
        category,
        preferred_category,
        region,
        second_region,
        exclude_id,
        limit,
        offset,
        *extra,
    )
    if not rows and offset > 0:
        # Past the last page: ask again from the top only to learn the total.
        rows = await conn.fetch(
            sql, start, end, category, None, region, None, exclude_id, 1, 0, *extra
        )
        return [], int(rows[0]["total"]) if rows else 0
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


async def alternative_instruments(
    conn: asyncpg.Connection,
    instrument_id: int,
    start: datetime,
    end: datetime,
    user_region: str,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Other instruments free for the window: same sub-class before the rest of the class;
    within that, the instrument's region, then the user's, then the rest by distance."""
    row = await conn.fetchrow(_INSTRUMENT, instrument_id)
    if row is None:
        return []
    return await alternatives_for(
        conn,
        instrument_id,
        row["category_code"],
        row["region_code"],
        (start, end),
        user_region,
        limit,
    )


async def alternatives_for(
    conn: asyncpg.Connection,
    instrument_id: int,
    category_code: str,
    region_code: str,
    window: tuple[datetime, datetime],
    user_region: str,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """`alternative_instruments` for a caller that already knows the instrument's sub-class
    and region; the same ranking as the search, stopping at the first `limit` free ones."""
    rows = await conn.fetch(
        _ALTERNATIVES,
        window[0],
        window[1],
        category_code[:2],
        category_code,
        region_code,
        user_region,
        instrument_id,
        limit,
    )
    return [{k: v for k, v in r.items() if k != "category_code"} for r in rows]
