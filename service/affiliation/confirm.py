"""Proof by mail: a single-use link sent to an address in one of the institution's e-mail
domains. The address may differ from the login (a personal address at login, the university
address for the proof). Opening the link verifies the claim, if it is still the user's claim.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import asyncpg

from service.accounts import one_time
from service.accounts.rules import email_violations, normalise_email
from service.affiliation import rules, sql, store
from service.affiliation.schemas import ConfirmationSentOut, MembershipOut
from service.db import Database
from service.errors import Conflict, Unprocessable
from service.outbox.store import enqueue
from service.settings import Settings

PURPOSE = "affiliation"
LIFETIME = timedelta(hours=48)
RESEND_AFTER = timedelta(minutes=1)
INVALID = "The confirmation link is unknown, already used or expired; ask for a new one."


def _refuse(message: str, rule: str = "email") -> Unprocessable:
    return Unprocessable(message, extra={"violations": [{"rule": rule, "message": message}]})


async def _claim_of(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        sql.CLAIM_OF_USER,
        user_id,
    )
    assert row is not None
    return row


async def send_link(
    db: Database, settings: Settings, user_id: int, email: str
) -> ConfirmationSentOut:
    """Mail a confirmation link to `email`, which must be in a verified domain of the user's
    stated institution; 409 when the membership is verified already."""
    email = normalise_email(email)
    if email_violations(email):
        raise _refuse("The email address is not valid.")
    async with db.transaction() as conn:
        user = await _claim_of(conn, user_id)
        if user["state"] == "verified":
            raise Conflict("Your membership of the institution is verified already.")
        domains = [d.domain for d in await store.domains(conn, user["institution_id"])]
        if not rules.in_domains(email, domains):
            raise _refuse(
                "The address is not in one of the institution's e-mail domains"
                + (f" ({', '.join(domains)})." if domains else "; it has none yet.")
            )
        if await one_time.recently_issued(conn, PURPOSE, user_id, RESEND_AFTER):
            raise Conflict("A confirmation link was sent a moment ago; check your mailbox.")
        token = await one_time.issue(
            conn, PURPOSE, LIFETIME, user_id=user_id,
            institution_id=user["institution_id"], email=email,
        )  # fmt: skip
        names = await store.institution_names(conn, user["institution_id"])
        await enqueue(
            conn,
            kind="affiliation_confirm",
            user_id=user_id,
            dedupe_key=f"affiliation_confirm:{user_id}:{token[:16]}",
            payload={"to": email, "name": user["display_name"], "language": user["language"],
                     "institution": names, "hours": int(LIFETIME.total_seconds() // 3600),
                     "link": f"{settings.base_url}/affiliation/confirm?token={quote(token)}"},
        )  # fmt: skip
    return ConfirmationSentOut(
        "A confirmation link is on its way.", email, int(LIFETIME.total_seconds() // 3600)
    )


async def offer_on_registration(db: Database, settings: Settings, user_id: int) -> bool:
    """When the login address itself is in one of the institution's domains, mail the link
    to it at once; True when sent."""
    row = await db.fetchrow(
        sql.REGISTERED_ADDRESS_AND_DOMAINS,
        user_id,
    )
    if row is None or not rules.in_domains(row["email"], list(row["domains"])):
        return False
    await send_link(db, settings, user_id, row["email"])
    return True


async def confirm(db: Database, token: str, address: str) -> MembershipOut:
    """Verify the claim the link was sent for; the link works once."""
    async with db.transaction() as conn:
        used = await one_time.redeem(conn, PURPOSE, token)
        if used is None:
            raise _refuse(INVALID, "token")
        row = await store.lock_latest(conn, used["user_id"], used["institution_id"])
        if row["state"] == "verified":
            return await store.get(conn, row["id"])
        membership_id = row["id"]
        if row["state"] == "claimed":
            await conn.execute(sql.DECIDE, row["id"], "verified", "email", None, "")
        else:  # rejected or revoked before: a fresh proof makes a new membership
            membership_id = await conn.fetchval(
                sql.RENEW, used["user_id"], used["institution_id"], "email", None, ""
            )
        detail = {"method": "email", "email": used["email"]}
        await store.record(
            conn, "membership.verified", row, actor=used["user_id"], address=address, detail=detail
        )
        return await store.get(conn, membership_id)


async def link_is_live(db: Database, token: str) -> bool:
    async with db.connection() as conn:
        return await one_time.find(conn, PURPOSE, token) is not None
