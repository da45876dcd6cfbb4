"""What the scheduler did: the latest run of every registered job, and whether each job can
do its work (a job whose runs succeed can still be degraded, e.g. delivery during a mail
outage)."""

from __future__ import annotations

from service.common.jobs import Job
from service.common.time import utcnow
from service.db import Database
from service.scheduler import store
from service.scheduler.registry import JOBS
from service.scheduler.schemas import Health, JobRunOut, JobStatusOut


async def _health(db: Database, job: Job, last_run: JobRunOut | None) -> tuple[Health, str]:
    if job.health is not None:
        problem = await job.health(db, utcnow())
        if problem is not None:
            return "degraded", problem
    if last_run is None:
        return "never_run", ""
    if last_run.outcome == "failed":
        return "failed", last_run.error
    return "ok", ""


async def job_statuses(db: Database) -> list[JobStatusOut]:
    latest = await store.last_runs(db, list(JOBS))
    items = []
    for name, job in JOBS.items():
        row = latest.get(name)
        last_run = None
        if row is not None:
            last_run = JobRunOut(
                tick=row["tick"],
                started_at=row["started_at"],
                finished_at=row["finished_at"],
                outcome=row["outcome"],
                counts=row["counts"],
                error=row["error"],
                host=row["host"],
                pid=row["pid"],
            )
        health, detail = await _health(db, job, last_run)
        items.append(
            JobStatusOut(
                name=name,
                description=job.description,
                interval_seconds=int(job.every.total_seconds()),
                last_run=last_run,
                last_ok_at=row["last_ok_at"] if row is not None else None,
                health=health,
                health_detail=detail,
            )
        )
    return items
