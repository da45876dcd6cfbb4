"""The outbox as platform admins see it: counts by state, dead letters, and retrying one."""

from __future__ import annotations

from typing import Any

from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import Conflict, NotFound
from service.notifications.schemas import OutboxOverviewOut, OutboxRowOut

STATES = ("pending", "sent", "dead", "skipped")
_COLUMNS = """id, kind, user_id, booking_id, state, attempts, last_error, skip_reason, due_at,
              next_attempt_at, created_at, sent_at, message_id"""


def _row(record: Any) -> OutboxRowOut:
    return OutboxRowOut(**{key: record[key] for key in OutboxRowOut.__struct_fields__})


async def overview(db: Database, page: int, page_size: int) -> OutboxOverviewOut:
    counts = dict.fromkeys(STATES, 0)
    for record in await db.fetch(
        "SELECT state, count(*) AS n FROM notification_outbox GROUP BY state"
    ):
        counts[record["state"]] = record["n"]
    due_now = await db.fetchval(
        """SELECT count(*) FROM notification_outbox
           WHERE state = 'pending' AND next_attempt_at <= now()"""
    )
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM notification_outbox WHERE state = 'dead'
            ORDER BY id DESC LIMIT $1 OFFSET $2""",
        page_size,
        offset(page, page_size),
    )
    dead = Page(items=[_row(r) for r in rows], total=counts["dead"], page=page, page_size=page_size)
    return OutboxOverviewOut(counts=counts, due_now=due_now, dead=dead)


async def retry(db: Database, outbox_id: int) -> OutboxRowOut:
    """A dead message goes back to the queue with a fresh attempt budget."""
    record = await db.fetchrow(
        f"""UPDATE notification_outbox
            SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = ''
            WHERE id = $1 AND state = 'dead' RETURNING {_COLUMNS}""",
        outbox_id,
    )
    if record is not None:
        return _row(record)
    state = await db.fetchval("SELECT state FROM notification_outbox WHERE id = $1", outbox_id)
    if state is None:
        raise NotFound(f"There is no outbox message {outbox_id}.")
    raise Conflict(
        f"Only dead messages can be retried; message {outbox_id} is {state}.",
        extra={"state": state},
    )
