"""HTTP route of the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from service.accounts.audit_log import read_events
from service.accounts.principal import Principal
from service.accounts.schemas import AuditEventOut
from service.audit.filters import AuditFilter
from service.common.openapi import problem_spec as problem
from service.common.params import PageNumber, PageSize, QueryId
from service.common.schemas import Page
from service.common.time import AwareDatetime
from service.db import Database


@get(
    "/api/v1/audit-events",
    operation_id="listAuditEvents",
    tags=["audit"],
    responses={403: problem("Not an administrator, or not of that institution.")},
)
async def list_audit_events(
    *,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    action: Annotated[
        str | None,
        QueryParameter(
            max_length=64,
            pattern=r"^[a-z][a-z0-9_.]*$",
            description="an action or its prefix: login, membership.verified…",
        ),
    ] = None,
    institution: QueryId = None,
    subject: QueryId = None,
    actor: QueryId = None,
    since: Annotated[AwareDatetime | None, QueryParameter(description="from (inclusive)")] = None,
    until: Annotated[AwareDatetime | None, QueryParameter(description="to (exclusive)")] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[AuditEventOut]:
    """Security events, newest first: logins and failures, tokens, passwords, roles,
    memberships, domains, enterprises. Institution admins read their institution's events."""
    f = AuditFilter(action, institution, subject, actor, since, until)
    return await read_events(db, user, f, page, page_size=page_size)


ROUTES: list[Any] = [list_audit_events]
