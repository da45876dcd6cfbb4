"""Reading the audit log (the use case; `service.audit` only writes and queries it): platform admins read every event; an institution admin reads the
events of the institutions they administer (the events of their own people)."""

from __future__ import annotations

from dataclasses import replace

from service.accounts.principal import Principal
from service.accounts.schemas import AuditEventOut
from service.audit import store
from service.audit.filters import AuditFilter
from service.common.schemas import Page
from service.db import Database
from service.errors import Forbidden


def scoped(caller: Principal, f: AuditFilter) -> AuditFilter:
    """The filter narrowed to what the caller may read."""
    if caller.is_platform_admin:
        return f
    if not caller.admin_of:
        raise Forbidden("Only platform and institution administrators read the audit log.")
    if f.institution_id is None:
        if len(caller.admin_of) > 1:
            raise Forbidden("Name the institution (`institution`) whose events you want.")
        return replace(f, institution_id=next(iter(caller.admin_of)))
    if f.institution_id not in caller.admin_of:
        raise Forbidden("You may read only the events of institutions you administer.")
    return f


async def read_events(
    db: Database, caller: Principal, f: AuditFilter, page: int, *, page_size: int
) -> Page[AuditEventOut]:
    async with db.connection() as conn:
        events, total = await store.list_events(
            conn, scoped(caller, f), limit=page_size, offset=(page - 1) * page_size
        )
    items = [AuditEventOut(**{k: getattr(e, k) for k in AuditEventOut.__struct_fields__})
             for e in events]  # fmt: skip
    return Page(items=items, total=total, page=page, page_size=page_size)
