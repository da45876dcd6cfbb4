"""From an identity provider's assertion to one local account.

1. A known subject of the provider is its linked account.
2. An unknown subject whose address no account has gets a new account, its membership of the
   provider's institution verified by the sign-on (`method = sso`), and no usable password.
3. An unknown subject whose address an account already has is *not* linked on the
   provider's word: a pending link (a single-use token, 15 minutes) waits until the person
   proves the local password or the address (`link`).

Every sign-on proves membership again: a claim of the provider's institution becomes verified
(a rejected one is renewed, as a fresh mailed proof would). A membership an admin *revoked*
stays revoked: the admin's decision is not undone by the next login. An account that states
another institution keeps its affiliation as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from service.accounts import one_time
from service.accounts.login import Session, start_session
from service.accounts.users import create_user
from service.affiliation import sql as affiliation_sql
from service.affiliation import store as affiliation_store
from service.audit import store as audit
from service.common.i18n import N_
from service.db import Database
from service.errors import Conflict
from service.sso import rules, sql, store
from service.sso.errors import SignOnRefused

PENDING = "sso_pending"
PENDING_LIFETIME = timedelta(minutes=15)
#: Not an argon2 hash: no password ever matches it (the account signs on through its provider
#: until a password is set by a mailed reset).
NO_PASSWORD = "!sso"  # noqa: S105
DEACTIVATED = N_("This account is deactivated; ask your institution administrator.")
ALREADY_LINKED = N_("The account is linked to another sign-on of this institution already.")


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    session: Session
    next_path: str
    created: bool = False


@dataclass(frozen=True, slots=True)
class LinkNeeded:
    """The plain pending-link token, for the page that asks for the proof."""

    token: str


async def affirm_membership(
    conn: asyncpg.Connection, user_id: int, institution_id: int, address: str
) -> None:
    row = await conn.fetchrow(
        sql.MEMBERSHIP_TO_AFFIRM,
        user_id,
        institution_id,
    )
    if row is None or row["state"] in ("verified", "revoked"):
        return
    if row["state"] == "claimed":
        await conn.execute(affiliation_sql.DECIDE, row["id"], "verified", "sso", None, "")
    else:
        await conn.execute(affiliation_sql.RENEW, user_id, institution_id, "sso", None, "")
    event = {"user_id": user_id, "institution_id": institution_id}
    await affiliation_store.record(
        conn, "membership.verified", event, actor=user_id, address=address,
        detail={"method": "sso"},
    )  # fmt: skip


async def open_session(
    conn: asyncpg.Connection,
    provider: store.Provider,
    user_id: int,
    *,
    old_session_id: str | None,
    address: str,
) -> Session:
    await affirm_membership(conn, user_id, provider.institution_id, address)
    session = await start_session(conn, user_id, old_session_id)
    institution_id = await conn.fetchval(sql.USER_INSTITUTION, user_id)
    await audit.record(
        conn, "login.succeeded", actor_user_id=user_id, subject_user_id=user_id,
        institution_id=institution_id, client_address=address,
        detail={"method": "sso", "protocol": provider.protocol, "provider_id": provider.id},
    )  # fmt: skip
    return session


async def attach(
    conn: asyncpg.Connection, provider_id: int, subject: str, user_id: int, *, staff_number: str
) -> None:
    """Link the subject to the account; 409 when either side is linked otherwise already."""
    try:
        async with conn.transaction():
            await conn.execute(sql.INSERT_IDENTITY, provider_id, subject, user_id, staff_number)
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(ALREADY_LINKED) from exc


async def _create(
    conn: asyncpg.Connection,
    provider: store.Provider,
    assertion: rules.Assertion,
    language: str,
    *,
    address: str,
) -> int:
    user_id = await create_user(
        conn, email=assertion.email, display_name=rules.display_name(assertion),
        institution_id=provider.institution_id, password_hash=NO_PASSWORD, language=language,
        verified_by="sso",
    )  # fmt: skip
    await attach(conn, provider.id, assertion.subject, user_id, staff_number=assertion.staff_number)
    await audit.record(
        conn, "sso.account_created", actor_user_id=user_id, subject_user_id=user_id,
        institution_id=provider.institution_id, client_address=address,
        detail={"provider_id": provider.id, "protocol": provider.protocol},
    )  # fmt: skip
    return user_id


async def sign_in(
    db: Database,
    provider: store.Provider,
    assertion: rules.Assertion,
    next_path: str,
    *,
    language: str,
    old_session_id: str | None,
    address: str,
) -> SignedIn | LinkNeeded:
    async with db.transaction() as conn:
        await store.lock_subject(conn, provider.id, assertion.subject)
        known = await store.identity_user(conn, provider.id, assertion.subject)
        created = False
        if known is not None:
            if not known["is_active"]:
                raise SignOnRefused(DEACTIVATED)
            user_id = int(known["user_id"])
            await conn.execute(
                sql.TOUCH_IDENTITY, provider.id, assertion.subject, assertion.staff_number
            )
        else:
            holder = await conn.fetchrow(sql.ACCOUNT_BY_EMAIL, assertion.email)
            if holder is not None:
                token = await one_time.issue(
                    conn, PENDING, PENDING_LIFETIME, user_id=holder["id"],
                    institution_id=provider.institution_id, email=assertion.email,
                    data={"provider_id": provider.id, "subject": assertion.subject,
                          "staff_number": assertion.staff_number, "next": next_path},
                )  # fmt: skip
                return LinkNeeded(token)
            user_id, created = (
                await _create(conn, provider, assertion, language, address=address),
                True,
            )
        session = await open_session(
            conn, provider, user_id, old_session_id=old_session_id, address=address
        )
    return SignedIn(user_id, session, next_path, created)
