"""Housekeeping jobs: purge what has expired, roll statistics up."""

from __future__ import annotations

import importlib
import importlib.util
from datetime import datetime, timedelta

from service.common.jobs import Job, JobResult
from service.db import Database
from service.scheduler import sql
from service.settings import Settings

#: Login failures only matter inside the throttling window; a day is ample.
LOGIN_FAILURE_RETENTION = timedelta(days=1)
#: A revoked feed token answers 404 whether its row exists or not; keep it a while for audits.
REVOKED_FEED_RETENTION = timedelta(days=90)
JOB_RUN_RETENTION = timedelta(days=14)

#: A run still "running" after this long belongs to a process that died mid-run.
ABANDONED_AFTER = timedelta(hours=1)

_PURGES: tuple[tuple[str, str, str, timedelta], ...] = (
    (
        "idempotency_keys",
        "idempotency_key",
        sql.PURGE_IDEMPOTENCY_KEYS,
        timedelta(0),
    ),
    ("sessions", "user_session", sql.PURGE_SESSIONS, timedelta(0)),
    (
        "login_failures",
        "login_failure",
        sql.PURGE_LOGIN_FAILURES,
        LOGIN_FAILURE_RETENTION,
    ),
    (
        "revoked_feeds",
        "feed_token",
        sql.PURGE_REVOKED_FEEDS,
        REVOKED_FEED_RETENTION,
    ),
    ("job_runs", "job_run", sql.PURGE_JOB_RUNS, JOB_RUN_RETENTION),
    # Sign-ons in flight live ten minutes; a day later their rows only take room.
    (
        "sso_requests",
        "sso_request",
        sql.PURGE_SSO_REQUESTS,
        timedelta(days=1),
    ),
    (
        "abandoned_runs",
        "job_run",
        sql.FAIL_ABANDONED_RUNS,
        ABANDONED_AFTER,
    ),
)


async def purge_expired(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Each step is one idempotent statement; concurrent runs simply find less to do."""
    result = JobResult()
    for what, table, statement, keep in _PURGES:
        if await db.fetchval(sql.TABLE_EXISTS, table) is None:
            continue  # that part of the product is not installed
        status = await db.execute(statement, now - keep)
        result.add(what, int(status.rsplit(" ", 1)[-1]))
    return result


ROLLUP_MODULE = "service.metrics.jobs"


def rollup_available() -> bool:
    return importlib.util.find_spec(ROLLUP_MODULE) is not None


async def rollup_metrics(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Statistics for the days changed late and the recent days (the metrics domain decides)."""
    module = importlib.import_module(ROLLUP_MODULE)
    result: JobResult = await module.rollup_metrics(db, settings, now)
    return result


#: The scheduler's own jobs; the statistics roll-up only where the metrics domain is installed.
JOBS: list[Job] = [
    Job(
        "purge_expired",
        purge_expired,
        timedelta(hours=1),
        "Delete expired idempotency keys, sessions, old login failures and job history.",
    ),
    *(
        [
            Job(
                "rollup_metrics",
                rollup_metrics,
                timedelta(minutes=15),
                "Recompute the days changed late, then roll recent usage up into the statistics "
                "tables.",
            )
        ]
        if rollup_available()
        else []
    ),
]
