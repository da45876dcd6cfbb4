"""The booking lifecycle as scheduled jobs: thin wrappers over `lifecycle`, which claims rows
with `SKIP LOCKED` and re-checks each condition, so a second run (or a second scheduler) finds
nothing left to do."""

from __future__ import annotations

from datetime import datetime

from service.bookings import lifecycle
from service.common.jobs import JobResult
from service.db import Database
from service.settings import Settings


async def expire_pending(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Pending requests past their approval deadline free their slot (the booker is told)."""
    return JobResult({"expired": await lifecycle.expire_overdue_pending(db, now)})


async def mark_no_shows(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Unused bookings become no-shows after each instrument's own grace (its policy)."""
    return JobResult({"no_shows": await lifecycle.mark_no_shows(db, now)})


async def complete_bookings(db: Database, settings: Settings, now: datetime) -> JobResult:
    return JobResult({"completed": await lifecycle.complete_finished(db, now)})
