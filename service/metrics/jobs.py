"""Scheduled entry points of the metrics: late changes first, then the recent days."""

from __future__ import annotations

from datetime import datetime

from service.common.jobs import JobResult
from service.db import Database
from service.metrics.dirty import rollup_dirty
from service.metrics.rollup import recent_days, rollup_recent
from service.settings import Settings


async def rollup_metrics(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Dirty days older than the recent window, then yesterday and today everywhere. Safe to
    run in several schedulers at once (claims with SKIP LOCKED; chunks under one lock)."""
    first_recent, _ = await recent_days(db, now)
    late = await rollup_dirty(db, now, first_recent)
    recent = await rollup_recent(db, now)
    return JobResult({"rolled_up": recent, "late_days": late})
