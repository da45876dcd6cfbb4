"""Every SQL statement of the catalogue (instruments, institutions, regions, codes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from service.catalog.rules import InstrumentFilters
from service.common.sql import Params, zone_join
from service.search.plan import Plan
from service.search.sql import RANK_TIER

#: The zone an instrument is presented in: instrument `i`, its institution `s`, its region `r`.
INSTRUMENT_ZONE_JOIN = zone_join("i", "s")

MANAGED_INSTRUMENT = f"""
SELECT i.id, i.institution_id, r.timezone FROM instrument i
{INSTRUMENT_ZONE_JOIN}
WHERE i.id = $1
"""

# --- codes ---

UNKNOWN = """
SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM country WHERE code = $1)) AS country,
       ARRAY(SELECT s FROM unnest($2::text[]) s
             WHERE NOT EXISTS (SELECT 1 FROM discipline d WHERE d.code = s)) AS subjects
"""

#: A country typed as a Chinese or English name, or as its code.
COUNTRY_BY_NAME = """
SELECT code FROM country
WHERE name_zh = $1 OR lower(name_en) = lower($1) OR code = upper($1)
ORDER BY code LIMIT 1
"""


# --- directory ---

INSTITUTION_COLUMNS = """
inst.id, inst.code, inst.name_zh, inst.name_en, inst.kind, inst.region_code,
r.name_zh AS region_name_zh, r.name_en AS region_name_en, r.timezone, inst.address,
inst.contact_name, inst.contact_phone, inst.contact_email, inst.active,
(SELECT count(*) FROM instrument i WHERE i.institution_id = inst.id AND i.retired_at IS NULL)
    AS instrument_count, inst.legal_entity_id
"""

#: A legal-entity group is one level deep: its head belongs to no other group, and a member
#: heads none. `$1` the institution joining, `$2` the head it joins.
GROUP_PROBLEM = """
SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM institution WHERE id = $2) THEN 'unknown institution'
    WHEN $1 = $2 THEN 'an institution cannot join itself'
    WHEN (SELECT legal_entity_id FROM institution WHERE id = $2) IS NOT NULL
        THEN 'that institution belongs to another legal entity itself'
    WHEN EXISTS (SELECT 1 FROM institution WHERE legal_entity_id = $1)
        THEN 'other institutions belong to this one'
END
"""


# --- instruments ---

REFS_EXIST = """
SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM region WHERE code = $1)) AS region,
       ($2::text IS NULL OR EXISTS (SELECT 1 FROM category WHERE code = $2)) AS category,
       ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM institution WHERE id = $3)) AS institution
"""


# --- directory ---

CATEGORY_TREE = (
    "SELECT code, parent_code, name_zh, name_en FROM category ORDER BY length(code), code"
)

REGION_EXISTS = "SELECT EXISTS (SELECT 1 FROM region WHERE code = $1)"


# --- instruments ---

INSTRUMENT_MANAGERS = """SELECT u.id, u.display_name, u.email FROM instrument_manager m
           JOIN app_user u ON u.id = m.user_id WHERE m.instrument_id = $1 AND u.is_active
           ORDER BY u.display_name, u.id"""

WEEKLY_HOURS = (
    "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1 "
    "ORDER BY weekday, opens"
)

LOCK_INSTRUMENT = (
    "SELECT id, institution_id, version, retired_at FROM instrument WHERE id = $1 FOR UPDATE"
)

RETIRE_INSTRUMENT = (
    "UPDATE instrument SET retired_at = now(), version = version + 1, updated_at = now() "
    "WHERE id = $1"
)


# --- regions ---

REGION_COLUMNS = "code, name_zh, name_en, timezone, parent_code, latitude, longitude, partner"

REGION = f"SELECT {REGION_COLUMNS} FROM region WHERE code = $1"


# --- writes of the fields a request set (column names come from the schemas, never input) ---


def _insert(table: str, fields: Sequence[str]) -> str:
    names = ", ".join(fields)
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) "


def _sets(fields: Sequence[str]) -> str:
    """`a = $2, b = $3`: `$1` is the row's key."""
    return ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))


def insert_institution(fields: Sequence[str]) -> str:
    return _insert("institution", fields) + "ON CONFLICT (code) DO NOTHING RETURNING id"


def update_institution(fields: Sequence[str]) -> str:
    return f"UPDATE institution SET {_sets(fields)} WHERE id = $1 RETURNING id"


def insert_instrument(fields: Sequence[str]) -> str:
    return _insert("instrument", fields) + "RETURNING id"


def update_instrument(fields: Sequence[str]) -> str:
    sets = "".join(f"{name} = ${i}, " for i, name in enumerate(fields, start=2))
    return f"UPDATE instrument SET {sets}version = version + 1, updated_at = now() WHERE id = $1"


def insert_region(fields: Sequence[str]) -> str:
    return _insert("region", fields) + "ON CONFLICT (code) DO NOTHING RETURNING code"


