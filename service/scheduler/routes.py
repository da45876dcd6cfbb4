"""HTTP routes of this domain: what the scheduled jobs did, for platform admins."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency

from service.accounts.principal import Principal, require_platform_admin
from service.common.openapi import ADMIN_ONLY
from service.db import Database
from service.metrics.dirty import freshness
from service.scheduler.schemas import JobsOut
from service.scheduler.statuses import job_statuses


@get(
    "/api/v1/admin/jobs",
    operation_id="listJobs",
    tags=["administration"],
    responses=ADMIN_ONLY,
)
async def list_jobs(user: NamedDependency[Principal], db: NamedDependency[Database]) -> JobsOut:
    """The last run of every scheduled job (tick, outcome, counts, error), so an admin sees at
    a glance whether reminders and lifecycle jobs are running; and how stale the sharing figures
    are (`figures`: rolled up as of, dirty instrument-days waiting and the oldest of them)."""
    require_platform_admin(user)
    return JobsOut(items=await job_statuses(db), figures=await freshness(db))


ROUTES: list[Any] = [list_jobs]
