"""The region-to-region flow matrix: hours used by users of one region on instruments of
another (user region → instrument region), over the caller's visible instruments."""

from __future__ import annotations

from service.common.i18n import pick
from service.db import Database
from service.metrics import sql
from service.metrics.figures import hours
from service.metrics.schemas import FlowOut, FlowRegionOut
from service.metrics.sharing import Query


async def flow_matrix(
    db: Database, q: Query, language: str
) -> tuple[list[FlowRegionOut], list[FlowOut]]:
    statement, args = sql.flow_matrix_sql(q)
    rows = await db.fetch(statement, *args)
    codes = sorted({r["from_region"] for r in rows} | {r["to_region"] for r in rows})
    names = await db.fetch(sql.REGION_NAMES, codes)
    regions = [FlowRegionOut(r["code"], pick(language, r["name_zh"], r["name_en"])) for r in names]
    matrix = [FlowOut(r["from_region"], r["to_region"], hours(r["seconds"])) for r in rows]
    return regions, matrix
