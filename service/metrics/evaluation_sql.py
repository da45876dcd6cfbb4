"""SQL of the count-based evaluation ratios, per institution, over a period.

Counts are over the instruments in service during the period (not retired before it starts);
"evaluated" ones are worth at least the threshold. 外部共享比例 counts the evaluated instruments
that actually served an outside legal entity in the period (external hours > 0, from the
roll-up, so the legal-entity groups apply); the declared share mode is counted separately.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.metrics.scope import Params
from service.metrics.sharing_sql import Query

# The registry record is complete when the fields the national registry requires are filled.
COMPLETE = """(i.manufacturer <> '' AND i.model <> '' AND i.country <> ''
    AND i.service_start IS NOT NULL AND i.specs <> '' AND i.functions <> ''
    AND i.contact_name <> '' AND i.contact_phone <> '')"""

#: The denominators of 正常运行设备比例 (`NORMAL_RATIO_BASE`).
NORMAL_BASES = {"evaluated": "true", "in_service": "i.status <> 'awaiting_scrap'"}


def counts_sql(q: Query, width: int, threshold: Decimal, normal_base: str) -> tuple[str, list[Any]]:
    """One row per institution of the caller's visible instruments."""
    p = Params()
    head = f"WITH {q.vis(p)}, {q.source(p, width)}"
    t = p.add(threshold)
    sql = f"""{head},
    per AS (SELECT instrument_id, sum(effective_s) AS eff, sum(external_s) AS ext
            FROM src GROUP BY instrument_id),
    x AS (SELECT vis.institution_id, vis.active, i.original_value >= {t} AS e,
                 i.status, i.share_mode, {COMPLETE} AS complete, {NORMAL_BASES[normal_base]} AS base,
                 coalesce(per.eff, 0) AS eff, coalesce(per.ext, 0) AS ext
          FROM vis JOIN instrument i ON i.id = vis.id
          LEFT JOIN per ON per.instrument_id = vis.id)
    SELECT institution_id,
           count(*) FILTER (WHERE active) AS instruments,
           count(*) FILTER (WHERE active AND e) AS eligible,
           count(*) FILTER (WHERE active AND e AND complete) AS registered,
           count(*) FILTER (WHERE active AND e AND status = 'normal') AS normal,
           count(*) FILTER (WHERE active AND e AND base) AS normal_base,
           count(*) FILTER (WHERE active AND e AND share_mode <> 'none') AS shared,
           count(*) FILTER (WHERE active AND e AND share_mode = 'external') AS declared_external,
           count(*) FILTER (WHERE active AND e AND ext > 0) AS served_external,
           count(*) FILTER (WHERE active AND NOT e) AS small,
           coalesce(sum(eff) FILTER (WHERE NOT e), 0)::bigint AS small_effective_s,
           coalesce(sum(ext) FILTER (WHERE NOT e), 0)::bigint AS small_external_s
    FROM x GROUP BY institution_id"""
    return sql, p.args
