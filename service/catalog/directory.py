"""Regions, categories and institutions: the reference side of the catalogue."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.catalog import sql
from service.catalog.rules import like_pattern
from service.catalog.schemas import (
    CategoryOut,
    InstitutionIn,
    InstitutionOut,
    InstitutionPatchIn,
    RegionOut,
    set_fields,
)
from service.common.codes import INSTITUTION_KINDS
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import LOCK_JOB, Database, advisory_xact_lock
from service.errors import Conflict, NotFound, Unprocessable

LEGAL_ENTITY_LOCK_KEY = 2026_1203


def _unprocessable(rule: str, message: str) -> Unprocessable:
    return Unprocessable(message, extra={"violations": [{"rule": rule, "message": message}]})


async def list_regions(db: Database) -> list[RegionOut]:
    rows = await db.fetch(sql.REGIONS)
    return [RegionOut(**dict(r)) for r in rows]


async def category_tree(db: Database) -> list[CategoryOut]:
    rows = await db.fetch(sql.CATEGORY_TREE)
    nodes: dict[str, CategoryOut] = {}
    roots: list[CategoryOut] = []
    for row in rows:  # parents come first (ordered by code length)
        node = CategoryOut(code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"])
        nodes[row["code"]] = node
        if row["parent_code"] is None:
            roots.append(node)
        elif row["parent_code"] in nodes:
            nodes[row["parent_code"]].children.append(node)
    return roots


async def region_exists(conn: asyncpg.Connection | Database, code: str) -> bool:
    return bool(await conn.fetchval(sql.REGION_EXISTS, code))


async def list_institutions(
    db: Database, region: str | None, kind: str | None, q: str | None, *, page: int, page_size: int
) -> Page[InstitutionOut]:
    if kind is not None and kind not in INSTITUTION_KINDS:
        raise _unprocessable(
            "kind", f"unknown kind {kind!r}; allowed: {', '.join(INSTITUTION_KINDS)}"
        )
    if region and not await region_exists(db, region):
        raise _unprocessable("region", f"unknown region {region!r}")
    conds, params = ["inst.active"], list[Any]()
    if region:
        params.append(region)
        conds.append(f"inst.region_code = ${len(params)}")
    if kind:
        params.append(kind)
        conds.append(f"inst.kind = ${len(params)}")
    for word in (q or "").split()[:8]:
        params.append(like_pattern(word))
        n = len(params)
        conds.append(
            f"(inst.name_zh ILIKE ${n} OR inst.name_en ILIKE ${n} OR inst.code ILIKE ${n})"
        )
    where = "WHERE " + " AND ".join(conds)
    total = await db.fetchval(sql.count_institutions(where), *params)
    rows = await db.fetch(
        sql.institutions_page(where, len(params)),
        *params,
        page_size,
        offset(page, page_size),
    )
    items = [InstitutionOut(**dict(r)) for r in rows]
    return Page(items=items, total=int(total), page=page, page_size=page_size)


async def get_institution(db: Database | asyncpg.Connection, institution_id: int) -> InstitutionOut:
    row = await db.fetchrow(sql.INSTITUTION, institution_id)
    if row is None:
        raise NotFound(f"institution {institution_id} does not exist")
    return InstitutionOut(**dict(row))


async def create_institution(db: Database, user: Principal, data: InstitutionIn) -> InstitutionOut:
    require_platform_admin(user)

    async def work(conn: asyncpg.Connection) -> InstitutionOut:
        if not await region_exists(conn, data.region_code):
            raise _unprocessable("region_code", f"unknown region {data.region_code!r}")
        fields = set_fields(data)
        new_id = await conn.fetchval(sql.insert_institution(list(fields)), *fields.values())
        if new_id is None:
            raise Conflict(f"an institution with code {data.code!r} already exists")
        return await get_institution(conn, new_id)

    return await db.in_transaction(work)


async def update_institution(
    db: Database, user: Principal, institution_id: int, data: InstitutionPatchIn
) -> InstitutionOut:
    require_platform_admin(user)
    fields = set_fields(data)

    async def work(conn: asyncpg.Connection) -> InstitutionOut:
        if "region_code" in fields and not await region_exists(conn, str(fields["region_code"])):
            raise _unprocessable("region_code", f"unknown region {fields['region_code']!r}")
        head = fields.get("legal_entity_id")
        if head is not None:
            # Groups change one at a time, so two changes cannot build a chain between them.
            await advisory_xact_lock(conn, LOCK_JOB, LEGAL_ENTITY_LOCK_KEY)
            problem = await conn.fetchval(sql.GROUP_PROBLEM, institution_id, head)
            if problem:
                raise _unprocessable("legal_entity_id", problem)
        if fields:
            found = await conn.fetchval(
                sql.update_institution(list(fields)),
                institution_id,
                *fields.values(),
            )
            if found is None:
                raise NotFound(f"institution {institution_id} does not exist")
        return await get_institution(conn, institution_id)

    return await db.in_transaction(work)
