"""APScheduler as a clock: it only says "now"; what is due is always read from the database.

Misfire handling is not relied on (its grace is one second by default): every job finds the
work that fell due while no scheduler ran, so a restart catches up on its first tick. The job
store is in memory because a store cannot be shared between processes; each process has its
own clock and the `job_run` claims keep them from doing one tick twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from service.common.jobs import Job
from service.common.time import utcnow
from service.db import Database
from service.scheduler.registry import JOBS, run_job
from service.settings import Settings

log = logging.getLogger("service.scheduler")


@dataclass
class SchedulerHandle:
    scheduler: AsyncIOScheduler
    db: Database
    settings: Settings
    running: set[asyncio.Task[object]] = field(default_factory=set)


async def _tick(handle: SchedulerHandle, job: Job) -> None:
    task = asyncio.current_task()
    assert task is not None
    handle.running.add(task)
    try:
        await run_job(handle.db, handle.settings, job, utcnow())
    except Exception:  # noqa: BLE001 - e.g. the database is down: log, try next tick
        log.exception("tick of %s could not run", job.name)
    finally:
        handle.running.discard(task)


def _paced(jobs: Iterable[Job], settings: Settings) -> list[Job]:
    """The jobs with their intervals capped by `SCHEDULER_MAX_INTERVAL`, if set. The tick key
    follows the interval, so every scheduler of a deployment must use the same setting."""
    cap = settings.scheduler_max_interval
    if not cap:
        return list(jobs)
    limit = timedelta(seconds=cap)
    return [replace(job, every=min(job.every, limit)) for job in jobs]


async def start_scheduler(
    db: Database, settings: Settings, jobs: Iterable[Job] | None = None
) -> SchedulerHandle:
    """Start the clock on the running event loop; every job fires soon after start, so work
    that fell due during downtime is picked up at once."""
    # APScheduler logs every run at INFO; our own log and job_run already say what ran.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    handle = SchedulerHandle(scheduler, db, settings)
    now = utcnow()
    for job in _paced(jobs if jobs is not None else JOBS.values(), settings):
        spread = min(2.0, job.every.total_seconds())
        first = now + timedelta(seconds=random.uniform(0, spread))  # noqa: S311 - spread only
        scheduler.add_job(
            _tick,
            IntervalTrigger(seconds=job.every.total_seconds(), start_date=first, timezone="UTC"),
            args=[handle, job],
            id=job.name,
            name=job.name,
            next_run_time=first,
        )
    scheduler.start()
    log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
    return handle


async def stop_scheduler(handle: SchedulerHandle) -> None:
    """Stop firing, let running jobs finish (up to `SHUTDOWN_GRACE_SECONDS`), then shut the
    clock down. A cancelled job's claims roll back with its transaction; the next tick redoes it."""
    handle.scheduler.pause()
    if handle.running:
        grace = handle.settings.shutdown_grace_seconds
        _, late = await asyncio.wait(set(handle.running), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=5)  # let them record the cancellation
    handle.scheduler.shutdown(wait=False)
    await asyncio.sleep(0)  # the shutdown is scheduled on the loop; let it run
    log.info("scheduler stopped")


async def run_worker(settings: Settings) -> None:
    """`python -m service worker`: the scheduler as its own process, until SIGTERM or SIGINT."""
    db = Database(settings.database_url or "", 1, max(2, settings.db_pool_max // 2))
    await db.connect()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        handle = await start_scheduler(db, settings)
        await stop.wait()
        log.info("stop signal received")
        await stop_scheduler(handle)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await db.close()
