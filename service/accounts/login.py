"""Login, logout and the browser session.

Every password check goes through `throttle` (per account and address, per address). Logins,
failures and their client addresses go to the audit log: a success in the transaction that
starts the session, a failure in a short transaction of its own (nothing else is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.accounts import rules, sql, throttle
from service.accounts.passwords import verify_password
from service.accounts.schemas import LoginIn, LoginOut
from service.accounts.secrets import digest, new_secret
from service.accounts.tokens import (
    LOGIN_TOKEN_LIFETIME,
    LOGIN_TOKEN_NAME,
    issue_token,
    revoke_token_by_secret,
)
from service.accounts.users import load_me
from service.audit import store as audit
from service.db import Database
from service.errors import Unauthorized
from service.settings import Settings

SESSION_LIFETIME = timedelta(days=14)
BAD_CREDENTIALS = "The email address or the password is wrong."
#: Kept under its old name for callers of the maintenance job.
prune_login_failures = throttle.prune


@dataclass(frozen=True, slots=True)
class LoginResult:
    body: LoginOut
    session_id: str
    session_expires_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    csrf_token: str
    expires_at: datetime


async def start_session(
    conn: asyncpg.Connection, user_id: int, old_session_id: str | None
) -> Session:
    """A new browser session; the one the browser had (if any) ends, so a session id planted
    before login is worthless after it."""
    session_id, csrf_token = new_secret(), new_secret()
    await conn.execute(
        sql.DELETE_SESSION_AND_EXPIRED,
        digest(old_session_id or ""),
        user_id,
    )
    expires_at: datetime = await conn.fetchval(
        sql.INSERT_SESSION,
        digest(session_id),
        user_id,
        csrf_token,
        SESSION_LIFETIME,
    )
    return Session(session_id, csrf_token, expires_at)


async def _failed(db: Database, row: Any, email: str, address: str, *, reason: str) -> None:
    async with db.transaction() as conn:
        await audit.record(
            conn,
            "login.failed",
            subject_user_id=row["id"] if row else None,
            institution_id=row["institution_id"] if row else None,
            client_address=address,
            detail={"email": email, "reason": reason},
        )


async def login(
    db: Database, settings: Settings, data: LoginIn, old_session_id: str | None, *, address: str
) -> LoginResult:
    """Unknown email and wrong password look the same and cost the same (one argon2 verify)."""
    email = rules.normalise_email(data.email)
    await throttle.reserve(db, settings, email, address)
    row = await db.fetchrow(
        sql.LOGIN_USER_BY_EMAIL,
        email,
    )
    verified = await verify_password(row["password_hash"] if row else None, data.password)
    if not verified or row is None:
        await _failed(db, row, email, address, reason="password" if row else "unknown_account")
        raise Unauthorized(BAD_CREDENTIALS)
    if not row["is_active"]:
        await _failed(db, row, email, address, reason="deactivated")
        raise Unauthorized("This account is deactivated; ask your institution administrator.")
    async with db.transaction() as conn:
        await throttle.clear(conn, email, address)
        session = await start_session(conn, row["id"], old_session_id)
        token = await issue_token(conn, row["id"], LOGIN_TOKEN_NAME, LOGIN_TOKEN_LIFETIME)
        await audit.record(
            conn,
            "login.succeeded",
            actor_user_id=row["id"],
            subject_user_id=row["id"],
            institution_id=row["institution_id"],
            client_address=address,
            detail={"method": "password"},
        )
        me = await load_me(conn, row["id"])
    assert token.expires_at is not None
    body = LoginOut(
        token=token.token, token_expires_at=token.expires_at, csrf_token=session.csrf_token, user=me
    )
    return LoginResult(body, session.session_id, session.expires_at)


async def logout(db: Database, session_id: str | None, bearer_token: str | None) -> None:
    """Ends the browser session and, when called with a bearer token, revokes that token."""
    async with db.transaction() as conn:
        if session_id:
            await conn.execute(sql.DELETE_SESSION, digest(session_id))
        if bearer_token:
            await revoke_token_by_secret(conn, bearer_token)
