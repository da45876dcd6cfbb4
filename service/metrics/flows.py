"""The region-to-region flow matrix: hours used by users of one region on instruments of
another (user region → instrument region), over the caller's visible instruments."""

from __future__ import annotations

from service.common.i18n import pick
from service.db import Database
from service.metrics.figures import hours
from service.metrics.schemas import FlowOut, FlowRegionOut
from service.metrics.scope import Params, period_where
from service.metrics.sharing import Query


async def flow_matrix(
    db: Database, q: Query, language: str
) -> tuple[list[FlowRegionOut], list[FlowOut]]:
    p = Params()
    vis = q.vis(p)
    days, periods = period_where(q.segments, p, "day", "period_start")
    rows = await db.fetch(
        f"""WITH {vis}, src AS (
                SELECT instrument_id, user_region_code, seconds FROM flow_daily WHERE {days}
                UNION ALL
                SELECT instrument_id, user_region_code, seconds FROM flow_period WHERE {periods})
            SELECT src.user_region_code AS from_region, vis.region_code AS to_region,
                   sum(src.seconds)::bigint AS seconds
            FROM src JOIN vis ON vis.id = src.instrument_id
            GROUP BY 1, 2 ORDER BY 1, 2""",
        *p.args,
    )
    codes = sorted({r["from_region"] for r in rows} | {r["to_region"] for r in rows})
    names = await db.fetch(
        "SELECT code, name_zh, name_en FROM region WHERE code = ANY($1::text[]) ORDER BY code",
        codes,
    )
    regions = [FlowRegionOut(r["code"], pick(language, r["name_zh"], r["name_en"])) for r in names]
    matrix = [FlowOut(r["from_region"], r["to_region"], hours(r["seconds"])) for r in rows]
    return regions, matrix
