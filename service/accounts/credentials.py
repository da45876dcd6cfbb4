"""Changing a password: the check of the current one (throttled like a login) and the end of
every other way into the account.

A new password ends every browser session but the caller's own and revokes every bearer token
(the caller's included): whoever knew the old password may have opened them. The answer says
how many, so the user knows it happened.
"""

from __future__ import annotations

import asyncpg
import msgspec

from service.accounts import rules, sql, throttle
from service.accounts.passwords import hash_password_async, verify_password
from service.accounts.principal import Principal
from service.accounts.schemas import RevokedOut
from service.accounts.secrets import digest
from service.audit import store as audit
from service.common.schemas import Violation
from service.db import Database
from service.errors import Unprocessable
from service.settings import Settings


def unprocessable(violations: list[Violation]) -> Unprocessable:
    return Unprocessable(
        violations[0].message, extra={"violations": [msgspec.to_builtins(v) for v in violations]}
    )


async def checked_new_hash(
    db: Database,
    settings: Settings,
    user: Principal,
    current: str,
    *,
    new: str,
    address: str,
) -> str:
    """The hash of `new` once `current` proved to be the password; 422 otherwise. The check
    counts against the throttle of the account and the address, as a login does."""
    violations = rules.password_violations(new, user.email)
    email = rules.normalise_email(user.email)
    await throttle.reserve(db, settings, email, address)
    stored = await db.fetchval(sql.PASSWORD_HASH, user.user_id)
    if not current or not await verify_password(stored, current):
        violations.append(Violation("current_password", "The current password is not correct."))
    else:
        async with db.transaction() as conn:
            await throttle.clear(conn, email, address)
    if violations:
        raise unprocessable(violations)
    return await hash_password_async(new)


async def revoke_all(
    conn: asyncpg.Connection, user_id: int, keep_session_id: str | None
) -> RevokedOut:
    """End every session of the user but `keep_session_id`, and revoke every bearer token."""
    sessions = await conn.execute(
        sql.DELETE_OTHER_SESSIONS,
        user_id,
        digest(keep_session_id) if keep_session_id else None,
    )
    tokens = await conn.execute(
        sql.REVOKE_USER_TOKENS,
        user_id,
    )
    return RevokedOut(
        sessions=int(sessions.split()[-1]),
        tokens=int(tokens.split()[-1]),
        kept_current_session=keep_session_id is not None,
    )


async def set_password(
    conn: asyncpg.Connection,
    user_id: int,
    password_hash: str,
    *,
    keep_session_id: str | None,
    action: str,
    address: str,
) -> RevokedOut:
    """Store the new hash, revoke the rest, and log `action` (`password.changed` or
    `password.reset`) in the same transaction."""
    institution_id = await conn.fetchval(
        sql.SET_PASSWORD_HASH,
        user_id,
        password_hash,
    )
    revoked = await revoke_all(conn, user_id, keep_session_id)
    await audit.record(
        conn,
        action,
        actor_user_id=user_id,
        subject_user_id=user_id,
        institution_id=institution_id,
        client_address=address,
        detail={"sessions_ended": revoked.sessions, "tokens_revoked": revoked.tokens},
    )
    return revoked
