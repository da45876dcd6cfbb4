"""Shapes of the job and outbox administration views."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from service.metrics.schemas import FreshnessOut

Outcome = Literal["running", "ok", "failed"]
#: ok: last run succeeded; degraded: it runs but cannot do its work (see `health_detail`);
#: failed: its last run failed; never_run: no run recorded yet.
Health = Literal["ok", "degraded", "failed", "never_run"]


class JobRunOut(msgspec.Struct):
    tick: datetime
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    counts: dict[str, int]
    error: str
    host: str
    pid: int | None


class JobStatusOut(msgspec.Struct):
    name: str
    description: str
    interval_seconds: int
    last_run: JobRunOut | None
    last_ok_at: datetime | None
    health: Health = "ok"
    health_detail: str = ""


class JobsOut(msgspec.Struct):
    items: list[JobStatusOut]
    #: How stale the sharing figures are (late changes waiting, last roll-up).
    figures: FreshnessOut | None = None
