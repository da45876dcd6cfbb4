"""User administration, scoped by institution.

Platform admins see everyone; an institution admin sees the users of the institutions they
administer; everybody else sees only themselves. A user one may not see is reported as missing
(404), so ids of other institutions' users reveal nothing.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from service.accounts import rules, sql
from service.accounts.principal import Principal
from service.accounts.roles import record_role_change
from service.accounts.schemas import UserOut, UserPatchIn
from service.audit import store as audit
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, Unprocessable


def _user_out(row: Any) -> UserOut:
    return UserOut(**{key: row[key] for key in UserOut.__struct_fields__})


def can_see_user(caller: Principal, user_id: int, institution_id: int) -> bool:
    return caller.user_id == user_id or caller.is_admin_of(institution_id)


def _like(q: str | None) -> str | None:
    if q is None or not q.strip():
        return None
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _institution_scope(caller: Principal, institution: int | None) -> list[int] | None:
    """The institutions whose users the caller may list; None means all of them."""
    if caller.is_platform_admin:
        return None if institution is None else [institution]
    if not caller.admin_of:
        raise Forbidden("Only platform and institution administrators may list users.")
    if institution is None:
        return sorted(caller.admin_of)
    if institution not in caller.admin_of:
        raise Forbidden("You may list only the users of institutions you administer.")
    return [institution]


async def list_users(
    db: Database,
    caller: Principal,
    *,
    institution: int | None,
    q: str | None,
    active: bool | None,
    page: int,
    page_size: int,
) -> Page[UserOut]:
    scope = _institution_scope(caller, institution)
    rows = await db.fetch(
        sql.LIST_USERS, scope, _like(q), active, page_size, offset(page, page_size)
    )
    total = rows[0]["total"] if rows else await _count(db, scope, _like(q), active)
    return Page(items=[_user_out(r) for r in rows], total=total, page=page, page_size=page_size)


async def _count(
    db: Database, scope: list[int] | None, like: str | None, active: bool | None
) -> int:
    """Only needed for a page past the end, where the window count has no row to ride on."""
    return int(await db.fetchval(sql.COUNT_USERS, scope, like, active))


async def get_user(db: Database | asyncpg.Connection, caller: Principal, user_id: int) -> UserOut:
    row = await db.fetchrow(sql.USER_BY_ID, user_id)
    if row is None or not can_see_user(caller, row["id"], row["institution_id"]):
        raise NotFound(f"No user {user_id} is visible to you.")
    return _user_out(row)


def _check_edit(caller: Principal, target: Any, data: UserPatchIn) -> None:
    if not caller.is_admin_of(target["institution_id"]):
        raise Forbidden("Only administrators of the user's institution may change the user.")
    if target["is_platform_admin"] and not caller.is_platform_admin:
        raise Forbidden("Only platform administrators may change a platform administrator.")
    if not isinstance(data.is_platform_admin, msgspec.UnsetType) and not caller.is_platform_admin:
        raise Forbidden("Only platform administrators may grant or remove platform admin.")
    if target["id"] == caller.user_id and (
        data.is_active is False or data.is_platform_admin is False
    ):
        raise Conflict("You cannot deactivate yourself or drop your own platform admin role.")
    if not isinstance(data.display_name, msgspec.UnsetType):
        found = rules.display_name_violations(data.display_name)
        if found:
            raise Unprocessable(found[0].message, extra={"violations": msgspec.to_builtins(found)})


async def _audit_patch(
    conn: asyncpg.Connection, caller: Principal, target: Any, data: UserPatchIn, *, address: str
) -> None:
    if isinstance(data.is_active, bool) and data.is_active != target["is_active"]:
        await audit.record(
            conn,
            "user.activated" if data.is_active else "user.deactivated",
            actor_user_id=caller.user_id,
            subject_user_id=target["id"],
            institution_id=target["institution_id"],
            client_address=address,
        )
    admin = data.is_platform_admin
    if isinstance(admin, bool) and admin != target["is_platform_admin"]:
        detail = {"role": "platform_admin"}
        await record_role_change(conn, caller, target["id"], admin, detail=detail, address=address)


async def patch_user(
    db: Database, caller: Principal, user_id: int, data: UserPatchIn, *, address: str = ""
) -> UserOut:
    """Deactivation also ends the user's browser sessions; their tokens stop working at once
    because every request checks the active flag."""
    async with db.transaction() as conn:
        target = await conn.fetchrow(
            sql.USER_FOR_UPDATE,
            user_id,
        )
        if target is None or not can_see_user(caller, target["id"], target["institution_id"]):
            raise NotFound(f"No user {user_id} is visible to you.")
        _check_edit(caller, target, data)
        unset = msgspec.UnsetType
        await conn.execute(
            sql.PATCH_USER,
            user_id,
            None if isinstance(data.display_name, unset) else data.display_name.strip(),
            None if isinstance(data.is_active, unset) else data.is_active,
            None if isinstance(data.is_platform_admin, unset) else data.is_platform_admin,
        )
        await _audit_patch(conn, caller, target, data, address=address)
        if data.is_active is False:
            await conn.execute(sql.DELETE_USER_SESSIONS, user_id)
        return await get_user(conn, caller, user_id)
