"""The instrument list query, built from validated filters and a search plan.

Pure: returns SQL text and parameters.

Without a query the list reads `instrument` and its institution, region and class.

With a query, instruments are matched through the search index (`instrument_search`, see
`service.search`): the plan's `tsquery` against its GIN index. That table also carries a copy of
every sort and filter key (kept by the database), so the matches are filtered, ranked and
counted there, on narrow rows, and only the page's rows are joined to the instrument, its
institution, region and class: a broad query (`电镜`, a class name) matches thousands of
instruments, and joining and sorting all of them to keep twenty is what made it slow. One
statement answers the page and the exact total (the matches are read once). `relevance` orders
by the plan's rank tier (exact name or class matches first, then names and classes, then model
and manufacturer, then specifications), then by name.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from service.catalog.rules import InstrumentFilters
from service.search.plan import Plan
from service.search.sql import RANK_TIER

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

#: With a query: per sort, the keys a match carries out of `instrument_search` (alias `s`,
#: institution `inst`) and the order over them (`{t}` is the alias of the rows being ordered).
_KEYS = {
    "relevance": ("{tier} AS tier, s.name_zh", "{t}.tier, {t}.name_zh, {t}.id"),
    "name": ("s.name_zh", "{t}.name_zh, {t}.id"),
    "value": ("s.original_value", "{t}.original_value, {t}.id"),
    "-value": ("s.original_value", "{t}.original_value DESC, {t}.id"),
    "newest": ("s.created_at", "{t}.created_at DESC, {t}.id DESC"),
    "region": (
        "inst.region_code, inst.name_zh AS institution_name_zh, s.name_zh",
        "{t}.region_code, {t}.institution_name_zh, {t}.name_zh, {t}.id",
    ),
}


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def where_clause(filters: InstrumentFilters, plan: Plan | None) -> tuple[str, list[Any]]:
    """WHERE text and its parameters; with a plan, parameter 1 is its match query and the
    conditions read the keys of `instrument_search` (alias `s`) instead of `instrument`."""
    p = _Params()
    t = "s" if plan is not None else "i"
    conds: list[str] = []
    if plan is not None:
        conds.append(f"s.document @@ {p.add(plan.match)}::tsquery")
    if not filters.include_retired:
        conds.append("NOT s.retired" if plan is not None else "i.retired_at IS NULL")
    if filters.region:
        conds.append(f"inst.region_code = {p.add(filters.region)}")
    if filters.institution is not None:
        conds.append(f"{t}.institution_id = {p.add(filters.institution)}")
    if filters.category:
        ref = p.add(filters.category)
        conds.append(f"left({t}.category_code, length({ref})) = {ref}")
    if filters.share_modes:
        conds.append(f"{t}.share_mode = ANY({p.add(list(filters.share_modes))}::text[])")
    if filters.statuses:
        conds.append(f"{t}.status = ANY({p.add(list(filters.statuses))}::text[])")
    if filters.value_min is not None:
        conds.append(f"{t}.original_value >= {p.add(filters.value_min)}")
    if filters.value_max is not None:
        conds.append(f"{t}.original_value <= {p.add(filters.value_max)}")
    if filters.instrument_type:
        conds.append(f"{t}.instrument_type = {p.add(filters.instrument_type)}")
    where = "WHERE " + " AND ".join(conds) if conds else ""
    return where, p.values


class ListQuery(NamedTuple):
    #: takes `page_params`, then limit and offset; with a query its rows also carry `total`
    page_sql: str
    page_params: list[Any]
    #: the total alone (without a query; with one, only needed past the last page)
    count_sql: str
    count_params: list[Any]
    #: whether the page's rows carry the total
    counted: bool


def list_query(filters: InstrumentFilters, plan: Plan | None) -> ListQuery:
    where, params = where_clause(filters, plan)
    if plan is None:
        order = ORDER_BY["name" if filters.sort == "relevance" else filters.sort]
        n = len(params)
        page_sql = (
            f"SELECT {COLUMNS} {FROM} {where} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}"
        )
        return ListQuery(page_sql, params, f"SELECT count(*) {FROM} {where}", params, False)
    return _search_query(filters, plan, where, params)


def _search_query(
    filters: InstrumentFilters, plan: Plan, where: str, params: list[Any]
) -> ListQuery:
    """Match, filter and rank on `instrument_search`, count the matches, join the page only."""
    keys, order = _KEYS[filters.sort]
    tier_params = list(plan.tiers) if filters.sort == "relevance" else []
    refs = tuple(f"${len(params) + 1 + n}" for n in range(len(tier_params)))
    keys = keys.format(tier=RANK_TIER.format(doc="s.document", tiers=refs)) if refs else keys
    needs_institution = filters.sort == "region" or bool(filters.region)
    source = "FROM instrument_search s" + (
        " JOIN institution inst ON inst.id = s.institution_id" if needs_institution else ""
    )
    n = len(params) + len(tier_params)
    page_sql = f"""
WITH hit AS MATERIALIZED (SELECT s.instrument_id AS id, {keys} {source} {where}),
page AS (SELECT * FROM hit h ORDER BY {order.format(t="h")} LIMIT ${n + 1} OFFSET ${n + 2})
SELECT {COLUMNS}, (SELECT count(*) FROM hit) AS total
FROM page p
JOIN instrument i ON i.id = p.id
JOIN institution inst ON inst.id = i.institution_id
JOIN region r ON r.code = inst.region_code
JOIN category c ON c.code = i.category_code
ORDER BY {order.format(t="p")}
"""
    count_sql = f"SELECT count(*) {source} {where}"
    return ListQuery(page_sql, params + tier_params, count_sql, params, True)
