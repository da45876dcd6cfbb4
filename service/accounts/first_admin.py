"""The first platform administrator of a fresh installation (`python -m service admin create`,
and `ADMIN_EMAIL`/`ADMIN_PASSWORD` in the one-shot `migrate` step of docker-compose).

Idempotent: run twice, it leaves one active platform admin with that address. An account that
exists is promoted and reactivated; its password changes only when one is given. A new account
belongs to the named institution, or to the platform's own operator institution, created on
the province's region when the platform has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service.accounts import rules, sql
from service.accounts.membership import add_membership
from service.accounts.passwords import hash_password_async
from service.audit import store as audit
from service.db import LOCK_JOB, Database, advisory_xact_lock

OPERATOR_CODE = "platform-operator"
OPERATOR_NAMES = ("平台运营管理单位", "Platform operator")
#: Second key of the advisory lock (namespace LOCK_JOB): two `migrate` runs at once make one admin.
LOCK_KEY = 2026_0016


class AdminSetupError(ValueError):
    """A bad address, a weak password, an unknown institution: told to the operator as is."""


@dataclass(frozen=True, slots=True)
class AdminResult:
    user_id: int
    created: bool
    password_changed: bool


def check(email: str, password: str | None) -> list[str]:
    """Every problem with the inputs, in words for the command line."""
    problems = [v.message for v in rules.email_violations(rules.normalise_email(email))]
    if password is not None:
        problems += [v.message for v in rules.password_violations(password, email)]
    return problems


async def _institution(conn: asyncpg.Connection, code: str | None) -> int:
    if code is not None:
        found = await conn.fetchval(sql.INSTITUTION_BY_CODE, code)
        if found is None:
            raise AdminSetupError(f"no institution with code {code!r}")
        return int(found)
    region = await conn.fetchval(sql.FIRST_TOP_REGION)
    if region is None:
        raise AdminSetupError("no region: run the migrations first")
    return int(
        await conn.fetchval(
            sql.UPSERT_INSTITUTION,
            OPERATOR_CODE,
            *OPERATOR_NAMES,
            region,
        )
    )


async def ensure_platform_admin(
    db: Database, email: str, password: str | None, *, institution_code: str | None = None
) -> AdminResult:
    problems = check(email, password)
    if problems:
        raise AdminSetupError("; ".join(problems))
    email = rules.normalise_email(email)
    password_hash = await hash_password_async(password) if password is not None else None
    async with db.transaction() as conn:
        await advisory_xact_lock(conn, LOCK_JOB, LOCK_KEY)
        row = await conn.fetchrow(sql.USER_ID_BY_EMAIL, email)
        if row is None:
            if password_hash is None:
                raise AdminSetupError("a new administrator needs a password")
            institution_id = await _institution(conn, institution_code)
            user_id = await conn.fetchval(
                sql.INSERT_PLATFORM_ADMIN,
                email,
                email.split("@")[0][:100] or "admin",
                institution_id,
                password_hash,
            )
            # The operator vouches for the first administrator's affiliation.
            await add_membership(conn, int(user_id), institution_id, verified_by="admin")
            created = True
        else:
            user_id = row["id"]
            await conn.execute(
                sql.PROMOTE_PLATFORM_ADMIN,
                user_id,
                password_hash,
            )
            created = False
        await audit.record(
            conn,
            "admin.bootstrap",
            subject_user_id=user_id,
            detail={"created": created, "password_changed": password_hash is not None},
        )
    return AdminResult(int(user_id), created, password_hash is not None)
