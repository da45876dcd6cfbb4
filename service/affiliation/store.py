"""Runs the affiliation SQL on a connection and maps rows; opens no transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.affiliation import sql
from service.affiliation.schemas import EmailDomainOut, MembershipOut
from service.audit import store as audit
from service.errors import NotFound


def membership_out(row: Any) -> MembershipOut:
    return MembershipOut(**{k: row[k] for k in MembershipOut.__struct_fields__})


async def get(conn: asyncpg.Connection, membership_id: int) -> MembershipOut:
    return membership_out(await conn.fetchrow(sql.GET_MEMBERSHIP, membership_id))


async def lock_latest(conn: asyncpg.Connection, user_id: int, institution_id: int) -> Any:
    """The user's latest membership row of the institution, locked; 404 when the user never
    stated that institution (or no longer does)."""
    row = await conn.fetchrow(sql.LOCK_LATEST, user_id, institution_id)
    if row is None or row["stated_institution"] != institution_id:
        raise NotFound(f"User {user_id} has no membership of institution {institution_id}.")
    return row


async def institution_names(conn: asyncpg.Connection, institution_id: int) -> dict[str, str]:
    row = await conn.fetchrow(sql.INSTITUTION_NAMES, institution_id)
    if row is None:
        raise NotFound(f"Institution {institution_id} does not exist.")
    return {"zh": row["name_zh"], "en": row["name_en"]}


async def domains(conn: asyncpg.Connection, institution_id: int) -> list[EmailDomainOut]:
    rows = await conn.fetch(sql.DOMAINS, institution_id)
    return [EmailDomainOut(**dict(r)) for r in rows]


async def record(
    conn: asyncpg.Connection,
    action: str,
    row: Any,
    *,
    actor: int | None,
    address: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit a membership event; it belongs to the institution of the membership."""
    await audit.record(
        conn,
        action,
        actor_user_id=actor,
        subject_user_id=row["user_id"],
        institution_id=row["institution_id"],
        client_address=address,
        detail=detail or {},
    )
