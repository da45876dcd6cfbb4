"""HTTP routes of this domain: the outbox for platform admins."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts.principal import Principal, require_platform_admin
from service.common.openapi import ADMIN_ONLY
from service.common.openapi import problem_spec as problem
from service.common.params import PageNumber, PageSize, PathId
from service.db import Database
from service.notifications import admin
from service.notifications.schemas import (
    OutboxOverviewOut,
    OutboxRetriedOut,
    OutboxRetryIn,
    OutboxRowOut,
)

_TAGS = ["administration"]


@get("/api/v1/admin/outbox", operation_id="getOutbox", tags=_TAGS, responses=ADMIN_ONLY)
async def get_outbox(
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> OutboxOverviewOut:
    """Messages by state and the dead letters (newest first), which an admin may retry."""
    require_platform_admin(user)
    return await admin.overview(db, page, page_size)


@post(
    "/api/v1/admin/outbox/{outbox_id:int}/retry",
    operation_id="retryOutboxMessage",
    tags=_TAGS,
    status_code=200,
    responses={
        **ADMIN_ONLY,
        404: problem("There is no such message."),
        409: problem("The message is not dead (pending, sent or skipped)."),
    },
)
async def retry_outbox_message(
    outbox_id: PathId, user: NamedDependency[Principal], db: NamedDependency[Database]
) -> OutboxRowOut:
    """Put a dead message back in the queue with its attempts reset; the next delivery tick
    sends it."""
    require_platform_admin(user)
    return await admin.retry(db, outbox_id)


@post(
    "/api/v1/admin/outbox/retry",
    operation_id="retryDeadOutboxMessages",
    tags=_TAGS,
    status_code=200,
    responses={**ADMIN_ONLY, 422: problem("A filter is malformed or the date range is empty.")},
)
async def retry_dead_messages(
    data: JSONBody[OutboxRetryIn],
    request: Request[Any, Any, Any],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> OutboxRetriedOut:
    """Put every dead message matching the filters (kind, creation range, text of the last
    error; `{}` for all) back in the queue in one action, each with a new retry horizon.
    Notices whose booking has since changed or started expire instead of being sent."""
    require_platform_admin(user)
    address = request.client.host if request.client else ""
    return await admin.retry_matching(db, data, actor_user_id=user.user_id, client_address=address)


ROUTES: list[Any] = [get_outbox, retry_outbox_message, retry_dead_messages]
