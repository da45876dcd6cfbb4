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
from service.enterprises.schemas import MergeOut
from service.errors import Conflict, NotFound, Unprocessable
from service.metrics.rollup import rebuild

#: (statement, counted as) run with $1 = duplicate, $2 = survivor.
_MOVES: list[tuple[str, str | None]] = [
    ("UPDATE app_user SET institution_id = $2, updated_at = now() WHERE institution_id = $1",
     "users"),
    ("UPDATE membership SET institution_id = $2 WHERE institution_id = $1", None),
    ("""INSERT INTO institution_admin (user_id, institution_id)
        SELECT user_id, $2 FROM institution_admin WHERE institution_id = $1
        ON CONFLICT DO NOTHING""", None),
    ("DELETE FROM institution_admin WHERE institution_id = $1", None),
    ("UPDATE instrument SET institution_id = $2, updated_at = now() WHERE institution_id = $1",
     "instruments"),
    ("UPDATE booking SET booker_institution_id = $2 WHERE booker_institution_id = $1", None),
    ("UPDATE usage_session SET user_institution_id = $2 WHERE user_institution_id = $1",
     "sessions"),
    ("UPDATE institution_email_domain SET institution_id = $2 WHERE institution_id = $1", None),
    ("""UPDATE identity_provider p SET institution_id = $2 WHERE institution_id = $1
        AND NOT EXISTS (SELECT 1 FROM identity_provider q
                        WHERE q.institution_id = $2 AND q.protocol = p.protocol)""", None),
    ("""UPDATE booking_policy SET institution_id = $2 WHERE institution_id = $1
        AND NOT EXISTS (SELECT 1 FROM booking_policy WHERE institution_id = $2)""", None),
    ("DELETE FROM booking_policy WHERE institution_id = $1", None),
    ("UPDATE feed_token SET target_id = $2 WHERE scope = 'institution' AND target_id = $1", None),
]  # fmt: skip


async def _lock_pair(conn: asyncpg.Connection, duplicate: int, survivor: int) -> None:
    if duplicate == survivor:
        raise Unprocessable(
            "An enterprise cannot be merged into itself.",
            extra={"violations": [{"rule": "into", "message": "same enterprise"}]},
        )
    rows = await conn.fetch(
        "SELECT id, kind, merged_into FROM institution WHERE id = ANY($1::bigint[]) "
        "ORDER BY id FOR UPDATE",
        [duplicate, survivor],
    )
    if len(rows) != 2:
        raise NotFound("Both enterprises must exist.")
    if any(r["kind"] != "enterprise" or r["merged_into"] is not None for r in rows):
        raise Conflict("Only two enterprises that are not merged already can be merged.")


async def _span(conn: asyncpg.Connection, survivor: int) -> tuple[list[int], date, date] | None:
    row = await conn.fetchrow(
        """SELECT array_agg(DISTINCT instrument_id) AS ids, min(started_at)::date AS lo,
                  max(coalesce(ended_at, started_at))::date AS hi
           FROM usage_session WHERE user_institution_id = $1""",
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
            "UPDATE institution SET active = false, merged_into = $2, credit_code = NULL "
            "WHERE id = $1 RETURNING (SELECT credit_code FROM institution WHERE id = $1)",
            duplicate,
            survivor,
        )
        await conn.execute(
            "UPDATE institution SET credit_code = coalesce(credit_code, $2) WHERE id = $1",
            survivor,
            code,
        )
        for sql, counted in _MOVES:
            args = (duplicate, survivor) if "$2" in sql else (duplicate,)
            status = await conn.execute(sql, *args)
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
