"""Notices ahead of a closure or maintenance that touches a booking, and to the next user when
a session ends early.

A booking is touched by a maintenance block on its calendar (instruments sharing the resource
included) or by a closure or special hours of its instrument on the local date it starts:
bookings a block or closure actually overlaps were refused or cancelled when it was placed,
so what is left is the user who should know the instrument is serviced, or keeps other hours,
that day. The notice is queued once the booking starts within the configured number of days
(`Settings.notice_days_before_closure`), exactly once per booking and block or closure (the
outbox's unique dedupe key).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from service.bookings import store
from service.common.jobs import JobResult
from service.db import Database
from service.notifications import sql
from service.outbox.store import enqueue
from service.settings import Settings


def _when(row: Any) -> dict[str, list[list[str]]]:
    """The mail's detail row: the block's local time, or the day's hours."""
    if row["what"] == "block":
        tz = ZoneInfo(row["timezone"])
        a, b = row["starts_at"].astimezone(tz), row["ends_at"].astimezone(tz)
        span = f"{a:%Y-%m-%d %H:%M}–{b:%Y-%m-%d %H:%M} ({row['timezone']})"
        return {"zh-CN": [["维护时间", span]], "en": [["Maintenance", span]]}
    if row["opens"] is None:
        return {"zh-CN": [["当日开放", "全天停开"]], "en": [["Hours that day", "closed"]]}
    hours = f"{row['opens']:%H:%M}–{row['closes']:%H:%M}"
    return {"zh-CN": [["当日开放", hours]], "en": [["Hours that day", hours]]}


async def queue_calendar_notices(db: Database, settings: Settings, now: datetime) -> JobResult:
    """Safe to run concurrently and after downtime: the dedupe key makes a repeat a no-op."""
    result = JobResult()
    queued = 0
    async with db.transaction() as conn:
        for row in await conn.fetch(sql.TOUCHED, now, settings.notice_days_before_closure):
            made = await enqueue(
                conn,
                kind="calendar_ahead",
                user_id=row["user_id"],
                booking_id=row["booking_id"],
                dedupe_key=f"calendar_ahead:{row['booking_id']}:{row['what']}:{row['ref']}",
                payload=store.notice_payload(reason=row["reason"], details=_when(row)),
            )
            queued += made is not None
    result.add("queued", queued)
    return result
