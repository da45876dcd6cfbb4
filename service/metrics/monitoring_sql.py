"""One query for the monitoring report and the evaluation ratios: per institution, per region
and for the whole selection (GROUPING SETS), the usage figures and the counts of the national
evaluation, over the instruments visible in a `Query`.

Counts are over the instruments in service during the period (not retired before it starts);
"evaluated" ones are worth at least the threshold. 外部共享比例 counts the evaluated instruments
that actually served an outside legal entity in the period (external hours > 0, from the
roll-up, so legal-entity groups apply); the declared share mode is counted separately.
Distinct external institutions come from the OR of the per-instrument bitmaps.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.metrics.scope import Params
from service.metrics.sharing_sql import FIGURES, Query

# The registry record is complete when the fields the national registry requires are filled.
COMPLETE = """(i.manufacturer <> '' AND i.model <> '' AND i.country <> ''
    AND i.service_start IS NOT NULL AND i.specs <> '' AND i.functions <> ''
    AND i.contact_name <> '' AND i.contact_phone <> '')"""

#: The denominators of 正常运行设备比例 (`NORMAL_RATIO_BASE`).
NORMAL_BASES = {"evaluated": "true", "in_service": "i.status <> 'awaiting_scrap'"}

_PER = ", ".join(f"sum(src.{c}) AS {c}" for c in FIGURES)
_TOTALS = ", ".join(f"coalesce(sum(x.{c}), 0)::bigint AS {c}" for c in FIGURES)
_COUNTS = """
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
    head = f"WITH {q.vis(p)}, {q.source(p, width)}"
    t = p.add(threshold)
    sql = f"""{head},
    per AS (SELECT src.instrument_id, {_PER}, bit_or(src.ext::bit({width})) AS ext
            FROM src GROUP BY src.instrument_id),
    x AS (SELECT vis.region_code, vis.institution_id, vis.active, vis.itype, i.original_value,
                 i.original_value >= {t} AS e, i.status, i.share_mode, {COMPLETE} AS complete,
                 {NORMAL_BASES[normal_base]} AS base, per.*
          FROM vis JOIN instrument i ON i.id = vis.id
          LEFT JOIN per ON per.instrument_id = vis.id)
    SELECT GROUPING(x.region_code, x.institution_id) AS level, x.region_code, x.institution_id,
           {_COUNTS}, {_TOTALS}, coalesce(bit_count(bit_or(x.ext)), 0) AS ext_n
    FROM x GROUP BY GROUPING SETS ((x.region_code, x.institution_id), (x.region_code), ())"""
    return sql, p.args


def satisfaction_sql(q: Query) -> tuple[str, list[Any]]:
    """Ratings of the period at the same three levels."""
    p = Params()
    lo, hi = p.add(q.date_from), p.add(q.date_to)
    sql = f"""WITH {q.vis(p)}
    SELECT GROUPING(vis.region_code, vis.institution_id) AS level, vis.region_code,
           vis.institution_id, avg(s.rating)::float8 AS avg, count(*) AS n
    FROM satisfaction s JOIN vis ON vis.id = s.instrument_id
    WHERE s.day >= {lo} AND s.day < {hi}
    GROUP BY GROUPING SETS ((vis.region_code, vis.institution_id), (vis.region_code), ())"""
    return sql, p.args
