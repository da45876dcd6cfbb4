"""What every scheduled job returns, and who runs it. Jobs live in their domain packages and
return a `JobResult`; the scheduler, above them all, runs them on its clock."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field


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
