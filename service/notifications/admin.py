"""The outbox as platform admins see it: counts by state, dead letters, and putting dead
notices back in the queue, one or a filtered set at once (recorded in the audit log).

A retried notice starts a new retry horizon (`failing_since` cleared, `retried_at` set) and is
still subject to expiry: one whose booking has since changed or started is not sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.audit import store as audit
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import Conflict, NotFound, Unprocessable
from service.notifications import sql
from service.notifications.schemas import (
    OutboxOverviewOut,
    OutboxRetriedOut,
    OutboxRetryIn,
    OutboxRowOut,
)

STATES = ("pending", "sent", "dead", "skipped", "expired")


def _row(record: Any) -> OutboxRowOut:
    return OutboxRowOut(**{key: record[key] for key in OutboxRowOut.__struct_fields__})


async def overview(db: Database, page: int, page_size: int) -> OutboxOverviewOut:
    counts = dict.fromkeys(STATES, 0)
    for record in await db.fetch(sql.OUTBOX_COUNTS):
        counts[record["state"]] = record["n"]
    due_now = await db.fetchval(sql.DUE_NOW)
    rows = await db.fetch(
        sql.DEAD_PAGE,
        page_size,
        offset(page, page_size),
    )
    kinds = await db.fetch(sql.DEAD_KINDS)
    dead = Page(items=[_row(r) for r in rows], total=counts["dead"], page=page, page_size=page_size)
    return OutboxOverviewOut(
        counts=counts, due_now=due_now, dead=dead, dead_kinds=[k["kind"] for k in kinds]
    )


async def retry(db: Database, outbox_id: int) -> OutboxRowOut:
    """A dead message goes back to the queue with a fresh attempt budget."""
    record = await db.fetchrow(
        sql.RETRY_ONE,
        outbox_id,
    )
    if record is not None:
        return _row(record)
    state = await db.fetchval(sql.OUTBOX_STATE, outbox_id)
    if state is None:
        raise NotFound(f"There is no outbox message {outbox_id}.")
    raise Conflict(
        f"Only dead messages can be retried; message {outbox_id} is {state}.",
        extra={"state": state},
    )


def _check(filters: OutboxRetryIn) -> None:
    if filters.created_from and filters.created_to and filters.created_to <= filters.created_from:
        message = "created_to must be after created_from"
        raise Unprocessable(
            "The date range is empty.",
            extra={"violations": [{"rule": "created_to", "message": message}]},
        )


async def retry_matching(
    db: Database, filters: OutboxRetryIn, *, actor_user_id: int, client_address: str = ""
) -> OutboxRetriedOut:
    """Every dead notice that matches `filters` back to the queue, in one statement."""
    _check(filters)

    async def work(conn: asyncpg.Connection) -> int:
        status = await conn.execute(
            sql.RETRY_MATCHING,
            filters.kind,
            filters.created_from,
            filters.created_to,
            filters.error,
        )
        retried = int(status.rsplit(" ", 1)[-1])
        detail: dict[str, Any] = {
            "retried": retried,
            "kind": filters.kind,
            "created_from": _iso(filters.created_from),
            "created_to": _iso(filters.created_to),
            "error": filters.error,
        }
        await audit.record(
            conn,
            "outbox.retried",
            actor_user_id=actor_user_id,
            client_address=client_address,
            detail={k: v for k, v in detail.items() if v is not None},
        )
        return retried

    return OutboxRetriedOut(retried=await db.in_transaction(work))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
