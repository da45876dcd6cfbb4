"""The roll-up's second half: external-institution bitmaps and month-to-date running totals.

Statements take `$1`/`$2` = local dates `[lo, hi)`, `$3` = instrument ids or NULL (all), and
the period statements `$4` = grain, like `rollup_sql.PERIODS`. A bitmap holds one bit per
`metrics_institution_slot.slot` (bit 0 leftmost), so "distinct external institutions" of any
set of rows is the number of ones in their OR: no join over per-institution rows at read time.
"""

from __future__ import annotations

_SCOPE = "($3::bigint[] IS NULL OR f.instrument_id = ANY($3))"

#: Numbers for user institutions seen as external in the chunk. The roll-up holds its advisory
#: lock, so no other writer picks numbers at the same time.
SLOTS = f"""
INSERT INTO metrics_institution_slot (institution_id, slot)
SELECT n.id, (SELECT coalesce(max(slot), -1) FROM metrics_institution_slot)
             + row_number() OVER (ORDER BY n.id)
FROM (SELECT DISTINCT f.user_institution_id AS id FROM flow_daily f
      WHERE f.day >= $1 AND f.day < $2 AND f.is_external AND {_SCOPE}) n
WHERE NOT EXISTS (SELECT 1 FROM metrics_institution_slot s WHERE s.institution_id = n.id)
ON CONFLICT DO NOTHING
"""

#: One all-zero bitmap as wide as the slots handed out so far.
_ZERO = """z AS (SELECT repeat('0', coalesce(max(slot) + 1, 1))::varbit AS zero
          FROM metrics_institution_slot)"""

_BIT = "set_bit(z.zero, s.slot, 1)"

PERIOD_EXT = f"""
WITH {_ZERO}
UPDATE usage_period p SET ext_institutions = e.bits
FROM (SELECT f.period_start, f.instrument_id, bit_or({_BIT}) AS bits
      FROM flow_period f JOIN metrics_institution_slot s ON s.institution_id = f.user_institution_id
      CROSS JOIN z
      WHERE f.grain = $4 AND f.period_start >= $1 AND f.period_start < $2 AND f.is_external
        AND {_SCOPE}
      GROUP BY 1, 2) e
WHERE p.grain = $4 AND p.period_start = e.period_start AND p.instrument_id = e.instrument_id
"""

_FIGURES = (
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
_RUNNING = ", ".join(f"sum(coalesce(u.{c}, 0)) OVER w" for c in _FIGURES)

#: `$1` is the first of a month, `$2` the first of the next. Day 0 (the last day of the month
#: before) is generated as the all-zero first row of `run`.
RUN_DELETE = """
DELETE FROM usage_month_run f WHERE month >= $1 AND month < $2
  AND ($3::bigint[] IS NULL OR f.instrument_id = ANY($3))
"""

RUN_INSERT = f"""
INSERT INTO usage_month_run (instrument_id, month, run, ext_upto, ext_from)
WITH {_ZERO},
ext AS (
    SELECT f.instrument_id, f.day, bit_or({_BIT}) AS bits
    FROM flow_daily f JOIN metrics_institution_slot s ON s.institution_id = f.user_institution_id
    CROSS JOIN z
    WHERE f.day >= $1 AND f.day < $2 AND f.is_external AND {_SCOPE}
    GROUP BY 1, 2
),
days AS (
    SELECT i.instrument_id, g.d::date AS day
    FROM (SELECT DISTINCT f.instrument_id FROM usage_daily f
          WHERE f.day >= $1 AND f.day < $2 AND {_SCOPE}) i
    CROSS JOIN generate_series(($1::date - 1)::timestamp, ($2::date - 1)::timestamp,
                               interval '1 day') AS g(d)
),
cum AS (
    SELECT d.instrument_id, d.day, ARRAY[{_RUNNING}]::integer[] AS r,
           bit_or(e.bits) OVER w AS upto,
           bit_or(e.bits) OVER (PARTITION BY d.instrument_id ORDER BY d.day DESC) AS rest,
           e.bits IS NOT NULL AS has_ext
    FROM days d
    LEFT JOIN usage_daily u ON u.instrument_id = d.instrument_id AND u.day = d.day
                           AND d.day >= $1
    LEFT JOIN ext e ON e.instrument_id = d.instrument_id AND e.day = d.day
    WINDOW w AS (PARTITION BY d.instrument_id ORDER BY d.day)
)
SELECT instrument_id, $1, array_agg(r ORDER BY day),
       CASE WHEN bool_or(has_ext) THEN array_agg(upto ORDER BY day) FILTER (WHERE day >= $1) END,
       CASE WHEN bool_or(has_ext) THEN array_agg(rest ORDER BY day) FILTER (WHERE day >= $1) END
FROM cum GROUP BY instrument_id
"""
