"""The `job_run` table: claiming a tick, recording its outcome, reading the latest runs."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from service.db import Database
from service.scheduler import sql

#: Errors are kept for the admin view, not as a log: long tracebacks are cut.
MAX_ERROR_CHARS = 2000


async def claim_tick(db: Database, job: str, tick: datetime) -> int | None:
    """Record that this process runs `job` for `tick`; None if another process already does."""
    return await db.fetchval(  # type: ignore[no-any-return]
        sql.CLAIM_TICK,
        job,
        tick,
        socket.gethostname(),
        os.getpid(),
    )


async def finish_run(
    db: Database, run_id: int, outcome: str, counts: dict[str, int], *, error: str = ""
) -> None:
    await db.execute(
        sql.FINISH_RUN,
        run_id,
        outcome,
        counts,
        error[:MAX_ERROR_CHARS],
    )


async def last_runs(db: Database, jobs: list[str]) -> dict[str, dict[str, Any]]:
    """The most recent run of each named job, and when it last succeeded (one index probe per
    job, however long the history)."""
    rows = await db.fetch(
        sql.LAST_RUNS,
        jobs,
    )
    return {row["job"]: dict(row) for row in rows}
