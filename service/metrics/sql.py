"""Every SQL statement of the metrics package, named by what it does.

Dirty days: the dirty instrument-days (see `dirty.py` and the migration that adds the
table).

Writers mark days through the SQL functions `metrics_mark_days` / `metrics_mark_sessions`
(triggers call them too); a roll-up chunk remembers the marks it saw when it began
(`REMEMBER`) and, at its end, deletes the rows whose count of marks is unchanged (`RESOLVE`):
a write that marked the day meanwhile keeps it dirty for the next pass.

Roll-up: `$1`/`$2` are the local dates `[lo, hi)`, `$3` an optional
array of instrument ids (NULL = all). Sessions and bookings are split at local midnights with
`generate_series` over the local dates they touch, so a session over midnight, a month or a
year end lands on each day with exactly its share, and a DST day has 23 or 25 hours.

Sharing figures: built from a `Query` (see `query.py`); monitoring and evaluation: one query,per institution, per region
and for the whole selection (GROUPING SETS), the usage figures and the counts of the national
evaluation, over the instruments visible in a `Query`.

Counts are over the instruments in service during the period (not retired before it starts);
"evaluated" ones are worth at least the threshold. 外部共享比例 counts the evaluated instruments
that actually served an outside legal entity in the period (external hours > 0, from the
roll-up, so legal-entity groups apply); the declared share mode is counted separately.
Distinct external institutions come from the OR of the per-instrument bitmaps.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from service.common.codes import KEPT, MAINTENANCE_IN_FORCE, sql_in
from service.common.sql import Params, zone_join
from service.metrics.periods import Segment, next_month
from service.metrics.query import FIGURES, Query
from service.metrics.scope import period_where, visible_where

#: Instrument scope: `$3` instrument ids or NULL for all.
_SCOPE = "($3::bigint[] IS NULL OR instrument_id = ANY($3))"

# Dirty days


DIRTY_CREATE_SEEN = """
CREATE TEMP TABLE metrics_seen (instrument_id bigint NOT NULL, day date NOT NULL,
                                marks integer NOT NULL) ON COMMIT DROP
