"""SQL of the dirty instrument-days (see `dirty.py` and the migration that adds the table).

Writers mark days through the SQL functions `metrics_mark_days` / `metrics_mark_sessions`
(triggers call them too); a roll-up chunk remembers the marks it saw when it began
(`REMEMBER`) and, at its end, deletes the rows whose count of marks is unchanged (`RESOLVE`):
a write that marked the day meanwhile keeps it dirty for the next pass.
"""

from __future__ import annotations

_SCOPE = "($3::bigint[] IS NULL OR instrument_id = ANY($3))"

CREATE_SEEN = """
CREATE TEMP TABLE metrics_seen (instrument_id bigint NOT NULL, day date NOT NULL,
                                marks integer NOT NULL) ON COMMIT DROP
"""

#: `$1`/`$2` the local dates `[lo, hi)`, `$3` instrument ids or NULL, as in `rollup_sql`.
REMEMBER = f"""
INSERT INTO metrics_seen
SELECT instrument_id, day, marks FROM metrics_dirty_day
WHERE day >= $1 AND day < $2 AND {_SCOPE}
"""

RESOLVE = """
DELETE FROM metrics_dirty_day d USING metrics_seen s
WHERE d.instrument_id = s.instrument_id AND d.day = s.day AND d.marks = s.marks
"""

#: `$1` first day not claimed (the recent days are the recent pass's), `$2` now, `$3` batch
#: size, `$4` lease end, `$5` claimer. Rows whose lease ran out (a claimer that died) are taken
#: again.
CLAIM = """
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
RELEASE = """
UPDATE metrics_dirty_day d SET claimed_until = NULL, claimed_by = ''
FROM unnest($2::bigint[], $3::date[]) AS c(instrument_id, day)
WHERE d.instrument_id = c.instrument_id AND d.day = c.day AND d.claimed_by = $1
"""

MARK_USER_SESSIONS = (
    "SELECT metrics_mark_sessions(ARRAY(SELECT id FROM usage_session WHERE user_id = $1))"
)

#: Sessions crossing either edge of `[$1, $2)` in their instrument's zone (`$3` ids or NULL):
#: their days outside the range are recomputed with it, so no session is ever half-counted.
EDGES = """
WITH inst AS (
    SELECT i.id, r.timezone AS tz
    FROM instrument i JOIN institution n ON n.id = i.institution_id
    JOIN region r ON r.code = n.region_code
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

FRESHNESS = """
SELECT f.as_of, f.last_rollup_at,
       (SELECT count(*) FROM metrics_dirty_day) AS dirty_days,
       (SELECT min(day) FROM metrics_dirty_day) AS oldest_dirty_day,
       (SELECT min(first_marked_at) FROM metrics_dirty_day) AS dirty_since
FROM metrics_freshness f
"""

NOTE_ROLLUP = "UPDATE metrics_freshness SET last_rollup_at = clock_timestamp()"
NOTE_AS_OF = """
UPDATE metrics_freshness SET as_of = greatest(as_of, $1), last_rollup_at = clock_timestamp()
"""
