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

#: Ways a membership gets verified. `migration`: carried over from before verification
#: existed; `seed`: demo and synthetic data.
METHODS = ("email", "admin", "sso", "enterprise", "migration", "seed")

#: A verified membership of the user's stated institution whose end (if any) lies after `{now}`.
#: `{u}` is the alias of `app_user`; the membership alias is `m`.
IN_FORCE = """m.user_id = {u}.id AND m.institution_id = {u}.institution_id AND m.state = 'verified'
    AND (m.ends_at IS NULL OR m.ends_at > {now})"""


def in_force_exists(user_alias: str = "u", now: str = "now()") -> str:
    """An SQL boolean expression: the user has a membership in force."""
    return f"EXISTS (SELECT 1 FROM membership m WHERE {IN_FORCE.format(u=user_alias, now=now)})"


def in_force_of(user: str, institution: str, now: str) -> str:
    """An SQL boolean expression: user `user` has a membership of `institution` in force at
    `now` (each an SQL expression, e.g. a parameter)."""
    return f"""EXISTS (SELECT 1 FROM membership m WHERE m.user_id = {user}
        AND m.institution_id = {institution} AND m.state = 'verified'
        AND (m.ends_at IS NULL OR m.ends_at > {now}))"""


async def in_force(
    conn: asyncpg.Connection, user_id: int, institution_id: int, at: datetime
) -> bool:
    """The user's membership of `institution_id` is verified and in force at `at`."""
    found = await conn.fetchval(
        f"SELECT {in_force_of('$1', '$2', '$3')}", user_id, institution_id, at
    )
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
        """INSERT INTO membership (user_id, institution_id, state, method, decided_at, decided_by)
           VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN 'claimed' ELSE 'verified' END, $3,
                   CASE WHEN $3::text IS NULL THEN NULL ELSE coalesce($5, now()) END, $4)
           RETURNING id""",
        user_id,
        institution_id,
        verified_by,
        decided_by,
        now,
    )
    return int(row_id)
