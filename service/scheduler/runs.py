"""The `job_run` table: claiming a tick, recording its outcome, reading the latest runs."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from service.db import Database

#: Errors are kept for the admin view, not as a log: long tracebacks are cut.
MAX_ERROR_CHARS = 2000


async def claim_tick(db: Database, job: str, tick: datetime) -> int | None:
    """Record that this process runs `job` for `tick`; None if another process already does."""
    return await db.fetchval(  # type: ignore[no-any-return]
        """INSERT INTO job_run (job, tick, host, pid) VALUES ($1, $2, $3, $4)
           ON CONFLICT (job, tick) DO NOTHING RETURNING id""",
        job,
        tick,
        socket.gethostname(),
        os.getpid(),
    )


async def finish_run(
    db: Database, run_id: int, outcome: str, counts: dict[str, int], *, error: str = ""
) -> None:
    await db.execute(
        """UPDATE job_run SET finished_at = clock_timestamp(), outcome = $2, counts = $3,
                              error = $4
           WHERE id = $1""",
        run_id,
        outcome,
        counts,
        error[:MAX_ERROR_CHARS],
    )


async def last_runs(db: Database, jobs: list[str]) -> dict[str, dict[str, Any]]:
    """The most recent run of each named job, and when it last succeeded (one index probe per
    job, however long the history)."""
    rows = await db.fetch(
        """SELECT j.name AS job, r.tick, r.started_at, r.finished_at, r.outcome, r.counts,
                  r.error, r.host, r.pid,
                  (SELECT max(ok.started_at) FROM job_run ok
                   WHERE ok.job = j.name AND ok.outcome = 'ok') AS last_ok_at
           FROM unnest($1::text[]) AS j(name)
           CROSS JOIN LATERAL (
               SELECT * FROM job_run r WHERE r.job = j.name
               ORDER BY r.started_at DESC, r.id DESC LIMIT 1
           ) AS r""",
        jobs,
    )
    return {row["job"]: dict(row) for row in rows}
