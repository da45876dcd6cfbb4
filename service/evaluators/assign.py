"""Assigning evaluators to institutions (platform admins), and listing them (also for the
institution's own admins: they should know who reads their data)."""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.audit import store as audit
from service.db import Database
from service.errors import Forbidden, NotFound, Unprocessable
from service.evaluators import sql
from service.evaluators.schemas import EvaluatorOut


async def _check(conn: asyncpg.Connection, institution_id: int, user_id: int) -> None:
    if not await conn.fetchval(sql.EXISTS_INSTITUTION, institution_id):
        raise NotFound(f"Institution {institution_id} does not exist.")
    row = await conn.fetchrow(sql.USER_ROLES, user_id)
    if row is None:
        raise NotFound(f"User {user_id} does not exist.")
    problem = None
    if not row["is_active"]:
        problem = "A deactivated user cannot evaluate."
    elif row["other_role"]:
        # An evaluator account is read-only everywhere: it must not hold a role that writes.
        problem = "An evaluator's account holds no other role (admin or manager)."
    if problem:
        raise Unprocessable(
            problem, extra={"violations": [{"rule": "user_id", "message": problem}]}
        )


async def set_evaluator(
    db: Database, caller: Principal, institution_id: int, user_id: int, *, granted: bool
) -> None:
    """Idempotent (PUT twice = once); the grant or the removal is audited with it."""
    require_platform_admin(caller)
    async with db.transaction() as conn:
        if granted:
            await _check(conn, institution_id, user_id)
        status = await conn.execute(
            sql.ASSIGN if granted else sql.UNASSIGN,
            *((user_id, institution_id, caller.user_id) if granted else (user_id, institution_id)),
        )
        if status.split()[-1] != "0":
            await audit.record(
                conn,
                "evaluator.granted" if granted else "evaluator.revoked",
                actor_user_id=caller.user_id,
                subject_user_id=user_id,
                institution_id=institution_id,
            )


async def list_evaluators(
    db: Database, caller: Principal, institution_id: int
) -> list[EvaluatorOut]:
    if not caller.is_admin_of(institution_id):
        raise Forbidden("Only platform admins and the institution's admins see its evaluators.")
    rows = await db.fetch(sql.LIST_FOR_INSTITUTION, institution_id)
    return [EvaluatorOut(**dict(r)) for r in rows]


async def assigned_institutions(db: Database, user: Principal) -> list[asyncpg.Record]:
    return await db.fetch(sql.ASSIGNED_INSTITUTIONS, user.user_id)
