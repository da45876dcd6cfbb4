"""Queue reminders: one outbox row per booking, lead time and booking version, when due.

Nothing is queued ahead of time, so nothing has to be withdrawn when a booking moves: the row
for the old version simply no longer matches the booking and expires at delivery. A tick
after downtime queues what became due meanwhile; for each booking only the nearest lead time
that has come is queued (a booking made an hour before it starts gets the 1 h reminder, not
the 24 h one too).
"""

from __future__ import annotations

from datetime import datetime

from service.common.jobs import JobResult
from service.db import Database
from service.notifications import sql
from service.settings import Settings


async def queue_reminders(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Safe to run concurrently: the unique dedupe key makes a second insert a no-op."""
    status = await db.execute(sql.QUEUE, now)
    result = JobResult()
    result.add("queued", int(status.rsplit(" ", 1)[-1]))
    return result
