"""Granting and removing the per-object roles: institution admin and instrument manager.

Grants are idempotent (PUT twice = once; DELETE of a missing grant is fine), so clients can
retry them freely.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.accounts import sql
from service.accounts.principal import Principal, require_platform_admin
from service.accounts.schemas import InstrumentManagerOut
from service.audit import store as audit
from service.db import Database
from service.errors import Forbidden, NotFound, Unprocessable


async def grant_institution_admin(
    conn: asyncpg.Connection, user_id: int, institution_id: int
) -> None:
    """Plain helper for seeding and the API alike; no authorization here."""
    await conn.execute(
        sql.GRANT_INSTITUTION_ADMIN,
        user_id,
        institution_id,
    )


async def record_role_change(
    conn: asyncpg.Connection,
    caller: Principal,
    user_id: int,
    granted: bool,
    *,
    detail: dict[str, Any],
    address: str = "",
) -> None:
    """Audit a role change; the event belongs to the institution of the person concerned."""
    await audit.record(
        conn,
        "role.granted" if granted else "role.revoked",
        actor_user_id=caller.user_id,
        subject_user_id=user_id,
        institution_id=await conn.fetchval(sql.USER_INSTITUTION, user_id),
        client_address=address,
        detail=detail,
    )


async def set_institution_admin(
    db: Database,
    caller: Principal,
    institution_id: int,
    user_id: int,
    *,
    granted: bool,
    address: str = "",
) -> None:
    require_platform_admin(caller)
    async with db.transaction() as conn:
        if not await conn.fetchval(sql.INSTITUTION_EXISTS, institution_id):
            raise NotFound(f"Institution {institution_id} does not exist.")
        if not await conn.fetchval(sql.USER_EXISTS, user_id):
            raise NotFound(f"User {user_id} does not exist.")
        if granted:
            status = await conn.execute(
                sql.INSERT_INSTITUTION_ADMIN,
                user_id,
                institution_id,
            )
        else:
            status = await conn.execute(
                sql.DELETE_INSTITUTION_ADMIN,
                user_id,
                institution_id,
            )
        if status.split()[-1] != "0":
            detail = {"role": "institution_admin", "institution_id": institution_id}
            await record_role_change(conn, caller, user_id, granted, detail=detail, address=address)


async def _instrument_institution(conn: asyncpg.Connection | Database, instrument_id: int) -> int:
    institution_id = await conn.fetchval(sql.INSTRUMENT_INSTITUTION, instrument_id)
    if institution_id is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    return int(institution_id)


async def _grantable_user(
    conn: asyncpg.Connection, caller: Principal, user_id: int, institution_id: int
) -> Any:
    """Institution admins look only inside their institution, so a foreign user id is simply
    not found; platform admins may appoint anyone."""
    row = await conn.fetchrow(sql.GRANTABLE_USER, user_id)
    if row is None or not (caller.is_platform_admin or row["institution_id"] == institution_id):
        raise NotFound(f"User {user_id} is not a member of institution {institution_id}.")
    if not row["is_active"]:
        raise Unprocessable(
            "A deactivated user cannot be made a manager.",
            extra={"violations": [{"rule": "user_id", "message": "The user is deactivated."}]},
        )
    return row


async def set_instrument_manager(
    db: Database,
    caller: Principal,
    instrument_id: int,
    user_id: int,
    *,
    granted: bool,
    address: str = "",
) -> None:
    async with db.transaction() as conn:
        institution_id = await _instrument_institution(conn, instrument_id)
        if not caller.is_admin_of(institution_id):
            raise Forbidden("Only administrators of the instrument's institution may do this.")
        if granted:
            await _grantable_user(conn, caller, user_id, institution_id)
            status = await conn.execute(
                sql.INSERT_INSTRUMENT_MANAGER,
                user_id,
                instrument_id,
            )
        else:
            status = await conn.execute(
                sql.DELETE_INSTRUMENT_MANAGER,
                user_id,
                instrument_id,
            )
        if status.split()[-1] != "0":
            detail = {"role": "instrument_manager", "instrument_id": instrument_id}
            await record_role_change(conn, caller, user_id, granted, detail=detail, address=address)


async def list_instrument_managers(
    db: Database, caller: Principal, instrument_id: int
) -> list[InstrumentManagerOut]:
    institution_id = await _instrument_institution(db, instrument_id)
    if not caller.can_manage_instrument(instrument_id, institution_id):
        raise Forbidden("Only the instrument's managers and administrators may see this list.")
    rows = await db.fetch(
        sql.INSTRUMENT_MANAGERS,
        instrument_id,
    )
    return [InstrumentManagerOut(**dict(r)) for r in rows]
