"""The set-based SQL of the roll-up. `$1`/`$2` are the local dates `[lo, hi)`, `$3` an optional
array of instrument ids (NULL = all). Sessions and bookings are split at local midnights with
`generate_series` over the local dates they touch, so a session over midnight, a month or a
year end lands on each day with exactly its share, and a DST day has 23 or 25 hours."""

from __future__ import annotations

INSTRUMENTS = """
SELECT i.id, r.timezone AS tz, i.retired_at
FROM instrument i JOIN institution n ON n.id = i.institution_id JOIN region r ON r.code = n.region_code
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
BLOCKS = """
SELECT instrument_id, starts_at, ends_at FROM booking
WHERE kind = 'maintenance' AND status IN ('confirmed', 'completed')
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
    secs integer NOT NULL, unverified boolean NOT NULL DEFAULT false
) ON COMMIT DROP;
"""

_INST = """
WITH inst AS (
    SELECT i.id, r.timezone AS tz
    FROM instrument i JOIN institution n ON n.id = i.institution_id
    JOIN region r ON r.code = n.region_code
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


# Only finished sessions count; an open one (ended_at NULL) is not yet used time. Use by an
# account whose affiliation was not verified is neither external nor cross-region: it is
# `unverified` (its own line in the figures), so the national ratio rests on proven identities.
SESSION_PIECES = f"""
INSERT INTO metrics_piece {_INST}
SELECT s.instrument_id, g.day::date, s.user_institution_id, s.user_region_code,
       s.is_external AND s.affiliation_verified, s.is_cross_region AND s.affiliation_verified,
       {_secs("s.started_at", "s.ended_at")}, NOT s.affiliation_verified
FROM usage_session s JOIN inst ON inst.id = s.instrument_id {_split("s.started_at", "s.ended_at")}
WHERE s.ended_at IS NOT NULL {_NEAR}
"""

SESSION_DAYS = """
INSERT INTO metrics_day (instrument_id, day, effective_s, external_s, cross_region_s, internal_s,
                         sessions, unverified_external_s)
SELECT instrument_id, day, sum(secs),
       coalesce(sum(secs) FILTER (WHERE is_external), 0),
       coalesce(sum(secs) FILTER (WHERE is_cross_region), 0),
       coalesce(sum(secs) FILTER (WHERE NOT is_external AND NOT unverified), 0),
       count(*),
       coalesce(sum(secs) FILTER (WHERE unverified), 0)
FROM metrics_piece WHERE secs > 0 GROUP BY instrument_id, day
"""

FLOW_DAYS = """
INSERT INTO flow_daily (instrument_id, day, user_institution_id, user_region_code, is_external,
                        seconds)
SELECT instrument_id, day, user_institution_id, user_region_code, is_external, sum(secs)
FROM metrics_piece WHERE secs > 0
GROUP BY instrument_id, day, user_institution_id, user_region_code, is_external
"""

#: Bookings that were due to happen: booked time, and the denominator of the no-show rate.
KEPT = "('confirmed', 'in_use', 'completed', 'no_show')"

BOOKED_DAYS = f"""
INSERT INTO metrics_day (instrument_id, day, booked_s) {_INST}
SELECT b.instrument_id, g.day::date, sum({_secs("b.starts_at", "b.ends_at")})
FROM booking b JOIN inst ON inst.id = b.instrument_id {_split("b.starts_at", "b.ends_at")}
WHERE b.kind = 'booking' AND b.status IN {KEPT}
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
       count(*) FILTER (WHERE status IN {KEPT}),
       count(*) FILTER (WHERE status = 'cancelled'),
       count(*) FILTER (WHERE status = 'cancelled' AND late_cancellation),
       count(*) FILTER (WHERE status = 'no_show')
FROM b WHERE day >= $1 AND day < $2
GROUP BY 1, 2
HAVING count(*) FILTER (WHERE status IN {KEPT} OR status = 'cancelled') > 0
"""

_SUMS = """sum(effective_s), sum(external_s), sum(cross_region_s), sum(internal_s), sum(booked_s),
       sum(available_s), sum(sessions), sum(bookings), sum(cancellations),
       sum(late_cancellations), sum(no_shows), sum(unverified_external_s)"""

_SCOPE = "($3::bigint[] IS NULL OR instrument_id = ANY($3))"

DELETE_DAYS = [
    f"DELETE FROM usage_daily WHERE day >= $1 AND day < $2 AND {_SCOPE}",
    f"DELETE FROM flow_daily WHERE day >= $1 AND day < $2 AND {_SCOPE}",
]

USAGE_DAYS = f"""
INSERT INTO usage_daily
SELECT instrument_id, day, {_SUMS}
FROM metrics_day WHERE day >= $1 AND day < $2 GROUP BY instrument_id, day
"""

#: usage_period's columns in `_SUMS` order (ext_institutions sits before the last figure).
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
            SELECT $4, date_trunc('month', day::timestamp)::date, instrument_id, {_SUMS}
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
            SELECT $4, date_trunc('year', period_start::timestamp)::date, instrument_id, {_SUMS}
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
