"""The audit log of one institution, as its admin's page shows it (the same reading rules as
the audit API: `read.scoped` decides what the caller may see)."""

from __future__ import annotations

from service.accounts.principal import Principal
from service.audit.read import read_events
from service.audit.schemas import AuditEventOut
from service.audit.store import AuditFilter
from service.common.schemas import Page
from service.db import Database


async def institution_events(
    db: Database, caller: Principal, institution_id: int | None, *, page: int, page_size: int
) -> Page[AuditEventOut]:
    """One page of the events of the institution's people (the only one the caller administers
    when None), newest first."""
    return await read_events(
        db, caller, AuditFilter(institution_id=institution_id), page, page_size
    )
