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

# Same expressions as the exclusion constraint, so its gist index answers the probe; the
# window is widened by the instrument's effective buffer, as a booking would claim it.
_NO_CONFLICT = """
NOT EXISTS (
    SELECT 1 FROM booking b
    WHERE int8range(b.instrument_id, b.instrument_id, '[]') && int8range(i.id, i.id, '[]')
      AND tstzrange(b.starts_at, b.occupied_until, '[)')
          && tstzrange($1::timestamptz, $2::timestamptz + make_interval(mins => coalesce(pi.buffer_minutes,
                                                               ps.buffer_minutes, 0)), '[)')
      AND b.status IN ('held', 'pending', 'confirmed', 'in_use')
)
"""

_DISTANCE = """
CASE WHEN ref.code IS NULL THEN NULL ELSE
    6371.0 * 2 * asin(least(1.0, sqrt(
        power(sin(radians(r.latitude - ref.latitude) / 2), 2)
        + cos(radians(ref.latitude)) * cos(radians(r.latitude))
          * power(sin(radians(r.longitude - ref.longitude) / 2), 2))))
END
"""

# $1 start, $2 end, $3 class or sub-class code (NULL: any), $4 preferred sub-class (NULL: none),
# $5 reference region (same region first, distances from it), $6 second-preferred region,
# $7 instrument to leave out, $8 limit, $9 offset.
_SEARCH = f"""
SELECT i.id, i.name_zh, i.name_en, i.category_code, i.institution_id,
       s.name_zh AS institution_name_zh, s.name_en AS institution_name_en,
       r.code AS region_code, r.name_zh AS region_name_zh, r.name_en AS region_name_en,
       {_DISTANCE} AS distance_km,
       count(*) OVER () AS total
FROM instrument i
JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
LEFT JOIN region ref ON ref.code = $5
LEFT JOIN booking_policy pi ON pi.instrument_id = i.id
LEFT JOIN booking_policy ps ON ps.institution_id = i.institution_id
WHERE {{category}}
  AND i.retired_at IS NULL AND i.share_mode = 'external'
  AND i.status NOT IN ('awaiting_repair', 'awaiting_scrap')
  AND i.id IS DISTINCT FROM $7
  AND {_NO_CONFLICT}
  AND ({_ALWAYS_OPEN} OR {_OPEN_ALL_WINDOW})
ORDER BY i.category_code IS DISTINCT FROM $4, r.code IS DISTINCT FROM $5,
         r.code IS DISTINCT FROM $6, distance_km NULLS LAST, i.id
LIMIT $8 OFFSET $9
"""

_BY_CATEGORY = _SEARCH.replace(
    "{category}",
    "i.category_code IN (SELECT c.code FROM category c WHERE c.code = $3 OR c.parent_code = $3)",
)
_ANY_CATEGORY = _SEARCH.replace("{category}", "($3::text IS NULL)")

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
) -> tuple[list[dict[str, Any]], int]:
    """One page of shared, running instruments free (open, unclaimed) for all of `[start, end)`."""
    sql = _BY_CATEGORY if category else _ANY_CATEGORY
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
    )
    if not rows and offset > 0:
        # Past the last page: ask again from the top only to learn the total.
        rows = await conn.fetch(sql, start, end, category, None, region, None, exclude_id, 1, 0)
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
    items, _ = await search_free(
        conn,
        start,
        end,
        category=row["category_code"][:2],
        region=row["region_code"],
        limit=limit,
        offset=0,
        preferred_category=row["category_code"],
        second_region=user_region,
        exclude_id=instrument_id,
    )
    for item in items:
        item.pop("category_code", None)
    return items
