"""Platform admins add and edit regions: the province's own and partner regions outside it.

A region's code is its identity (institutions, bookings and usage refer to it), so it is never
changed; everything else may be. A parent must exist and may not be the region itself.
"""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.audit import store as audit
from service.catalog import sql
from service.catalog.region_rules import check_region
from service.catalog.schemas import RegionIn, RegionOut, RegionPatchIn, set_fields
from service.common.schemas import Violation
from service.db import Database
from service.errors import Conflict, NotFound, Unprocessable


def _invalid(violations: list[Violation]) -> Unprocessable:
    return Unprocessable(
        "; ".join(f"{v.rule}: {v.message}" for v in violations),
        extra={"violations": [{"rule": v.rule, "message": v.message} for v in violations]},
    )


async def _check(conn: asyncpg.Connection, fields: dict[str, object], code: str) -> None:
    violations = check_region(fields)
    parent = fields.get("parent_code")
    if parent is not None:
        if parent == code:
            violations.append(Violation("parent_code", "a region cannot be its own parent"))
        elif not await conn.fetchval(sql.REGION_EXISTS, parent):
            violations.append(Violation("parent_code", f"unknown region {parent!r}"))
    if violations:
        raise _invalid(violations)


async def get_region(conn: asyncpg.Connection | Database, code: str) -> RegionOut:
    row = await conn.fetchrow(sql.REGION, code)
    if row is None:
        raise NotFound(f"region {code!r} does not exist")
    return RegionOut(**dict(row))


async def create_region(db: Database, user: Principal, data: RegionIn) -> RegionOut:
    require_platform_admin(user)
    fields = set_fields(data)

    async def work(conn: asyncpg.Connection) -> RegionOut:
        await _check(conn, fields, data.code)
        created = await conn.fetchval(sql.insert_region(list(fields)), *fields.values())
        if created is None:
            raise Conflict(f"a region with code {data.code!r} already exists")
        await audit.record(
            conn, "region.created", actor_user_id=user.user_id, detail={"code": data.code}
        )
        return await get_region(conn, data.code)

    return await db.in_transaction(work)


async def update_region(db: Database, user: Principal, code: str, data: RegionPatchIn) -> RegionOut:
    require_platform_admin(user)
    fields = set_fields(data)

    async def work(conn: asyncpg.Connection) -> RegionOut:
        await get_region(conn, code)
        await _check(conn, fields, code)
        if fields:
            await conn.execute(
                sql.update_region(list(fields)),
                code,
                *fields.values(),
            )
            await audit.record(
                conn,
                "region.updated",
                actor_user_id=user.user_id,
                detail={"code": code, "fields": sorted(fields)},
            )
        return await get_region(conn, code)

    return await db.in_transaction(work)