def update_region(fields: Sequence[str]) -> str:
    return f"UPDATE region SET {_sets(fields)}, updated_at = now() WHERE code = $1"


def reference_list(table: str) -> str:
    """One of `reference_lists.TABLES` (checked by the caller)."""
    return f"SELECT code, name_zh, name_en FROM {table} ORDER BY code"


# --- the instrument list ---
# The instrument list query, built from validated filters and a search plan.
#
# Pure: returns SQL text and parameters.
#
# Without a query the list reads `instrument` and its institution, region and class.
#
# With a query, instruments are matched through the search index (`instrument_search`, see
# `service.search`): the plan's `tsquery` against its GIN index. That table also carries a copy of
# every sort and filter key (kept by the database), so the matches are filtered, ranked and
# counted there, on narrow rows, and only the page's rows are joined to the instrument, its
# institution, region and class: a broad query (`电镜`, a class name) matches thousands of
# instruments, and joining and sorting all of them to keep twenty is what made it slow. One
# statement answers the page and the exact total (the matches are read once). `relevance` orders
# by the plan's rank tier (exact name or class matches first, then names and classes, then model
# and manufacturer, then specifications), then by name.

INSTRUMENT_FROM = f"""
FROM instrument i
{zone_join("i", "inst")}
JOIN category c ON c.code = i.category_code
"""

INSTRUMENT_COLUMNS = """
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


def where_clause(filters: InstrumentFilters, plan: Plan | None) -> tuple[str, list[Any]]:
    """WHERE text and its parameters; with a plan, parameter 1 is its match query and the
    conditions read the keys of `instrument_search` (alias `s`) instead of `instrument`."""
    p = Params()
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
    return where, p.args


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
        page_sql = f"SELECT {INSTRUMENT_COLUMNS} {INSTRUMENT_FROM} {where} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}"
        return ListQuery(
            page_sql, params, f"SELECT count(*) {INSTRUMENT_FROM} {where}", params, False
        )
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
SELECT {INSTRUMENT_COLUMNS}, (SELECT count(*) FROM hit) AS total
FROM page p
JOIN instrument i ON i.id = p.id
{zone_join("i", "inst")}
JOIN category c ON c.code = i.category_code
ORDER BY {order.format(t="p")}
"""
    count_sql = f"SELECT count(*) {source} {where}"
    return ListQuery(page_sql, params + tier_params, count_sql, params, True)


_DETAIL_COLUMNS = f"""{INSTRUMENT_COLUMNS},
i.country, i.service_start, i.specs, i.functions, i.subject_areas, i.building, i.room,
i.contact_name, i.contact_phone, i.contact_email, i.fee_standard, i.sharing_rules,
i.inner_id, i.belongs_type, i.belongs_name, i.source, i.customs_supervised, i.country_code,
i.subject_codes, i.service_content, i.achievement, i.county, i.street, i.postal_code,
i.retired_at, i.version, i.created_at, i.updated_at
"""

INSTRUMENT_DETAIL = f"SELECT {_DETAIL_COLUMNS} {INSTRUMENT_FROM} WHERE i.id = $1"

# --- regions and institutions ---

REGIONS = (
    "SELECT code, name_zh, name_en, timezone, parent_code, latitude, longitude, partner "
    "FROM region ORDER BY parent_code IS NOT NULL, code"
)

_INSTITUTION_FROM = "FROM institution inst JOIN region r ON r.code = inst.region_code"

INSTITUTION = f"SELECT {INSTITUTION_COLUMNS} {_INSTITUTION_FROM} WHERE inst.id = $1"


def count_institutions(where: str) -> str:
    return f"SELECT count(*) {_INSTITUTION_FROM} {where}"


def institutions_page(where: str, n: int) -> str:
    """A page of institutions matching `where` (which uses `$1`…`$n`)."""
    return (
        f"SELECT {INSTITUTION_COLUMNS} {_INSTITUTION_FROM} {where} "
        f"ORDER BY inst.region_code, inst.name_zh, inst.id "
        f"LIMIT ${n + 1} OFFSET ${n + 2}"
    )


# Display lookups of the pages (`lookups.py`).
INSTRUMENTS_BY_ID = f"""
SELECT i.id, i.name_zh, i.name_en, i.institution_id, r.timezone,
       s.name_zh AS institution_name_zh, s.name_en AS institution_name_en
FROM instrument i {zone_join("i", "s")}
WHERE i.id = ANY($1::bigint[])
"""
MANAGERS_OF_INSTITUTION = """SELECT m.instrument_id, u.id AS user_id, u.display_name, u.email
FROM instrument_manager m JOIN instrument i ON i.id = m.instrument_id
JOIN app_user u ON u.id = m.user_id
WHERE i.institution_id = $1 ORDER BY m.instrument_id, u.display_name"""
REGION_ZONE = "SELECT timezone FROM region WHERE code = $1"
