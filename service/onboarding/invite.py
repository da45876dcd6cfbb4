"""Accounts created for people who have never signed in (an instrument's contact from an
import, a member listed by an institution admin), and their invitation mails.

The account is inactive with an unusable password until its owner follows the mailed link and
chooses one; the link's token is stored only as its SHA-256. The mail is written to the outbox
in the transaction that creates the account, with everything it shows in its payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from service.accounts import rules
from service.accounts.membership import add_membership
from service.accounts.passwords import hash_password_async
from service.accounts.secrets import digest, new_secret
from service.errors import NotFound, Unprocessable
from service.onboarding import sql
from service.outbox.store import enqueue

VALID_FOR = timedelta(days=14)
#: Never matches an argon2 hash: nobody logs in before accepting.
NO_PASSWORD = "!invited"  # noqa: S105


@dataclass(frozen=True, slots=True)
class Invitee:
    email: str
    display_name: str
    institution_id: int
    language: str = "zh-CN"


async def invite(
    conn: asyncpg.Connection,
    person: Invitee,
    *,
    invited_by: int | None,
    base_url: str,
    now: datetime,
) -> int:
    """Create the inactive account and queue its invitation; returns the user id."""
    user_id = await conn.fetchval(
        sql.INSERT_INVITED_USER,
        rules.normalise_email(person.email),
        person.display_name[:100] or person.email.split("@")[0],
        person.institution_id,
        person.language,
        NO_PASSWORD,
    )
    # Whoever invites (an institution admin, or a platform admin importing the registry file)
    # vouches for the affiliation, so the membership is verified from the start.
    await add_membership(
        conn,
        int(user_id),
        person.institution_id,
        verified_by="admin",
        decided_by=invited_by,
        now=now,
    )
    token = new_secret("inv_")
    invitation_id = await conn.fetchval(
        sql.INSERT_INVITATION,
        user_id,
        digest(token),
        invited_by,
        now + VALID_FOR,
    )
    await enqueue(
        conn,
        kind="account_invitation",
        user_id=user_id,
        dedupe_key=f"account_invitation:{invitation_id}",
        payload=await _mail_payload(
            conn, person.institution_id, token, base_url, until=now + VALID_FOR
        ),
    )
    return int(user_id)


async def _mail_payload(
    conn: asyncpg.Connection, institution_id: int, token: str, base_url: str, *, until: datetime
) -> dict[str, object]:
    """Everything the invitation mail shows, in both languages (rendered from this alone)."""
    names = await conn.fetchrow(sql.INSTITUTION_NAMES, institution_id)
    assert names is not None
    return {
        "link": f"{base_url.rstrip('/')}/invitations/{token}",
        "link_label": {"zh-CN": "设置密码", "en": "Choose a password"},
        "details": {
            "zh-CN": [["单位", names["name_zh"]], ["有效期至", f"{until:%Y-%m-%d}"]],
            "en": [["Institution", names["name_en"]], ["Valid until", f"{until:%Y-%m-%d}"]],
        },
    }


async def open_invitation(conn: asyncpg.Connection, token: str, now: datetime) -> asyncpg.Record:
    row = await conn.fetchrow(sql.OPEN_INVITATION, digest(token), now)
    if row is None:
        raise NotFound("This invitation is unknown, used or expired; ask for a new one.")
    return row


async def accept(conn: asyncpg.Connection, token: str, password: str, now: datetime) -> int:
    """Set the password and activate the account; the link works once."""
    row = await open_invitation(conn, token, now)
    problems = rules.password_violations(password, row["email"])
    if problems:
        raise Unprocessable(
            problems[0].message,
            extra={"violations": [{"rule": v.rule, "message": v.message} for v in problems]},
        )
    await conn.execute(
        sql.ACTIVATE_INVITED_USER,
        row["user_id"],
        await hash_password_async(password),
    )
    await conn.execute(sql.ACCEPT_INVITATION, row["id"], now)
    return int(row["user_id"])
