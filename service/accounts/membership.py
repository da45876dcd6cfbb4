"""Membership: whether an account's stated institution is proven.

An account names an institution when it is created (`app_user.institution_id`); until a
membership row of that institution is *verified* and in force, the account is an unaffiliated
individual to every rule that depends on belonging (fees, approval, internal-only instruments,
the sharing figures). The flows that verify, reject and revoke live in `service.affiliation`;
this module holds what the rest of the accounts package needs: the SQL meaning of "in force"
and the row written when an account is created.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from service.accounts import sql

#: Ways a membership gets verified. `migration`: carried over from before verification
#: existed; `seed`: demo and synthetic data.
METHODS = ("email", "admin", "sso", "enterprise", "migration", "seed")


async def in_force(
    conn: asyncpg.Connection, user_id: int, institution_id: int, at: datetime
) -> bool:
    """The user's membership of `institution_id` is verified and in force at `at`."""
    found = await conn.fetchval(sql.MEMBERSHIP_IN_FORCE, user_id, institution_id, at)
    return bool(found)


async def add_membership(
    conn: asyncpg.Connection,
    user_id: int,
    institution_id: int,
    *,
    verified_by: str | None,
    decided_by: int | None = None,
    now: datetime | None = None,
) -> int:
    """A claim (`verified_by=None`) or a membership verified by `verified_by` (one of
    `METHODS`) for a new account; returns the row id."""
    if verified_by is not None and verified_by not in METHODS:
        raise ValueError(f"unknown verification method {verified_by!r}")
    row_id = await conn.fetchval(
        sql.INSERT_MEMBERSHIP,
        user_id,
        institution_id,
        verified_by,
        decided_by,
        now,
    )
    return int(row_id)
