"""Every scheduled job by name, and the one way to run a job for a tick.

Running a job for a tick first claims `(job, tick)` in `job_run`; a second scheduler firing
for the same tick finds the claim and does nothing. The jobs themselves are also safe to run
concurrently (row claims with `SKIP LOCKED`, unique keys), so a run that overlaps the next
tick, or a manual run, never does work twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.bookings import jobs as booking_jobs
from service.common.jobs import Job, JobResult
from service.common.time import utcnow
from service.db import Database
from service.notifications import circuit
from service.notifications.ahead import queue_calendar_notices
from service.notifications.delivery import deliver_outbox
from service.notifications.reminders import queue_reminders
from service.ops.prometheus import JOB_ITEMS, JOB_RUNS
from service.scheduler import jobs as scheduler_jobs
from service.scheduler import store
from service.scheduler.rules import tick_of
from service.search import jobs as search_jobs
from service.settings import Settings

log = logging.getLogger("service.scheduler")

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "queue_reminders",
            queue_reminders,
            timedelta(seconds=30),
            "Queue reminder mails for bookings whose reminder lead time has come.",
        ),
        Job(
            "queue_calendar_notices",
            queue_calendar_notices,
            timedelta(minutes=10),
            "Tell users, some days ahead, of maintenance or a closure on the day of their booking.",
        ),
        Job(
            "deliver_outbox",
            deliver_outbox,
            timedelta(seconds=10),
            "Send due outbox mails; back off on failure, dead-letter after the retry horizon; "
            "hold the whole queue while the mail server is unreachable.",
            health=circuit.degradation,
        ),
        Job(
            "expire_pending",
            booking_jobs.expire_pending,
            timedelta(minutes=1),
            "Expire pending bookings past their approval deadline.",
        ),
        Job(
            "mark_no_shows",
            booking_jobs.mark_no_shows,
            timedelta(minutes=5),
            "Mark confirmed bookings nobody checked in to within the instrument's no-show grace as no-shows.",
        ),
        Job(
            "complete_bookings",
            booking_jobs.complete_bookings,
            timedelta(minutes=5),
            "Complete bookings that ended with a usage session.",
        ),
        *search_jobs.JOBS,
        *scheduler_jobs.JOBS,
    )
}


@dataclass(frozen=True, slots=True)
class RunReport:
    job: str
    outcome: str  # "ok" or "failed"
    result: JobResult
    error: str = ""

    def __str__(self) -> str:
        detail = self.error if self.outcome == "failed" else str(self.result)
        return f"{self.job}: {self.outcome} ({detail})"


async def run_job(
    db: Database, settings: Settings, job: Job, now: datetime, *, tick: datetime | None = None
) -> RunReport | None:
    """Run `job` once for its tick (by default the interval `now` falls in).

    Returns None when another scheduler already claimed the tick. A failure is recorded in
    `job_run` and logged, never raised: the scheduler must keep going.
    """
    run_id = await store.claim_tick(db, job.name, tick or tick_of(now, job.every))
    if run_id is None:
        JOB_RUNS.labels(job.name, "skipped").inc()
        return None
    try:
        result = await job.func(db, settings, now)
    except asyncio.CancelledError:
        await asyncio.shield(
            store.finish_run(db, run_id, "failed", {}, error="cancelled at shutdown")
        )
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and the scheduler goes on
        log.exception("job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
        JOB_RUNS.labels(job.name, "failed").inc()
        await store.finish_run(db, run_id, "failed", {}, error=error)
        return RunReport(job.name, "failed", JobResult(), error)
    JOB_RUNS.labels(job.name, "ok").inc()
    for what, n in result.counts.items():
        JOB_ITEMS.labels(job.name, what).inc(n)
    await store.finish_run(db, run_id, "ok", result.counts)
    return RunReport(job.name, "ok", result)


async def run_job_once(db: Database, settings: Settings, name: str) -> RunReport:
    """`python -m service jobs run NAME`: run now, as its own tick, whatever the schedule."""
    job = JOBS.get(name)
    if job is None:
        raise SystemExit(f"unknown job {name!r}; known jobs: {', '.join(sorted(JOBS))}")
    now = utcnow()
    report = await run_job(db, settings, job, now, tick=now)
    assert report is not None, "a tick of its own cannot be taken"
    return report
