"""Login, logout and the per-account throttle.

The throttle lives in the database so every worker process sees the same count. Each attempt
first *reserves* a failure row under an advisory lock on the email, then verifies the password
outside the lock (argon2 takes ~0.2 s); a success deletes the rows again. So however many
attempts race, at most `login_max_failures` of them ever reach the password check per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.accounts import rules
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
from service.db import Database
from service.errors import TooManyRequests, Unauthorized
from service.settings import Settings

#: Advisory-lock namespace for login attempts (second key: hashtext of the lower-cased email).
LOCK_LOGIN = 0x4C4F47
SESSION_LIFETIME = timedelta(days=14)
BAD_CREDENTIALS = "The email address or the password is wrong."


@dataclass(frozen=True, slots=True)
class LoginResult:
    body: LoginOut
    session_id: str
    session_expires_at: datetime


async def _reserve_attempt(db: Database, settings: Settings, email: str) -> None:
    """Count this attempt as a failure up front, or refuse it with 429 when the limit is hit."""
    window = timedelta(minutes=settings.login_window_minutes)
    async with db.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", LOCK_LOGIN, email)
        # clock_timestamp, not now(): now() is frozen at the start of a transaction that may
        # have waited for the lock behind attempts recorded after it began.
        now: datetime = await conn.fetchval("SELECT clock_timestamp()")
        await conn.execute(
            "DELETE FROM login_failure WHERE email_lower = $1 AND failed_at <= $2",
            email,
            now - window,
        )
        failures = await conn.fetch(
            "SELECT failed_at FROM login_failure WHERE email_lower = $1", email
        )
        wait = rules.lockout_seconds(
            [r["failed_at"] for r in failures], now, settings.login_max_failures, window
        )
        if wait:
            raise TooManyRequests(
                f"Too many failed logins for this account; try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        await conn.execute(
            "INSERT INTO login_failure (email_lower, failed_at) VALUES ($1, $2)", email, now
        )


async def login(
    db: Database, settings: Settings, data: LoginIn, old_session_id: str | None
) -> LoginResult:
    """Unknown email and wrong password look the same and cost the same (one argon2 verify)."""
    email = rules.normalise_email(data.email)
    await _reserve_attempt(db, settings, email)
    row = await db.fetchrow(
        "SELECT id, password_hash, is_active FROM app_user WHERE lower(email) = $1", email
    )
    verified = await verify_password(row["password_hash"] if row else None, data.password)
    if not verified or row is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if not row["is_active"]:
        raise Unauthorized("This account is deactivated; ask your institution administrator.")
    session_id, csrf_token = new_secret(), new_secret()
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM login_failure WHERE email_lower = $1", email)
        await conn.execute(
            "DELETE FROM user_session WHERE id_hash = $1 OR (user_id = $2 AND expires_at < now())",
            digest(old_session_id or ""),
            row["id"],
        )
        expires_at: datetime = await conn.fetchval(
            """INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at)
               VALUES ($1, $2, $3, now() + $4::interval) RETURNING expires_at""",
            digest(session_id),
            row["id"],
            csrf_token,
            SESSION_LIFETIME,
        )
        token = await issue_token(conn, row["id"], LOGIN_TOKEN_NAME, LOGIN_TOKEN_LIFETIME)
        me = await load_me(conn, row["id"])
    assert token.expires_at is not None
    body = LoginOut(
        token=token.token, token_expires_at=token.expires_at, csrf_token=csrf_token, user=me
    )
    return LoginResult(body, session_id, expires_at)


async def logout(db: Database, session_id: str | None, bearer_token: str | None) -> None:
    """Ends the browser session and, when called with a bearer token, revokes that token."""
    async with db.transaction() as conn:
        if session_id:
            await conn.execute("DELETE FROM user_session WHERE id_hash = $1", digest(session_id))
        if bearer_token:
            await revoke_token_by_secret(conn, bearer_token)


async def prune_login_failures(db: Database, settings: Settings) -> int:
    """Drop failures that no longer count, for a periodic maintenance job; returns how many."""
    status = await db.execute(
        "DELETE FROM login_failure WHERE failed_at < now() - $1::interval",
        timedelta(minutes=settings.login_window_minutes),
    )
    return int(status.split()[-1])
