"""Linking a sign-on to an account that already has its address, once the person proves the
account is theirs: the local password (throttled like a login), or a link mailed to the
account's address (single-use, an hour).

The pending link (`account.PENDING`) carries the provider and subject; proving the password
uses it up, asking for a mail copies it into an `sso_link` token whose link ends the proof.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import asyncpg

from service.accounts import one_time, throttle
from service.accounts.passwords import verify_password
from service.affiliation.store import institution_names
from service.audit import store as audit
from service.common.i18n import N_
from service.db import Database
from service.errors import Conflict, Unprocessable
from service.outbox.store import enqueue
from service.settings import Settings
from service.sso import account, sql, store
from service.sso.errors import SignOnRefused

MAILED = "sso_link"
MAIL_LIFETIME = timedelta(hours=1)
RESEND_AFTER = timedelta(minutes=1)
INVALID = N_("The link is unknown, already used or expired. Sign on again from the login page.")
WRONG_PASSWORD = N_("The password is not correct.")  # noqa: S105


async def pending(db: Database, token: str) -> dict[str, Any]:
    """The waiting link for the page: the account's address and the institution's names."""
    async with db.connection() as conn:
        live = await one_time.find(conn, account.PENDING, token)
        if live is None:
            raise SignOnRefused(INVALID)
        names = await institution_names(conn, live["institution_id"])
    return {"email": live["email"], "institution": names}


async def _finish(
    conn: asyncpg.Connection,
    used: Any,
    proof: str,
    *,
    old_session_id: str | None,
    address: str,
) -> account.SignedIn:
    data = used["data"]
    provider = await store.get_provider(conn, int(data["provider_id"]))
    user_id = int(used["user_id"])
    await account.attach(
        conn, provider.id, data["subject"], user_id, staff_number=data.get("staff_number", "")
    )
    await audit.record(
        conn, "sso.linked", actor_user_id=user_id, subject_user_id=user_id,
        institution_id=provider.institution_id, client_address=address,
        detail={"provider_id": provider.id, "protocol": provider.protocol, "proof": proof},
    )  # fmt: skip
    session = await account.open_session(
        conn, provider, user_id, old_session_id=old_session_id, address=address
    )
    return account.SignedIn(user_id, session, str(data.get("next") or "/instruments"))


async def link_with_password(
    db: Database,
    settings: Settings,
    token: str,
    password: str,
    *,
    old_session_id: str | None,
    address: str,
) -> account.SignedIn:
    async with db.connection() as conn:
        live = await one_time.find(conn, account.PENDING, token)
    if live is None:
        raise SignOnRefused(INVALID)
    await throttle.reserve(db, settings, live["email"], address)
    stored = await db.fetchval(sql.PASSWORD_HASH, live["user_id"])
    if not await verify_password(stored, password):
        raise Unprocessable(WRONG_PASSWORD, extra={"violations": [
            {"rule": "password", "message": WRONG_PASSWORD}]})  # fmt: skip
    async with db.transaction() as conn:
        used = await one_time.redeem(conn, account.PENDING, token)
        if used is None:
            raise SignOnRefused(INVALID)
        await throttle.clear(conn, live["email"], address)
        return await _finish(conn, used, "password", old_session_id=old_session_id, address=address)


async def mail_link(db: Database, settings: Settings, token: str) -> str:
    """Mail the proof link to the account's address; returns the address."""
    async with db.transaction() as conn:
        live = await one_time.find(conn, account.PENDING, token)
        if live is None:
            raise SignOnRefused(INVALID)
        user = await conn.fetchrow(
            sql.USER_FOR_LINK_MAIL,
            live["user_id"],
        )
        if await one_time.recently_issued(conn, MAILED, user["id"], RESEND_AFTER):
            raise Conflict(N_("A link was sent a moment ago; check your mailbox."))
        mailed = await one_time.issue(
            conn, MAILED, MAIL_LIFETIME, user_id=user["id"],
            institution_id=live["institution_id"], email=user["email"], data=live["data"],
        )  # fmt: skip
        await enqueue(
            conn, kind="sso_link", user_id=user["id"],
            dedupe_key=f"sso_link:{user['id']}:{mailed[:16]}",
            payload={"to": user["email"], "name": user["display_name"],
                     "language": user["language"],
                     "institution": await institution_names(conn, live["institution_id"]),
                     "hours": 1, "link": f"{settings.base_url}/sso/link/confirm?token={quote(mailed)}"},
        )  # fmt: skip
    return str(user["email"])


async def confirm_mailed(
    db: Database, token: str, *, old_session_id: str | None, address: str
) -> account.SignedIn:
    async with db.transaction() as conn:
        used = await one_time.redeem(conn, MAILED, token)
        if used is None:
            raise SignOnRefused(INVALID)
        await one_time.retire(conn, account.PENDING, int(used["user_id"]))
        return await _finish(conn, used, "email", old_session_id=old_session_id, address=address)
