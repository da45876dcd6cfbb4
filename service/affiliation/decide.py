"""Institution admins decide: approve or reject a claim, revoke a membership, set its end.

Every decision locks the membership row (`store.lock_latest`), the row a booking holds FOR
SHARE, so a revocation and a booking are ordered one after the other. The claimant hears of an
approval or a rejection by mail (from the outbox, in the same transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.affiliation import rules, sql, store
from service.affiliation.schemas import MembershipOut
from service.db import Database
from service.errors import Conflict, Forbidden
from service.outbox.store import enqueue
from service.settings import Settings


def require_admin(caller: Principal, institution_id: int) -> None:
    if not caller.is_admin_of(institution_id):
        raise Forbidden("Only administrators of the institution may do this.")


async def _tell(
    conn: asyncpg.Connection, settings: Settings, row: Any, kind: str, *, reason: str
) -> None:
    names = await store.institution_names(conn, row["institution_id"])
    await enqueue(
        conn,
        kind=kind,
        user_id=row["user_id"],
        dedupe_key=f"{kind}:{row['id']}:{row['user_id']}",
        payload={"to": row["email"], "name": row["display_name"], "language": row["language"],
                 "institution": names, "reason": reason, "link": f"{settings.base_url}/account"},
    )  # fmt: skip


async def decide(
    db: Database,
    settings: Settings,
    caller: Principal,
    institution_id: int,
    *,
    user_id: int,
    decision: str,
    reason: str,
    address: str,
) -> MembershipOut:
    """`decision` is `approve`, `reject` or `revoke` (see `rules.DECISIONS`)."""
    require_admin(caller, institution_id)
    async with db.transaction() as conn:
        row = await store.lock_latest(conn, user_id, institution_id)
        if row["state"] not in rules.DECISIONS[decision]:
            raise Conflict(f"A membership in state '{row['state']}' cannot be {decision}d.")
        membership_id = row["id"]
        if decision == "approve" and row["state"] != "claimed":
            membership_id = await conn.fetchval(
                sql.RENEW, user_id, institution_id, "admin", caller.user_id, reason
            )
        else:
            state = {"approve": "verified", "reject": "rejected", "revoke": "revoked"}[decision]
            method = "admin" if decision == "approve" else None
            await conn.execute(sql.DECIDE, row["id"], state, method, caller.user_id, reason)
        action = {"approve": "membership.verified", "reject": "membership.rejected",
                  "revoke": "membership.revoked"}[decision]  # fmt: skip
        detail = {"method": "admin", "reason": reason}
        await store.record(conn, action, row, actor=caller.user_id, address=address, detail=detail)
        if decision != "revoke":
            kind = "affiliation_approved" if decision == "approve" else "affiliation_rejected"
            await _tell(conn, settings, row, kind, reason=reason)
        return await store.get(conn, membership_id)


async def set_end(
    db: Database,
    caller: Principal,
    institution_id: int,
    user_id: int,
    *,
    ends_at: datetime | None,
    address: str,
) -> MembershipOut:
    """The membership ends at `ends_at` (None: no end). Past ends take effect at once."""
    require_admin(caller, institution_id)
    async with db.transaction() as conn:
        row = await store.lock_latest(conn, user_id, institution_id)
        if row["state"] != "verified":
            raise Conflict("Only a verified membership can be given an end.")
        await conn.execute(sql.SET_MEMBERSHIP_END, row["id"], ends_at)
        detail = {"ends_at": ends_at.isoformat() if ends_at else None}
        await store.record(
            conn, "membership.end_set", row, actor=caller.user_id, address=address, detail=detail
        )
        return await store.get(conn, row["id"])


async def list_memberships(
    db: Database, caller: Principal, institution_id: int, state: str | None, *, page: int, size: int
) -> tuple[list[MembershipOut], int]:
    """The latest membership row of each person who stated the institution; `state=claimed`
    is the approval queue, oldest claim first."""
    require_admin(caller, institution_id)
    rows = await db.fetch(sql.LIST_MEMBERSHIPS, institution_id, state, size, (page - 1) * size)
    total = rows[0]["total"] if rows else 0
    return [store.membership_out(r) for r in rows], int(total)
