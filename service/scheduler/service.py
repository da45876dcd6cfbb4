"""What the scheduler did: the latest run of every registered job."""

from __future__ import annotations

from service.db import Database
from service.scheduler import runs
from service.scheduler.registry import JOBS
from service.scheduler.schemas import JobRunOut, JobStatusOut


async def job_statuses(db: Database) -> list[JobStatusOut]:
    latest = await runs.last_runs(db, list(JOBS))
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
        items.append(
            JobStatusOut(
                name=name,
                description=job.description,
                interval_seconds=int(job.every.total_seconds()),
                last_run=last_run,
                last_ok_at=row["last_ok_at"] if row is not None else None,
            )
        )
    return items