"""

#: `$1`/`$2` the local dates `[lo, hi)`, `$3` instrument ids or NULL, as in `rollup_sql`.
DIRTY_REMEMBER = f"""
INSERT INTO metrics_seen
SELECT instrument_id, day, marks FROM metrics_dirty_day
WHERE day >= $1 AND day < $2 AND {_SCOPE}
"""

DIRTY_RESOLVE = """
DELETE FROM metrics_dirty_day d USING metrics_seen s
WHERE d.instrument_id = s.instrument_id AND d.day = s.day AND d.marks = s.marks
"""

#: `$1` first day not claimed (the recent days are the recent pass's), `$2` now, `$3` batch
#: size, `$4` lease end, `$5` claimer. Rows whose lease ran out (a claimer that died) are taken
#: again.
DIRTY_CLAIM = """
WITH c AS (
    SELECT instrument_id, day FROM metrics_dirty_day
    WHERE day < $1 AND (claimed_until IS NULL OR claimed_until <= $2)
    ORDER BY day, instrument_id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
UPDATE metrics_dirty_day d SET claimed_until = $4, claimed_by = $5
FROM c WHERE d.instrument_id = c.instrument_id AND d.day = c.day
RETURNING d.instrument_id, d.day
"""

#: Rows still there after their recomputation were marked again meanwhile: free them for the
#: next pass at once rather than at the end of the lease.
DIRTY_RELEASE = """
UPDATE metrics_dirty_day d SET claimed_until = NULL, claimed_by = ''
FROM unnest($2::bigint[], $3::date[]) AS c(instrument_id, day)
WHERE d.instrument_id = c.instrument_id AND d.day = c.day AND d.claimed_by = $1
"""

DIRTY_MARK_USER_SESSIONS = (
    "SELECT metrics_mark_sessions(ARRAY(SELECT id FROM usage_session WHERE user_id = $1))"
)

#: Sessions crossing either edge of `[$1, $2)` in their instrument's zone (`$3` ids or NULL):
#: their days outside the range are recomputed with it, so no session is ever half-counted.
DIRTY_EDGES = f"""
WITH inst AS (
    SELECT i.id, r.timezone AS tz
    FROM instrument i {zone_join("i", "n")}
    WHERE ($3::bigint[] IS NULL OR i.id = ANY($3))
), edge AS (
    SELECT s.instrument_id, inst.tz, s.started_at, s.ended_at,
           $1::date::timestamp AT TIME ZONE inst.tz AS lo,
           $2::date::timestamp AT TIME ZONE inst.tz AS hi
    FROM usage_session s JOIN inst ON inst.id = s.instrument_id
    WHERE s.ended_at IS NOT NULL
      AND s.ended_at > ($1::date - 2)::timestamp AT TIME ZONE 'UTC'
      AND s.started_at < ($2::date + 2)::timestamp AT TIME ZONE 'UTC'
)
SELECT instrument_id, (started_at AT TIME ZONE tz)::date AS first_day,
       ((ended_at AT TIME ZONE tz) - interval '1 microsecond')::date + 1 AS after_day,
       (now() AT TIME ZONE tz)::date + 1 AS horizon
FROM edge
WHERE (started_at < lo AND ended_at > lo) OR (started_at < hi AND ended_at > hi)
"""

DIRTY_FRESHNESS = """
SELECT f.as_of, f.last_rollup_at,
       (SELECT count(*) FROM metrics_dirty_day) AS dirty_days,
       (SELECT min(day) FROM metrics_dirty_day) AS oldest_dirty_day,
       (SELECT min(first_marked_at) FROM metrics_dirty_day) AS dirty_since
FROM metrics_freshness f
"""

DIRTY_NOTE_ROLLUP = "UPDATE metrics_freshness SET last_rollup_at = clock_timestamp()"
DIRTY_NOTE_AS_OF = """
UPDATE metrics_freshness SET as_of = greatest(as_of, $1), last_rollup_at = clock_timestamp()
"""


# Roll-up
INSTRUMENTS = f"""
SELECT i.id, r.timezone AS tz, i.retired_at
FROM instrument i {zone_join("i", "n")}
WHERE ($1::bigint[] IS NULL OR i.id = ANY($1))
"""

OPENING_HOURS = """
SELECT instrument_id, weekday, opens, closes FROM opening_hours
WHERE ($1::bigint[] IS NULL OR instrument_id = ANY($1))
"""

EXCEPTIONS = """
SELECT instrument_id, day, opens, closes FROM calendar_exception
WHERE day >= $1::date - 1 AND day <= $2::date AND ($3::bigint[] IS NULL OR instrument_id = ANY($3))
ORDER BY instrument_id, day, id
"""

# Maintenance that happened or is planned; cancelled blocks free their time again.
BLOCKS = f"""
SELECT instrument_id, starts_at, ends_at FROM booking
WHERE kind = 'maintenance' AND status IN {sql_in(MAINTENANCE_IN_FORCE)}
  AND ends_at > ($1::date - 2)::timestamp AT TIME ZONE 'UTC'
  AND starts_at < ($2::date + 2)::timestamp AT TIME ZONE 'UTC'
  AND ($3::bigint[] IS NULL OR instrument_id = ANY($3))
"""

CREATE_WORK = """
CREATE TEMP TABLE metrics_day (
    instrument_id bigint NOT NULL, day date NOT NULL,
    effective_s integer NOT NULL DEFAULT 0, external_s integer NOT NULL DEFAULT 0,
    cross_region_s integer NOT NULL DEFAULT 0, internal_s integer NOT NULL DEFAULT 0,
    booked_s integer NOT NULL DEFAULT 0, available_s integer NOT NULL DEFAULT 0,
    sessions integer NOT NULL DEFAULT 0, bookings integer NOT NULL DEFAULT 0,
    cancellations integer NOT NULL DEFAULT 0, late_cancellations integer NOT NULL DEFAULT 0,
    no_shows integer NOT NULL DEFAULT 0, unverified_external_s integer NOT NULL DEFAULT 0
) ON COMMIT DROP;
CREATE TEMP TABLE metrics_piece (
    instrument_id bigint NOT NULL, day date NOT NULL, user_institution_id bigint NOT NULL,
    user_region_code text NOT NULL, is_external boolean NOT NULL, is_cross_region boolean NOT NULL,
    secs integer NOT NULL, first boolean NOT NULL, unverified boolean NOT NULL DEFAULT false
) ON COMMIT DROP;
"""

_INST = f"""
WITH inst AS (
    SELECT i.id, r.timezone AS tz, coalesce(n.legal_entity_id, n.id) AS entity
    FROM instrument i {zone_join("i", "n")}
    WHERE ($3::bigint[] IS NULL OR i.id = ANY($3))
)"""

_NEAR = """
  AND s.ended_at > ($1::date - 2)::timestamp AT TIME ZONE 'UTC'
  AND s.started_at < ($2::date + 2)::timestamp AT TIME ZONE 'UTC'"""


def _split(start: str, end: str) -> str:
    """A FROM-clause item: one row per local date inside `[$1, $2)` that `[start, end)` touches."""
    return f"""
CROSS JOIN LATERAL generate_series(
    greatest(({start} AT TIME ZONE inst.tz)::date, $1::date)::timestamp,
    least(({end} AT TIME ZONE inst.tz)::date, $2::date - 1)::timestamp,
    interval '1 day') AS g(day)"""


def _secs(start: str, end: str) -> str:
    return f"""round(extract(epoch FROM
    least({end}, (g.day + interval '1 day') AT TIME ZONE inst.tz)
    - greatest({start}, g.day AT TIME ZONE inst.tz)))::integer"""


#: External use is use by another legal entity: another institution, unless both belong to one
#: legal-entity group (`institution.legal_entity_id`); use by an account whose affiliation was
#: not verified is neither external nor cross-region: it is `unverified` (its own line in the
#: figures), so the national ratio rests on proven identities.
def external_use(owner_entity: str = "inst.entity") -> str:
    """The SQL condition "external use" over `usage_session s` and its user's `institution ui`,
    given the owner's legal entity (the one definition, for the roll-up and the registry file)."""
    return f"""s.is_external AND s.affiliation_verified
       AND coalesce(ui.legal_entity_id, ui.id) <> {owner_entity}"""


_EXTERNAL = external_use()

# Only finished sessions count; an open one (ended_at NULL) is not yet used time. A session
# counts once, on the local day it starts (`first`), however many days it spans.
SESSION_PIECES = f"""
INSERT INTO metrics_piece {_INST}
SELECT s.instrument_id, g.day::date, s.user_institution_id, s.user_region_code, {_EXTERNAL},
       s.is_cross_region AND s.affiliation_verified, {_secs("s.started_at", "s.ended_at")},
       g.day::date = (s.started_at AT TIME ZONE inst.tz)::date, NOT s.affiliation_verified
FROM usage_session s JOIN inst ON inst.id = s.instrument_id
JOIN institution ui ON ui.id = s.user_institution_id {_split("s.started_at", "s.ended_at")}
WHERE s.ended_at IS NOT NULL {_NEAR}
"""

SESSION_DAYS = """
INSERT INTO metrics_day (instrument_id, day, effective_s, external_s, cross_region_s, internal_s,
                         sessions, unverified_external_s)
SELECT instrument_id, day, sum(secs),
       coalesce(sum(secs) FILTER (WHERE is_external), 0),
       coalesce(sum(secs) FILTER (WHERE is_cross_region), 0),
       coalesce(sum(secs) FILTER (WHERE NOT is_external AND NOT unverified), 0),
       count(*) FILTER (WHERE first),
       coalesce(sum(secs) FILTER (WHERE unverified), 0)
FROM metrics_piece WHERE secs > 0 OR first GROUP BY instrument_id, day
"""

FLOW_DAYS = """
INSERT INTO flow_daily (instrument_id, day, user_institution_id, user_region_code, is_external,
                        seconds)
SELECT instrument_id, day, user_institution_id, user_region_code, is_external, sum(secs)
FROM metrics_piece WHERE secs > 0
GROUP BY instrument_id, day, user_institution_id, user_region_code, is_external
"""

#: Bookings that were due to happen: booked time, and the denominator of the no-show rate.
_KEPT = sql_in(KEPT)

BOOKED_DAYS = f"""
INSERT INTO metrics_day (instrument_id, day, booked_s) {_INST}
SELECT b.instrument_id, g.day::date, sum({_secs("b.starts_at", "b.ends_at")})
FROM booking b JOIN inst ON inst.id = b.instrument_id {_split("b.starts_at", "b.ends_at")}
WHERE b.kind = 'booking' AND b.status IN {_KEPT}
  AND b.ends_at > ($1::date - 2)::timestamp AT TIME ZONE 'UTC'
  AND b.starts_at < ($2::date + 2)::timestamp AT TIME ZONE 'UTC'
GROUP BY 1, 2
"""

# Counts belong to the local day the booking starts on.
BOOKING_COUNTS = f"""
INSERT INTO metrics_day (instrument_id, day, bookings, cancellations, late_cancellations,
                         no_shows) {_INST},
b AS (
    SELECT b.instrument_id, (b.starts_at AT TIME ZONE inst.tz)::date AS day, b.status,
           b.late_cancellation
    FROM booking b JOIN inst ON inst.id = b.instrument_id
    WHERE b.kind = 'booking'
      AND b.ends_at > ($1::date - 2)::timestamp AT TIME ZONE 'UTC'
      AND b.starts_at < ($2::date + 2)::timestamp AT TIME ZONE 'UTC'
)
SELECT instrument_id, day,
       count(*) FILTER (WHERE status IN {_KEPT}),
       count(*) FILTER (WHERE status = 'cancelled'),
       count(*) FILTER (WHERE status = 'cancelled' AND late_cancellation),
       count(*) FILTER (WHERE status = 'no_show')
FROM b WHERE day >= $1 AND day < $2
GROUP BY 1, 2
HAVING count(*) FILTER (WHERE status IN {_KEPT} OR status = 'cancelled') > 0
"""

_ROLLUP_SUMS = """sum(effective_s), sum(external_s), sum(cross_region_s), sum(internal_s), sum(booked_s),
       sum(available_s), sum(sessions), sum(bookings), sum(cancellations),
       sum(late_cancellations), sum(no_shows), sum(unverified_external_s)"""


DELETE_DAYS = [
    f"DELETE FROM usage_daily WHERE day >= $1 AND day < $2 AND {_SCOPE}",
    f"DELETE FROM flow_daily WHERE day >= $1 AND day < $2 AND {_SCOPE}",
]

USAGE_DAYS = f"""
INSERT INTO usage_daily
SELECT instrument_id, day, {_ROLLUP_SUMS}
FROM metrics_day WHERE day >= $1 AND day < $2 GROUP BY instrument_id, day
"""

#: usage_period's columns in `_ROLLUP_SUMS` order (ext_institutions sits before the last figure).
_PERIOD_COLUMNS = """grain, period_start, instrument_id, effective_s, external_s, cross_region_s,
    internal_s, booked_s, available_s, sessions, bookings, cancellations, late_cancellations,
    no_shows, unverified_external_s"""

_PERIOD_SCOPE = f"grain = $4 AND period_start >= $1 AND period_start < $2 AND {_SCOPE}"

#: Months `[$1, $2)` from the days, then years from the months ($4 is the grain rebuilt;
#: statements run one by one, each with the same four parameters).
PERIODS = {
    "month": [
        f"DELETE FROM usage_period WHERE {_PERIOD_SCOPE}",
        f"""INSERT INTO usage_period ({_PERIOD_COLUMNS})
            SELECT $4, date_trunc('month', day::timestamp)::date, instrument_id, {_ROLLUP_SUMS}
            FROM usage_daily WHERE day >= $1 AND day < $2 AND {_SCOPE} GROUP BY 2, 3""",
        f"DELETE FROM flow_period WHERE {_PERIOD_SCOPE}",
        f"""INSERT INTO flow_period
            SELECT $4, date_trunc('month', day::timestamp)::date, instrument_id,
                   user_institution_id, user_region_code, is_external, sum(seconds)
            FROM flow_daily WHERE day >= $1 AND day < $2 AND {_SCOPE} GROUP BY 2, 3, 4, 5, 6""",
    ],
    "year": [
        f"DELETE FROM usage_period WHERE {_PERIOD_SCOPE}",
        f"""INSERT INTO usage_period ({_PERIOD_COLUMNS})
            SELECT $4, date_trunc('year', period_start::timestamp)::date, instrument_id, {_ROLLUP_SUMS}
            FROM usage_period
            WHERE grain = 'month' AND period_start >= $1 AND period_start < $2 AND {_SCOPE}
            GROUP BY 2, 3""",
        f"DELETE FROM flow_period WHERE {_PERIOD_SCOPE}",
        f"""INSERT INTO flow_period
            SELECT $4, date_trunc('year', period_start::timestamp)::date, instrument_id,
                   user_institution_id, user_region_code, is_external, sum(seconds)
            FROM flow_period
            WHERE grain = 'month' AND period_start >= $1 AND period_start < $2 AND {_SCOPE}
            GROUP BY 2, 3, 4, 5, 6""",
    ],
}


# Sharing figures
_PLAIN = ", ".join(FIGURES)
_SHARING_SUMS = ", ".join(f"sum(src.{c}) AS {c}" for c in FIGURES)
_PER_SUMS = ", ".join(f"sum(per.{c}) AS {c}" for c in FIGURES)

_SHARING_COUNTS = """count(*) FILTER (WHERE active) AS n,
    count(*) FILTER (WHERE active AND itype = 'general') AS general,
    count(*) FILTER (WHERE active AND itype = 'special') AS special"""


def vis(q: Query, p: Params) -> str:
    where = visible_where(q.user, p, q.filters)
    since = p.add(q.date_from)
    return f"""vis AS (
        SELECT i.id, i.institution_id, n.region_code, left(i.category_code, 2) AS cat,
               i.instrument_type AS itype,
               (i.retired_at IS NULL OR i.retired_at >= {since}::date::timestamp) AS active
        FROM instrument i JOIN institution n ON n.id = i.institution_id WHERE {where})"""


def source(q: Query, p: Params, width: int) -> str:
    """`src`: per instrument and period, the figures and the external-institution bitmap."""
    whole = [s for s in q.pieces if s.grain != "day"]
    _, periods = period_where(whole, p, "day", "period_start")
    parts = [
        f"""SELECT instrument_id, period_start AS p, {_PLAIN}, ext_institutions AS ext
        FROM usage_period WHERE {periods}"""
    ]
    for seg in (s for s in q.pieces if s.grain == "day"):
        parts.extend(_edge(seg, p, width))
    return "src AS (" + "\nUNION ALL\n".join(parts) + ")"


def usage_sql(q: Query, width: int) -> tuple[str, list[Any]]:
    """Figures per group plus the totals row (`is_total`)."""
    p = Params()
    key = q.key("src.p")
    sql = f"""WITH {vis(q, p)}, {source(q, p, width)}
        SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {_SHARING_SUMS},
               coalesce(bit_count(bit_or(src.ext::bit({width}))), 0) AS ext_n
        FROM src JOIN vis ON vis.id = src.instrument_id
        GROUP BY GROUPING SETS (({key}), ())"""
    return sql, p.args


def group_satisfaction_sql(q: Query) -> tuple[str, list[Any]]:
    p = Params()
    lo, hi = p.add(q.date_from), p.add(q.date_to)
    key = q.key("s.day")
    return (
        f"""WITH {vis(q, p)}
        SELECT GROUPING({key}) = 1 AS is_total, {key} AS key,
               avg(s.rating)::float8 AS avg, count(*) AS n
        FROM satisfaction s JOIN vis ON vis.id = s.instrument_id
        WHERE s.day >= {lo} AND s.day < {hi}
        GROUP BY GROUPING SETS (({key}), ())""",
        p.args,
    )


def instruments_sql(q: Query) -> tuple[str, list[Any]]:
    """Instrument counts: for time groups only the total (every bucket has the same)."""
    p = Params()
    if q.time_group:
        return f"WITH {vis(q, p)} SELECT true AS is_total, '' AS key, {_SHARING_COUNTS} FROM vis", (
            p.args
        )
    key = q.key("")
    return (
        f"""WITH {vis(q, p)}
        SELECT GROUPING({key}) = 1 AS is_total, {key} AS key, {_SHARING_COUNTS}
        FROM vis GROUP BY GROUPING SETS (({key}), ())""",
        p.args,
    )


def table_sql(q: Query, width: int, limit: int | None, offset: int) -> tuple[str, list[Any]]:
    """Non-time groups: every visible group (with usage or not) in the table's order
    (effective seconds descending, then key), one page of them, the totals row first, and
    the number of groups in `groups`."""
    p = Params()
    vkey = q.key("")
    lo, hi = p.add(q.date_from), p.add(q.date_to)
    sat_key = q.key("s.day")
    page = f"LIMIT {p.add(limit)} OFFSET {p.add(offset)}" if limit is not None else ""
    sql = f"""WITH {vis(q, p)}, {source(q, p, width)},
    per AS (SELECT src.instrument_id, {_SHARING_SUMS}, bit_or(src.ext::bit({width})) AS ext
            FROM src WHERE src.instrument_id IN (SELECT id FROM vis)
            GROUP BY src.instrument_id),
    u AS (SELECT GROUPING({vkey}) = 1 AS is_total, coalesce({vkey}, '') AS key,
                 {_PER_SUMS}, coalesce(bit_count(bit_or(per.ext)), 0) AS ext_n
          FROM per JOIN vis ON vis.id = per.instrument_id
          GROUP BY GROUPING SETS (({vkey}), ())),
    c AS (SELECT GROUPING({vkey}) = 1 AS is_total, coalesce({vkey}, '') AS key, {_SHARING_COUNTS}
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


# Monitoring and evaluation
COMPLETE = """(i.manufacturer <> '' AND i.model <> '' AND i.country <> ''
    AND i.service_start IS NOT NULL AND i.specs <> '' AND i.functions <> ''
    AND i.contact_name <> '' AND i.contact_phone <> '')"""

#: The denominators of 正常运行设备比例 (`NORMAL_RATIO_BASE`).
NORMAL_BASES = {"evaluated": "true", "in_service": "i.status <> 'awaiting_scrap'"}

_MONITORING_PER = ", ".join(f"sum(src.{c}) AS {c}" for c in FIGURES)
_MONITORING_TOTALS = ", ".join(f"coalesce(sum(x.{c}), 0)::bigint AS {c}" for c in FIGURES)
_MONITORING_COUNTS = """
    count(*) FILTER (WHERE active) AS instruments,
    count(*) FILTER (WHERE active AND itype = 'general') AS general,
    count(*) FILTER (WHERE active AND itype = 'special') AS special,
    coalesce(sum(original_value) FILTER (WHERE active), 0) AS original_value,
    count(*) FILTER (WHERE active AND e) AS eligible,
    count(*) FILTER (WHERE active AND e AND complete) AS registered,
    count(*) FILTER (WHERE active AND e AND status = 'normal') AS normal,
    count(*) FILTER (WHERE active AND e AND base) AS normal_base,
    count(*) FILTER (WHERE active AND e AND share_mode <> 'none') AS shared,
    count(*) FILTER (WHERE active AND e AND share_mode = 'external') AS declared_external,
    count(*) FILTER (WHERE active AND e AND external_s > 0) AS served_external,
    count(*) FILTER (WHERE active AND NOT e) AS small,
    coalesce(sum(effective_s) FILTER (WHERE NOT e), 0)::bigint AS small_effective_s,
    coalesce(sum(external_s) FILTER (WHERE NOT e), 0)::bigint AS small_external_s"""


def report_sql(q: Query, width: int, threshold: Decimal, normal_base: str) -> tuple[str, list[Any]]:
    """Rows with `level` 0 (an institution), 1 (a region) or 3 (everything visible)."""
    p = Params()
    head = f"WITH {vis(q, p)}, {source(q, p, width)}"
    t = p.add(threshold)
    sql = f"""{head},
    per AS (SELECT src.instrument_id, {_MONITORING_PER}, bit_or(src.ext::bit({width})) AS ext
            FROM src GROUP BY src.instrument_id),
    x AS (SELECT vis.region_code, vis.institution_id, vis.active, vis.itype, i.original_value,
                 i.original_value >= {t} AS e, i.status, i.share_mode, {COMPLETE} AS complete,
                 {NORMAL_BASES[normal_base]} AS base, per.*
          FROM vis JOIN instrument i ON i.id = vis.id
          LEFT JOIN per ON per.instrument_id = vis.id)
    SELECT GROUPING(x.region_code, x.institution_id) AS level, x.region_code, x.institution_id,
           {_MONITORING_COUNTS}, {_MONITORING_TOTALS}, coalesce(bit_count(bit_or(x.ext)), 0) AS ext_n
    FROM x GROUP BY GROUPING SETS ((x.region_code, x.institution_id), (x.region_code), ())"""
    return sql, p.args


def monitoring_satisfaction_sql(q: Query) -> tuple[str, list[Any]]:
    """Ratings of the period at the same three levels."""
    p = Params()
    lo, hi = p.add(q.date_from), p.add(q.date_to)
    sql = f"""WITH {vis(q, p)}
    SELECT GROUPING(vis.region_code, vis.institution_id) AS level, vis.region_code,
           vis.institution_id, avg(s.rating)::float8 AS avg, count(*) AS n
    FROM satisfaction s JOIN vis ON vis.id = s.instrument_id
    WHERE s.day >= {lo} AND s.day < {hi}
    GROUP BY GROUPING SETS ((vis.region_code, vis.institution_id), (vis.region_code), ())"""
    return sql, p.args


# Flows between regions
def flow_matrix_sql(q: Query) -> tuple[str, list[Any]]:
    """Seconds used per (user's region, instrument's region) over the visible instruments."""
    p = Params()
    days, periods = period_where(q.segments, p, "day", "period_start")
    return (
        f"""WITH {vis(q, p)}, src AS (
                SELECT instrument_id, user_region_code, seconds FROM flow_daily WHERE {days}
                UNION ALL
                SELECT instrument_id, user_region_code, seconds FROM flow_period WHERE {periods})
            SELECT src.user_region_code AS from_region, vis.region_code AS to_region,
                   sum(src.seconds)::bigint AS seconds
            FROM src JOIN vis ON vis.id = src.instrument_id
            GROUP BY 1, 2 ORDER BY 1, 2""",
        p.args,
    )


REGION_NAMES = (
    "SELECT code, name_zh, name_en FROM region WHERE code = ANY($1::text[]) ORDER BY code"
)

INSTITUTION_NAMES_BY_ID = """
SELECT 'region' AS kind, code AS key, '' AS code, name_zh, name_en FROM region
WHERE code = ANY($1::text[])
UNION ALL
SELECT 'institution', id::text, code, name_zh, name_en FROM institution
WHERE id = ANY($2::bigint[])
"""

RATEABLE_BOOKING = f"""
SELECT b.user_id, b.kind, b.status, b.instrument_id,
       (b.starts_at AT TIME ZONE r.timezone)::date AS day,
       EXISTS (SELECT 1 FROM usage_session s WHERE s.booking_id = b.id AND s.ended_at IS NOT NULL)
           AS used
FROM booking b JOIN instrument i ON i.id = b.instrument_id
{zone_join("i", "n")}
WHERE b.id = $1
"""

INSERT_RATING = """
INSERT INTO satisfaction (booking_id, user_id, instrument_id, day, rating, comment)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (booking_id) DO NOTHING
RETURNING booking_id, rating, comment, created_at
"""


# Roll-up, second half: The roll-up's second half: external-institution bitmaps and month-to-date running totals.
#
# Statements take `$1`/`$2` = local dates `[lo, hi)`, `$3` = instrument ids or NULL (all), and
# the period statements `$4` = grain, like `rollup_sql.PERIODS`. A bitmap holds one bit per
# `metrics_institution_slot.slot` (bit 0 leftmost), so "distinct external institutions" of any
# set of rows is the number of ones in their OR: no join over per-institution rows at read time.

_FLOW_SCOPE = "($3::bigint[] IS NULL OR f.instrument_id = ANY($3))"

#: Numbers for user institutions seen as external in the chunk. The roll-up holds its advisory
#: lock, so no other writer picks numbers at the same time.
SLOTS = f"""
INSERT INTO metrics_institution_slot (institution_id, slot)
SELECT n.id, (SELECT coalesce(max(slot), -1) FROM metrics_institution_slot)
             + row_number() OVER (ORDER BY n.id)
FROM (SELECT DISTINCT f.user_institution_id AS id FROM flow_daily f
      WHERE f.day >= $1 AND f.day < $2 AND f.is_external AND {_FLOW_SCOPE}) n
WHERE NOT EXISTS (SELECT 1 FROM metrics_institution_slot s WHERE s.institution_id = n.id)
ON CONFLICT DO NOTHING
"""

#: One all-zero bitmap as wide as the slots handed out so far.
_RUN_ZERO = """z AS (SELECT repeat('0', coalesce(max(slot) + 1, 1))::varbit AS zero
          FROM metrics_institution_slot)"""

_RUN_BIT = "set_bit(z.zero, s.slot, 1)"

PERIOD_EXT = f"""
WITH {_RUN_ZERO}
UPDATE usage_period p SET ext_institutions = e.bits
FROM (SELECT f.period_start, f.instrument_id, bit_or({_RUN_BIT}) AS bits
      FROM flow_period f JOIN metrics_institution_slot s ON s.institution_id = f.user_institution_id
      CROSS JOIN z
      WHERE f.grain = $4 AND f.period_start >= $1 AND f.period_start < $2 AND f.is_external
        AND {_FLOW_SCOPE}
      GROUP BY 1, 2) e
WHERE p.grain = $4 AND p.period_start = e.period_start AND p.instrument_id = e.instrument_id
"""

_RUN_RUNNING = ", ".join(f"sum(coalesce(u.{c}, 0)) OVER w" for c in FIGURES)

#: `$1` is the first of a month, `$2` the first of the next. Day 0 (the last day of the month
#: before) is generated as the all-zero first row of `run`.
RUN_DELETE = """
DELETE FROM usage_month_run f WHERE month >= $1 AND month < $2
  AND ($3::bigint[] IS NULL OR f.instrument_id = ANY($3))
"""

RUN_INSERT = f"""
INSERT INTO usage_month_run (instrument_id, month, run, ext_upto, ext_from)
WITH {_RUN_ZERO},
ext AS (
    SELECT f.instrument_id, f.day, bit_or({_RUN_BIT}) AS bits
    FROM flow_daily f JOIN metrics_institution_slot s ON s.institution_id = f.user_institution_id
    CROSS JOIN z
    WHERE f.day >= $1 AND f.day < $2 AND f.is_external AND {_FLOW_SCOPE}
    GROUP BY 1, 2
),
days AS (
    SELECT i.instrument_id, g.d::date AS day
    FROM (SELECT DISTINCT f.instrument_id FROM usage_daily f
          WHERE f.day >= $1 AND f.day < $2 AND {_FLOW_SCOPE}) i
    CROSS JOIN generate_series(($1::date - 1)::timestamp, ($2::date - 1)::timestamp,
                               interval '1 day') AS g(d)
),
cum AS (
    SELECT d.instrument_id, d.day, ARRAY[{_RUN_RUNNING}]::integer[] AS r,
           bit_or(e.bits) OVER w AS upto,
           bit_or(e.bits) OVER (PARTITION BY d.instrument_id ORDER BY d.day DESC) AS rest,
           e.bits IS NOT NULL AS has_ext
    FROM days d
    LEFT JOIN (SELECT * FROM usage_daily f WHERE f.day >= $1 AND f.day < $2 AND {_FLOW_SCOPE}) u
           ON u.instrument_id = d.instrument_id AND u.day = d.day
    LEFT JOIN ext e ON e.instrument_id = d.instrument_id AND e.day = d.day
    WINDOW w AS (PARTITION BY d.instrument_id ORDER BY d.day)
)
SELECT instrument_id, $1, array_agg(r ORDER BY day),
       CASE WHEN bool_or(has_ext) THEN array_agg(upto ORDER BY day) FILTER (WHERE day >= $1) END,
       CASE WHEN bool_or(has_ext) THEN array_agg(rest ORDER BY day) FILTER (WHERE day >= $1) END
FROM cum GROUP BY instrument_id
"""


# Names and zones
#: Every zone an institution is in (the roll-up's "recent days" span them all).
INSTITUTION_ZONES = (
    "SELECT DISTINCT r.timezone FROM region r JOIN institution n ON n.region_code = r.code"
)
INSTITUTION_NAMES = "SELECT name_zh, name_en FROM institution WHERE id = $1"
#: The names of the groups of one page of the sharing table, by group: `$1` the keys.
GROUP_LABELS = {
    "instrument": "SELECT id::text AS key, name_zh AS zh, name_en AS en FROM instrument"
    " WHERE id = ANY($1::bigint[])",
    "institution": "SELECT id::text AS key, name_zh AS zh, name_en AS en FROM institution"
    " WHERE id = ANY($1::bigint[])",
    "region": "SELECT code AS key, name_zh AS zh, name_en AS en FROM region"
    " WHERE code = ANY($1::text[])",
    "category": "SELECT code AS key, name_zh AS zh, name_en AS en FROM category"
    " WHERE code = ANY($1::text[])",
}


# A researcher's own usage (`mine.py`): $1 the user, $2/$3 the optional local date range.
_MY_FROM = f"""
FROM usage_session s
JOIN instrument i ON i.id = s.instrument_id
{zone_join("i", "n")}
LEFT JOIN satisfaction sat ON sat.booking_id = s.booking_id
WHERE s.user_id = $1
  AND ($2::date IS NULL OR s.started_at >= $2::date::timestamp AT TIME ZONE r.timezone)
  AND ($3::date IS NULL OR s.started_at < $3::date::timestamp AT TIME ZONE r.timezone)
"""
_MY_SECONDS = "extract(epoch FROM s.ended_at - s.started_at)"
#: The user's sessions, newest first (the caller adds LIMIT/OFFSET).
MY_SESSIONS = f"""SELECT s.id, s.instrument_id, i.name_zh, i.name_en, s.booking_id, s.started_at,
       s.ended_at, {_MY_SECONDS} AS secs, s.service_way, s.samples, s.amount, sat.rating
{_MY_FROM} ORDER BY s.started_at DESC, s.id DESC"""
#: The user's sessions and hours per instrument, most used first.
MY_INSTRUMENTS = f"""SELECT s.instrument_id, min(i.name_zh) AS name_zh, min(i.name_en) AS name_en,
       count(*) AS n, coalesce(sum({_MY_SECONDS}), 0)::float8 AS secs
{_MY_FROM} GROUP BY s.instrument_id ORDER BY secs DESC, s.instrument_id"""


# Service records (`records.py`): the sessions of a date range the caller may see.
RECORD_COLUMNS = """s.started_at, s.ended_at, s.service_way, s.samples, s.amount, u.display_name,
    ui.name_zh AS unit, i.id AS instrument_id, i.name_zh AS instrument, n.code AS ins_code,
    r.timezone, sat.rating, sat.comment"""


def records_from(where: str, lo: str, hi: str) -> str:
    """FROM … WHERE of the service records: `where` the caller's visibility, `lo`/`hi` the
    placeholders of the local date range."""
    return f"""
    FROM usage_session s
    JOIN instrument i ON i.id = s.instrument_id
    {zone_join("i", "n")}
    JOIN institution ui ON ui.id = s.user_institution_id
    LEFT JOIN app_user u ON u.id = s.user_id
    LEFT JOIN satisfaction sat ON sat.booking_id = s.booking_id
    WHERE s.ended_at IS NOT NULL AND {where}
      AND s.started_at >= {lo}::date::timestamp AT TIME ZONE r.timezone
      AND s.started_at < {hi}::date::timestamp AT TIME ZONE r.timezone"""
