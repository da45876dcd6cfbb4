"""Scheduled entry points of search: keep the index current."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.common.jobs import Job, JobResult
from service.db import Database
from service.search import index
from service.settings import Settings


async def search_index_pending(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Index queued instruments (written without the indexer, e.g. by plain SQL), rebuild rows
    made with an older dictionary, refresh the suggestion counts."""
    result = JobResult()
    for what, n in (await index.refresh(db)).items():
        if n:
            result.add(what, n)
    return result


JOBS: list[Job] = [
    Job(
        "search_index_pending",
        search_index_pending,
        timedelta(minutes=1),
        "Index instruments written without the indexer; rebuild after dictionary changes.",
    ),
]
