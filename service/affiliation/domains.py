"""The e-mail domains an institution vouches for, managed by its admins."""

from __future__ import annotations

import asyncpg

from service.accounts.principal import Principal
from service.affiliation import rules, sql, store
from service.affiliation.decide import require_admin
from service.affiliation.schemas import EmailDomainOut
from service.audit import store as audit
from service.db import Database
from service.errors import Conflict, Unprocessable


async def list_domains(
    db: Database, caller: Principal, institution_id: int
) -> list[EmailDomainOut]:
    require_admin(caller, institution_id)
    async with db.connection() as conn:
        await store.institution_names(conn, institution_id)
        return await store.domains(conn, institution_id)


async def _audit(
    conn: asyncpg.Connection, caller: Principal, action: str, institution_id: int, *, domain: str,
    address: str,
) -> None:  # fmt: skip
    await audit.record(
        conn, action, actor_user_id=caller.user_id, institution_id=institution_id,
        client_address=address, detail={"domain": domain},
    )  # fmt: skip


async def add_domain(
    db: Database, caller: Principal, institution_id: int, domain: str, *, address: str
) -> EmailDomainOut:
    """Idempotent for the institution; a domain of another institution is a 409."""
    require_admin(caller, institution_id)
    domain = rules.normalise_domain(domain)
    found = rules.domain_violations(domain)
    if found:
        raise Unprocessable(found[0].message, extra={"violations": [
            {"rule": v.rule, "message": v.message} for v in found]})  # fmt: skip
    async with db.transaction() as conn:
        await store.institution_names(conn, institution_id)
        owner = await conn.fetchval(
            sql.UPSERT_EMAIL_DOMAIN,
            domain,
            institution_id,
            caller.user_id,
        )
        if owner != institution_id:
            raise Conflict(f"The domain {domain} belongs to another institution.")
        await _audit(
            conn, caller, "email_domain.added", institution_id, domain=domain, address=address
        )
        return next(d for d in await store.domains(conn, institution_id) if d.domain == domain)


async def remove_domain(
    db: Database, caller: Principal, institution_id: int, domain: str, *, address: str
) -> None:
    """Memberships already verified through the domain stay verified."""
    require_admin(caller, institution_id)
    async with db.transaction() as conn:
        status = await conn.execute(
            sql.DELETE_EMAIL_DOMAIN,
            rules.normalise_domain(domain),
            institution_id,
        )
        if status.split()[-1] != "0":
            await _audit(
                conn, caller, "email_domain.removed", institution_id, domain=domain, address=address
            )
