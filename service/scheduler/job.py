"""What a scheduled job is: a plain coroutine over (db, settings, now), and what it returns.

Jobs never read the clock themselves: the caller passes `now`, so the scheduler, the command
line and the tests (which replay an outage by passing a later `now`) all run the same code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.common.jobs import JobResult
from service.db import Database
from service.settings import Settings

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


JobFunc = Callable[[Database, Settings, datetime], Awaitable[JobResult]]
#: Why a job that runs fine still cannot do its work (e.g. the mail server is down), or None.
HealthCheck = Callable[[Database, datetime], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    func: JobFunc
    every: timedelta
    description: str = ""
    health: HealthCheck | None = None


def tick_of(now: datetime, every: timedelta) -> datetime:
    """The start of the interval `now` falls in. Schedulers in different processes fire at
    different instants, but within one interval they agree on the tick, so the run is recorded
    (and done) once."""
    step = int(every.total_seconds() * 1_000_000)
    elapsed = (now - _EPOCH) // timedelta(microseconds=1)
    return _EPOCH + timedelta(microseconds=elapsed - elapsed % step)
