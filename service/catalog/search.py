"""The instrument list query, built from validated filters and a search plan.

Pure: returns SQL text and parameters. With a query, instruments are matched through the
search index (`instrument_search`, see `service.search`): the plan's `tsquery` against the GIN
index, and `relevance` orders by the plan's rank tier (exact name or class matches first, then
names and classes, then model and manufacturer, then specifications), then by name.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from service.catalog.rules import InstrumentFilters
from service.search.plan import Plan
from service.search.sql import MATCH_JOIN, RANK_TIER

FROM = """
FROM instrument i
JOIN institution inst ON inst.id = i.institution_id
JOIN region r ON r.code = inst.region_code
JOIN category c ON c.code = i.category_code
"""

COLUMNS = """
i.id, i.name_zh, i.name_en, i.category_code, c.name_zh AS category_name_zh,
c.name_en AS category_name_en, i.institution_id, inst.code AS institution_code,
inst.name_zh AS institution_name_zh, inst.name_en AS institution_name_en,
inst.region_code, r.name_zh AS region_name_zh, r.name_en AS region_name_en, r.timezone,
i.manufacturer, i.model, i.original_value, i.instrument_type, i.share_mode, i.status,
i.photo_url, i.retired_at IS NOT NULL AS retired
"""

ORDER_BY = {
    "name": "i.name_zh, i.id",
    "value": "i.original_value, i.id",
    "-value": "i.original_value DESC, i.id",
    "newest": "i.created_at DESC, i.id DESC",
    "region": "inst.region_code, inst.name_zh, i.name_zh, i.id",
}


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def where_clause(filters: InstrumentFilters, plan: Plan | None) -> tuple[str, list[Any]]:
    """WHERE text and its parameters; with a plan, parameter 1 is its match query."""
    p = _Params()
    conds: list[str] = []
    if plan is not None:
        conds.append(f"s.document @@ {p.add(plan.match)}::tsquery")
    if not filters.include_retired:
        conds.append("i.retired_at IS NULL")
    if filters.region:
        conds.append(f"inst.region_code = {p.add(filters.region)}")
    if filters.institution is not None:
        conds.append(f"i.institution_id = {p.add(filters.institution)}")
    if filters.category:
        ref = p.add(filters.category)
        conds.append(f"left(i.category_code, length({ref})) = {ref}")
    if filters.share_modes:
        conds.append(f"i.share_mode = ANY({p.add(list(filters.share_modes))}::text[])")
    if filters.statuses:
        conds.append(f"i.status = ANY({p.add(list(filters.statuses))}::text[])")
    if filters.value_min is not None:
        conds.append(f"i.original_value >= {p.add(filters.value_min)}")
    if filters.value_max is not None:
        conds.append(f"i.original_value <= {p.add(filters.value_max)}")
    if filters.instrument_type:
        conds.append(f"i.instrument_type = {p.add(filters.instrument_type)}")
    where = "WHERE " + " AND ".join(conds) if conds else ""
    return where, p.values


def order_by(filters: InstrumentFilters, plan: Plan | None, first: int) -> tuple[str, list[Any]]:
    """ORDER BY text and its parameters (numbered from `first`): `relevance` orders by rank
    tier, then name; without a query it is the name order."""
    if filters.sort != "relevance" or plan is None:
        return ORDER_BY["name" if filters.sort == "relevance" else filters.sort], []
    refs = tuple(f"${first + n}" for n in range(3))
    tier = RANK_TIER.format(doc="s.document", tiers=refs)
    return f"{tier}, {ORDER_BY['name']}", list(plan.tiers)


class ListQuery(NamedTuple):
    #: takes `page_params`, then limit and offset
    page_sql: str
    page_params: list[Any]
    count_sql: str
    count_params: list[Any]


def list_query(filters: InstrumentFilters, plan: Plan | None) -> ListQuery:
    where, params = where_clause(filters, plan)
    source = FROM + (MATCH_JOIN if plan is not None else "")
    order, order_params = order_by(filters, plan, len(params) + 1)
    n = len(params) + len(order_params)
    page_sql = f"SELECT {COLUMNS} {source} {where} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}"
    count_sql = f"SELECT count(*) {source} {where}"
    return ListQuery(page_sql, params + order_params, count_sql, params)
