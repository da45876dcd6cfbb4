"""The scheduler: one run per tick however many schedulers, failures recorded without
stopping the clock, a clean stop, and the worker and `jobs run` commands."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.common.jobs import Job, JobResult
from service.db import Database
from service.ops.prometheus import REGISTRY
from service.scheduler.registry import JOBS, run_job, run_job_once
from service.scheduler.rules import tick_of
from service.scheduler.runner import start_scheduler, stop_scheduler
from service.settings import Settings
from tests.factories import unique
from tests.scheduler_support import (
    SmtpServer,
    eventually,
    smtp,  # noqa: F401 - fixture
)

ROOT = Path(__file__).resolve().parents[2]


class Counting:
    """A job that counts its runs; optionally slow or failing."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.finished = 0
        self.delay = delay
        self.fail = fail

    async def __call__(self, db: Database, settings: Settings, now: datetime) -> JobResult:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the widget is broken")
        self.finished += 1
        return JobResult({"widgets": 2})


async def _runs(db: Database, job: str) -> list[dict[str, object]]:
    rows = await db.fetch("SELECT * FROM job_run WHERE job = $1 ORDER BY id", job)
    return [dict(r) for r in rows]


def test_ticks_are_interval_starts() -> None:
    every = timedelta(seconds=30)
    at = datetime(2030, 1, 1, 12, 0, 47, 123, tzinfo=UTC)
    assert tick_of(at, every) == datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert tick_of(at + timedelta(seconds=13), every) == tick_of(at, every) + every


async def test_a_tick_runs_once_whatever_the_number_of_schedulers(
    db: Database, settings: Settings
) -> None:
    work = Counting(delay=0.05)
    job = Job(unique("test_job"), work, timedelta(minutes=1))
    now = datetime(2030, 2, 1, 9, 0, 10, tzinfo=UTC)
    reports = await asyncio.gather(*(run_job(db, settings, job, now) for _ in range(3)))
    assert work.calls == 1
    assert sum(r is not None for r in reports) == 1
    runs = await _runs(db, job.name)
    assert [(r["tick"], r["outcome"], r["counts"]) for r in runs] == [
        (datetime(2030, 2, 1, 9, 0, tzinfo=UTC), "ok", {"widgets": 2})
    ]
    assert runs[0]["finished_at"] is not None and runs[0]["pid"] == os.getpid()
    # Later in the same interval: still the same tick, nothing runs.
    assert await run_job(db, settings, job, now + timedelta(seconds=40)) is None
    # The next interval is a new tick.
    assert await run_job(db, settings, job, now + timedelta(seconds=55)) is not None
    assert work.calls == 2


async def test_a_failing_job_is_recorded_and_counted(db: Database, settings: Settings) -> None:
    job = Job(unique("test_fail"), Counting(fail=True), timedelta(minutes=1))
    before = REGISTRY.get_sample_value(
        "instrument_share_job_runs_total", {"job": job.name, "outcome": "failed"}
    )
    report = await run_job(db, settings, job, datetime(2030, 3, 1, tzinfo=UTC))
    assert report is not None and report.outcome == "failed"
    assert report.error == "RuntimeError: the widget is broken"
    [run] = await _runs(db, job.name)
    assert (run["outcome"], run["error"], run["counts"]) == (
        "failed",
        "RuntimeError: the widget is broken",
        {},
    )
    after = REGISTRY.get_sample_value(
        "instrument_share_job_runs_total", {"job": job.name, "outcome": "failed"}
    )
    assert (before or 0) + 1 == after


async def test_the_clock_keeps_going_and_stops_cleanly(db: Database, settings: Settings) -> None:
    fast, broken, slow = Counting(), Counting(fail=True), Counting(delay=0.6)
    jobs = [
        Job(unique("test_fast"), fast, timedelta(seconds=0.2)),
        Job(unique("test_broken"), broken, timedelta(seconds=0.2)),
        Job(unique("test_slow"), slow, timedelta(seconds=0.2)),
    ]
    handle = await start_scheduler(db, settings, jobs)
    await eventually(lambda: fast.calls >= 3 and broken.calls >= 3 and slow.calls >= 1)
    await eventually(lambda: slow.calls > slow.finished)  # stop while the slow job runs
    await stop_scheduler(handle)
    assert slow.calls == slow.finished  # the running job was allowed to finish
    assert slow.calls <= 2  # max_instances=1: runs never overlapped ticks by much
    calls = fast.calls
    assert calls >= 3 and broken.calls >= 3
    await asyncio.sleep(0.5)
    assert fast.calls == calls  # stopped means stopped
    failed = [r["outcome"] for r in await _runs(db, jobs[1].name)]
    assert len(failed) >= 3 and set(failed) == {"failed"}
    assert {r["outcome"] for r in await _runs(db, jobs[0].name)} == {"ok"}


async def test_jobs_run_once_refuses_unknown_names(db: Database, settings: Settings) -> None:
    with pytest.raises(SystemExit, match="unknown job 'nope'.*deliver_outbox"):
        await run_job_once(db, settings, "nope")
    report = await run_job_once(db, settings, "purge_expired")
    assert report.outcome == "ok" and "idempotency_keys" in report.result.counts


def _env(settings: Settings, smtp_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "SMTP_URL": smtp_url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "test",
    }


async def test_worker_process_runs_every_job_and_stops_on_sigterm(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", "worker", cwd=ROOT, env=_env(settings, smtp.url)
    )
    try:
        deadline = time.monotonic() + 20
        seen: set[str] = set()
        while len(seen) < len(JOBS) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            rows = await db.fetch(
                "SELECT job, outcome FROM job_run WHERE pid = $1 AND outcome <> 'running'",
                proc.pid,
            )
            seen = {r["job"] for r in rows}
            assert {r["outcome"] for r in rows} <= {"ok"}, rows
        assert seen == set(JOBS)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0


async def test_jobs_run_command(settings: Settings) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "jobs",
        "run",
        "queue_reminders",
        cwd=ROOT,
        env=_env(settings, "smtp://127.0.0.1:9"),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0
    assert out.decode().startswith("queue_reminders: ok (")
