"""Writes and reads audit events on a given connection; opens no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.audit import sql
from service.audit.filters import AuditFilter


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    occurred_at: datetime
    action: str
    actor_user_id: int | None
    actor_email: str | None
    subject_user_id: int | None
    subject_email: str | None
    institution_id: int | None
    client_address: str
    detail: dict[str, Any]


async def record(
    conn: asyncpg.Connection,
    action: str,
    *,
    actor_user_id: int | None = None,
    subject_user_id: int | None = None,
    institution_id: int | None = None,
    client_address: str = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one event. `action` is a dotted lower-case name, e.g. `login.failed`,
    `token.created`, `membership.verified`, `evaluator.read`."""
    event_id = await conn.fetchval(
        sql.INSERT_EVENT,
        action,
        actor_user_id,
        subject_user_id,
        institution_id,
        client_address[:64],
        detail or {},
    )
    return int(event_id)


def _args(f: AuditFilter) -> tuple[Any, ...]:
    return (f.action, f.institution_id, f.subject_user_id, f.actor_user_id, f.since, f.until)


async def list_events(
    conn: asyncpg.Connection, f: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the total that match."""
    rows = await conn.fetch(sql.LIST_EVENTS, *_args(f), limit, offset)
    total = await conn.fetchval(sql.COUNT_EVENTS, *_args(f))
    return [AuditEvent(**dict(r)) for r in rows], int(total)
