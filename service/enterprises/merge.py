"""Merging a duplicate enterprise into the one that stays (platform admins only).

In one transaction, with both rows locked: the duplicate's people (with their memberships and
admin roles), instruments, e-mail domains, identity providers and default policy move over,
bookings and usage sessions are re-attributed, and the duplicate is kept inactive, pointing at
the survivor, so history that names it still resolves. The sharing figures of the affected
instruments are then rebuilt, so the two are counted as one institution.
"""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg

from service.accounts.principal import Principal, require_platform_admin
from service.audit import store as audit
from service.db import Database
from service.enterprises import sql
from service.enterprises.schemas import MergeOut
from service.errors import Conflict, NotFound, Unprocessable
from service.metrics.rollup import rebuild

#: (statement, counted as) run with $1 = duplicate, $2 = survivor.
_MOVES: list[tuple[str, str | None]] = [
    (sql.MOVE_USERS, "users"),
    (sql.MOVE_MEMBERSHIPS, None),
    (sql.COPY_INSTITUTION_ADMINS, None),
    (sql.DELETE_INSTITUTION_ADMINS, None),
    (sql.MOVE_INSTRUMENTS, "instruments"),
    (sql.MOVE_BOOKINGS, None),
    (sql.MOVE_USAGE_SESSIONS, "sessions"),
    (sql.MOVE_EMAIL_DOMAINS, None),
    (sql.MOVE_IDENTITY_PROVIDERS, None),
    (sql.MOVE_DEFAULT_POLICY, None),
    (sql.DELETE_DEFAULT_POLICY, None),
    (sql.MOVE_INSTITUTION_FEEDS, None),
]  # fmt: skip


async def _lock_pair(conn: asyncpg.Connection, duplicate: int, survivor: int) -> None:
    if duplicate == survivor:
        raise Unprocessable(
            "An enterprise cannot be merged into itself.",
            extra={"violations": [{"rule": "into", "message": "same enterprise"}]},
        )
    rows = await conn.fetch(
        sql.LOCK_PAIR,
        [duplicate, survivor],
    )
    if len(rows) != 2:
        raise NotFound("Both enterprises must exist.")
    if any(r["kind"] != "enterprise" or r["merged_into"] is not None for r in rows):
        raise Conflict("Only two enterprises that are not merged already can be merged.")


async def _span(conn: asyncpg.Connection, survivor: int) -> tuple[list[int], date, date] | None:
    row = await conn.fetchrow(
        sql.USAGE_SPAN,
        survivor,
    )
    if row is None or row["ids"] is None:
        return None
    return list(row["ids"]), row["lo"] - timedelta(days=1), row["hi"] + timedelta(days=2)


async def merge(
    db: Database, caller: Principal, duplicate: int, survivor: int, *, address: str
) -> MergeOut:
    require_platform_admin(caller)
    counts = {"users": 0, "instruments": 0, "sessions": 0}
    async with db.transaction() as conn:
        await _lock_pair(conn, duplicate, survivor)
        code = await conn.fetchval(
            sql.RETIRE_DUPLICATE,
            duplicate,
            survivor,
        )
        await conn.execute(
            sql.KEEP_CREDIT_CODE,
            survivor,
            code,
        )
        for statement, counted in _MOVES:
            args = (duplicate, survivor) if "$2" in statement else (duplicate,)
            status = await conn.execute(statement, *args)
            if counted:
                counts[counted] = int(status.split()[-1])
        await audit.record(
            conn, "enterprise.merged", actor_user_id=caller.user_id, institution_id=survivor,
            client_address=address, detail={"merged": duplicate, **counts},
        )  # fmt: skip
        span = await _span(conn, survivor)
    if span is not None:
        await rebuild(db, span[1], span[2], span[0])
    return MergeOut(kept=survivor, merged=duplicate, **counts)
