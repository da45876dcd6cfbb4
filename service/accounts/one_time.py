"""Single-use, expiring secrets handed to a person (mailed links, a pending sign-on).

Only the SHA-256 of a token is stored. Redeeming marks it used in the same statement that
finds it, so two clicks on one link redeem it once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from service.accounts import sql
from service.accounts.secrets import digest, new_secret


async def issue(
    conn: asyncpg.Connection,
    purpose: str,
    lifetime: timedelta,
    *,
    user_id: int | None,
    institution_id: int | None = None,
    email: str = "",
    data: dict[str, Any] | None = None,
) -> str:
    """A new token; the plain value is returned once and never stored."""
    token = new_secret()
    await conn.execute(
        sql.ISSUE_ONE_TIME_TOKEN,
        digest(token),
        purpose,
        user_id,
        institution_id,
        email,
        data or {},
        lifetime,
    )
    return token


async def find(conn: asyncpg.Connection, purpose: str, token: str) -> asyncpg.Record | None:
    """The live token's row, without using it up."""
    return await conn.fetchrow(sql.FIND_ONE_TIME_TOKEN, digest(token), purpose)


async def redeem(conn: asyncpg.Connection, purpose: str, token: str) -> asyncpg.Record | None:
    """Use the token up; None when it is unknown, used or expired."""
    return await conn.fetchrow(sql.REDEEM_ONE_TIME_TOKEN, digest(token), purpose)


async def recently_issued(
    conn: asyncpg.Connection, purpose: str, user_id: int, within: timedelta
) -> bool:
    """A live token of this purpose was issued to the user within `within` (mail flood guard)."""
    found = await conn.fetchval(
        sql.ONE_TIME_TOKEN_RECENTLY_ISSUED,
        user_id,
        purpose,
        within,
    )
    return bool(found)


async def retire(conn: asyncpg.Connection, purpose: str, user_id: int) -> None:
    """Every other live token of this purpose for the user stops working."""
    await conn.execute(
        sql.RETIRE_ONE_TIME_TOKENS,
        user_id,
        purpose,
    )
