"""What a scheduled job is, what it returns, and who runs it. Jobs live in their domain
packages (each package's `jobs.JOBS` list) and return a `JobResult`; the scheduler, above them
all, runs them on its clock.

A job is a plain coroutine over (db, settings, now). Jobs never read the clock themselves: the
caller passes `now`, so the scheduler, the command line and the tests (which replay an outage by
passing a later `now`) all run the same code.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service.db import Database
from service.settings import Settings


def worker_identity() -> str:
    """This process, as rows it claims name it (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class JobResult:
    """How many items of each sort a run handled (e.g. `{"sent": 12, "failed": 1}`)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def merge(self, other: JobResult) -> None:
        for what, n in other.counts.items():
            self.add(what, n)

    def __str__(self) -> str:
        if not self.counts:
            return "nothing to do"
        return ", ".join(f"{what}={n}" for what, n in sorted(self.counts.items()))


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
