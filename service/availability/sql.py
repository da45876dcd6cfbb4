"""Every SQL statement of availability: an instrument's zone, hours, closures and claims on
its calendar, the free-instrument search and shared calendars.

Queries for the claims on an instrument's calendar use `same_calendar`, the expression of the
exclusion constraint, so they are answered from its GiST index. An instrument's calendar is
its own unless it shares one physical resource with others (`instrument.calendar_key`); the
database copies the key onto every booking row.
"""

from __future__ import annotations

from service.catalog.sql import INSTRUMENT_ZONE_JOIN
from service.common.codes import OCCUPYING, UNBOOKABLE_INSTRUMENT_STATUSES, sql_in
from service.common.sql import zone_join
from service.policies import sql as policies_sql
from service.search.sql import RANK_TIER

CALENDAR_OF = "(SELECT coalesce(c.calendar_key, c.id) FROM instrument c WHERE c.id = $1)"


def same_calendar(alias: str = "b") -> str:
    """Rows of `booking` (as `alias`) on the calendar of instrument `$1`: those of every
    instrument sharing its resource."""
    col = f"{alias}.calendar_key" if alias else "calendar_key"
    return f"int8range({col}, {col}, '[]') && int8range({CALENDAR_OF}, {CALENDAR_OF}, '[]')"


SAME_CALENDAR = same_calendar()

# --- one instrument's calendar ---

INSTRUMENT_ZONE = f"""
SELECT r.timezone FROM instrument i
{INSTRUMENT_ZONE_JOIN}
WHERE i.id = $1
"""

# The range expressions repeat those of the exclusion constraint `booking_no_overlap` and its
# partial-index predicate, so the planner uses its gist index instead of scanning the table.
# They read the instrument's calendar: claims of instruments sharing its resource count.
CONFLICTS = f"""
SELECT kind, starts_at, occupied_until FROM booking
WHERE {same_calendar("")}
  AND tstzrange(starts_at, occupied_until, '[)') && tstzrange($2, $3, '[)')
  AND status IN {sql_in(OCCUPYING)}
ORDER BY starts_at
"""

WEEKLY_HOURS = "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1"
EXCEPTIONS_BETWEEN = """
SELECT day, opens, closes, reason FROM calendar_exception
WHERE instrument_id = $1 AND day BETWEEN $2 AND $3 ORDER BY id
"""

# Exceptions from two days either side of the window's UTC dates: every local date the window
# touches (any zone), plus the day on each side `open_intervals` looks at.
WINDOW_ARRAYS = f"""
ARRAY(SELECT row(day, opens, closes, reason) FROM calendar_exception
      WHERE instrument_id = $1 AND day BETWEEN ($2::timestamptz AT TIME ZONE 'UTC')::date - 2
                                           AND ($3::timestamptz AT TIME ZONE 'UTC')::date + 2
      ORDER BY id) AS exceptions,
ARRAY(SELECT row(kind, starts_at, occupied_until) FROM booking
      WHERE {same_calendar("")}
        AND tstzrange(starts_at, occupied_until, '[)') && tstzrange($2, $3, '[)')
        AND status IN {sql_in(OCCUPYING)}
      ORDER BY starts_at) AS claims
"""

WINDOW = f"SELECT {WINDOW_ARRAYS}"

ZONE_AND_WEEKLY = f"""
SELECT r.timezone, ARRAY(SELECT row(weekday, opens, closes) FROM opening_hours
                         WHERE instrument_id = i.id) AS weekly
FROM instrument i
{INSTRUMENT_ZONE_JOIN}
WHERE i.id = $1
"""

#: What a refusal is answered from, in one round trip: zone, class, region, effective policy,
#: weekly hours and the window's exceptions and claims.
REFUSAL_FACTS = f"""
SELECT r.timezone, i.category_code, s.region_code,
       {policies_sql.POLICY_COLUMNS},
       ARRAY(SELECT row(weekday, opens, closes) FROM opening_hours
             WHERE instrument_id = i.id) AS weekly,
       {WINDOW_ARRAYS}
FROM instrument i {INSTRUMENT_ZONE_JOIN}
{policies_sql.effective_policy("i")}
WHERE i.id = $1
"""

CATEGORY_EXISTS = "SELECT true FROM category WHERE code = $1"
REGION_EXISTS = "SELECT true FROM region WHERE code = $1"

# --- opening hours as owners edit them ---

WEEKLY_HOURS_ORDERED = (
    "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1 "
    "ORDER BY weekday, opens"
)
DELETE_WEEKLY_HOURS = "DELETE FROM opening_hours WHERE instrument_id = $1"
INSERT_WEEKLY_HOURS = (
    "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)"
)

# --- shared calendars ---

_CALENDARS = """SELECT id, institution_id, coalesce(calendar_key, id) AS key FROM instrument
            WHERE id = ANY($1::bigint[]) OR calendar_key IN (
                SELECT coalesce(calendar_key, id) FROM instrument WHERE id = ANY($1::bigint[]))
            ORDER BY id """
#: The instruments `$1` and every instrument on one of their calendars (locked or not).
CALENDARS = _CALENDARS
CALENDARS_FOR_UPDATE = _CALENDARS + "FOR UPDATE"

SET_CALENDAR_KEY = (
    "UPDATE instrument SET calendar_key = $2 WHERE id = $1 AND calendar_key IS DISTINCT FROM $2"
)

SHARING_CANDIDATES = """SELECT o.id, o.name_zh, o.name_en, o.institution_id,
                  coalesce(o.calendar_key, o.id) = coalesce(n.calendar_key, n.id) AS shared
           FROM instrument n JOIN instrument o
             ON o.institution_id = n.institution_id AND o.id <> n.id AND o.retired_at IS NULL
           WHERE n.id = $1 ORDER BY o.name_zh, o.id LIMIT 200"""

# --- instruments free for a window ---

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
      AND b.status IN {sql_in(OCCUPYING)}
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

_FROM = f"""
FROM instrument i
{zone_join("i", "s")}
LEFT JOIN region ref ON ref.code = $5
LEFT JOIN booking_policy pi ON pi.instrument_id = i.id
LEFT JOIN booking_policy ps ON ps.institution_id = i.institution_id
WHERE {{category}}
  AND i.retired_at IS NULL AND i.share_mode = 'external'
  AND i.status NOT IN {sql_in(UNBOOKABLE_INSTRUMENT_STATUSES)}
  AND i.id IS DISTINCT FROM $7{{within}}
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
{zone_join("i", "s")}
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
        AND si.status NOT IN {sql_in(UNBOOKABLE_INSTRUMENT_STATUSES)} OFFSET 0) i
{zone_join("i", "s")}
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
{zone_join("i", "s")}
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


#: Every variant of the free-instrument search, by (by class, with a plan, within a region).
SEARCH_VARIANTS = {
    (c, m, w): _search_sql(c, m, w)
    for c in (False, True)
    for m in (False, True)
    for w in (False, True)
}
ALTERNATIVES = _FIRST_FREE.replace("{category}", _CATEGORY).replace("{within}", "")

INSTRUMENT_CLASS_AND_REGION = """
SELECT i.category_code, s.region_code FROM instrument i
JOIN institution s ON s.id = i.institution_id WHERE i.id = $1
"""
