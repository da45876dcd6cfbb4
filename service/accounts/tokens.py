"""Bearer API tokens: stored as SHA-256 digests, shown in plain text exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from service.accounts import sql
from service.accounts.principal import Principal
from service.accounts.schemas import TokenCreatedOut, TokenIn, TokenOut
from service.accounts.secrets import digest, new_secret
from service.audit import store as audit
from service.db import Database
from service.errors import NotFound

TOKEN_PREFIX = "ist_"  # noqa: S105 - a label, not a secret
#: Enough of the token to recognise it in a list, far too little to guess the rest.
SHOWN_PREFIX_LENGTH = 12
LOGIN_TOKEN_NAME = "login"  # noqa: S105 - a label, not a secret
LOGIN_TOKEN_LIFETIME = timedelta(days=30)


async def issue_token(
    conn: asyncpg.Connection, user_id: int, name: str, lifetime: timedelta | None
) -> TokenCreatedOut:
    token = new_secret(TOKEN_PREFIX)
    row = await conn.fetchrow(
        sql.INSERT_TOKEN,
        user_id,
        name,
        digest(token),
        token[:SHOWN_PREFIX_LENGTH],
        lifetime,
    )
    return TokenCreatedOut(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        token=token,
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


async def _audit(
    conn: asyncpg.Connection, user: Principal, action: str, address: str, *, detail: dict[str, Any]
) -> None:
    await audit.record(
        conn,
        action,
        actor_user_id=user.user_id,
        subject_user_id=user.user_id,
        institution_id=user.institution_id,
        client_address=address,
        detail=detail,
    )


async def create_token(
    db: Database, user: Principal, data: TokenIn, address: str = ""
) -> TokenCreatedOut:
    lifetime = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    async with db.transaction() as conn:
        created = await issue_token(conn, user.user_id, data.name.strip() or "token", lifetime)
        await _audit(
            conn,
            user,
            "token.created",
            address,
            detail={"token_id": created.id, "name": created.name},
        )
        return created


def _token_out(row: Any) -> TokenOut:
    return TokenOut(**{key: row[key] for key in TokenOut.__struct_fields__})


async def list_tokens(db: Database, user: Principal) -> list[TokenOut]:
    rows = await db.fetch(
        sql.LIST_TOKENS,
        user.user_id,
    )
    return [_token_out(row) for row in rows]


async def revoke_token(db: Database, user: Principal, token_id: int, address: str = "") -> None:
    """Idempotent for the owner; another user's token is indistinguishable from a missing one."""
    async with db.transaction() as conn:
        found = await conn.fetchrow(
            sql.REVOKE_OWN_TOKEN,
            token_id,
            user.user_id,
        )
        if found is None:
            raise NotFound(f"No API token {token_id} of yours exists.")
        if found["was_live"]:
            await _audit(conn, user, "token.revoked", address, detail={"token_id": token_id})


async def revoke_token_by_secret(conn: asyncpg.Connection, token: str) -> None:
    await conn.execute(
        sql.REVOKE_TOKEN_BY_HASH,
        digest(token),
    )
