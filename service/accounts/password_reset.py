"""Password reset by mail.

Asking for a reset answers the same whether or not the address belongs to an account (and an
inactive account gets no mail). The mailed link carries a single-use token valid for an hour;
setting the new password through it ends every session and revokes every API token, as a
password change does. At most one mail a minute per account, so the form cannot flood a
mailbox.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from service.accounts import credentials, one_time, rules, sql
from service.accounts.passwords import hash_password_async
from service.accounts.schemas import RevokedOut
from service.audit import store as audit
from service.db import Database
from service.errors import Unprocessable
from service.outbox.store import enqueue
from service.settings import Settings

PURPOSE = "password_reset"
LIFETIME = timedelta(hours=1)
RESEND_AFTER = timedelta(minutes=1)
INVALID = "The reset link is unknown, already used or expired; ask for a new one."


async def request_reset(db: Database, settings: Settings, email: str, address: str) -> None:
    email = rules.normalise_email(email)
    async with db.transaction() as conn:
        user = await conn.fetchrow(
            sql.ACTIVE_USER_BY_EMAIL_FOR_UPDATE,
            email,
        )
        if user is None or await one_time.recently_issued(conn, PURPOSE, user["id"], RESEND_AFTER):
            return
        token = await one_time.issue(conn, PURPOSE, LIFETIME, user_id=user["id"], email=email)
        link = f"{settings.base_url}/password/reset?token={quote(token)}"
        outbox_id = await enqueue(
            conn,
            kind="password_reset",
            user_id=user["id"],
            dedupe_key=f"password_reset:{user['id']}:{token[:16]}",
            payload={"to": user["email"], "name": user["display_name"],
                     "language": user["language"], "link": link, "hours": 1},
        )  # fmt: skip
        await audit.record(
            conn,
            "password.reset_requested",
            subject_user_id=user["id"],
            institution_id=user["institution_id"],
            client_address=address,
            detail={"outbox_id": outbox_id},
        )


async def reset_password(db: Database, token: str, password: str, address: str) -> RevokedOut:
    """Set a new password through a mailed token; a weak password leaves the token usable."""
    async with db.connection() as conn:
        live = await one_time.find(conn, PURPOSE, token)
    if live is None:
        raise Unprocessable(INVALID, extra={"violations": [{"rule": "token", "message": INVALID}]})
    violations = rules.password_violations(password, live["email"])
    if violations:
        raise credentials.unprocessable(violations)
    new_hash = await hash_password_async(password)
    async with db.transaction() as conn:
        used = await one_time.redeem(conn, PURPOSE, token)
        if used is None:  # redeemed by a concurrent request meanwhile
            raise Unprocessable(
                INVALID, extra={"violations": [{"rule": "token", "message": INVALID}]}
            )
        await one_time.retire(conn, PURPOSE, used["user_id"])
        return await credentials.set_password(
            conn,
            used["user_id"],
            new_hash,
            keep_session_id=None,
            action="password.reset",
            address=address,
        )


async def token_is_live(db: Database, token: str) -> bool:
    """Whether the mailed link still works (the page says so before asking for a password)."""
    async with db.connection() as conn:
        return await one_time.find(conn, PURPOSE, token) is not None
