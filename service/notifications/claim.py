"""Claiming due outbox rows, and settling those that must not be sent.

The claim (`FOR UPDATE SKIP LOCKED`, then `next_attempt_at` pushed out by a lease) is committed
before any mail leaves, so concurrent deliverers never take the same row. In the same
transaction each claimed row is judged against the live booking: expired when its booking has
changed again or (a reminder) started (`rules.expiry_reason`), skipped when it is not wanted any
more; the rest are returned, with their mails built from their snapshots.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.common.jobs import JobResult, worker_identity
from service.db import Database
from service.notifications import rules, sql
from service.notifications.account_mail import recipient
from service.notifications.render import Mail
from service.notifications.snapshot import booking_snapshot

log = logging.getLogger("service.notifications")


def _expired_text(row: asyncpg.Record, reason: rules.ExpiryReason) -> str:
    if reason == "booking_changed":
        return f"the booking changed again (now version {row['version']}, {row['status']})"
    if reason == "booking_started":
        return "the booking had already started"
    return "the booking no longer exists"


def _settlement(row: asyncpg.Record, now: datetime) -> tuple[str, str | None, str] | None:
    """(state, expired_reason, text) for a row that must not be sent, else None."""
    if not row["is_active"] and row["kind"] != "account_invitation":
        # an invitation goes to an account that is inactive until it is accepted
        return "skipped", None, "recipient account is deactivated"
    payload: dict[str, Any] = row["payload"]
    written = booking_snapshot(payload)
    expired = rules.expiry_reason(
        kind=row["kind"],
        now=now,
        written_version=written.version if written is not None else None,
        live_version=row["version"],
        live_starts_at=row["starts_at"],
    )
    if expired is not None:
        return "expired", expired, _expired_text(row, expired)
    if row["kind"] != "reminder" or written is None:
        return None
    skip = rules.reminder_skip_reason(
        now=now,
        lead_minutes=int(payload.get("lead_minutes", 0)),
        status=row["status"],
        starts_at=row["starts_at"],
        user_leads=list(row["reminder_lead_minutes"]),
    )
    return ("skipped", None, skip) if skip is not None else None


def _mail(row: asyncpg.Record) -> Mail:
    payload: dict[str, Any] = row["payload"]
    return Mail(
        outbox_id=row["id"],
        kind=row["kind"],
        payload=payload,
        email=recipient(payload) or row["email"],
        name=row["display_name"],
        language=row["language"],
        booking=booking_snapshot(payload),
    )


#: A claimed row to send: the mail, its attempt number, when it started failing.
Claimed = tuple[Mail, int, datetime | None]


async def claim_batch(
    db: Database, now: datetime, batch_size: int, lease: timedelta
) -> tuple[list[Claimed], JobResult]:
    """Claim up to `batch_size` due rows; returns the mails to send and the counts of rows
    settled as expired or skipped instead."""
    settled = JobResult()
    async with db.transaction() as conn:
        rows = await conn.fetch(sql.CLAIM, now, batch_size, now + lease, worker_identity())
        decided: list[tuple[int, str, str | None, str]] = []
        batch: list[Claimed] = []
        for row in rows:
            try:
                verdict = _settlement(row, now)
                if verdict is None:
                    batch.append((_mail(row), row["attempts"], row["failing_since"]))
            except (KeyError, ValueError, TypeError) as exc:
                verdict = ("dead", None, f"malformed notice: {type(exc).__name__}: {exc}"[:1000])
                log.error("outbox %s is dead: %s", row["id"], verdict[2])
            if verdict is not None:
                decided.append((row["id"], *verdict))
                settled.add(verdict[0])
        if decided:
            await conn.execute(
                sql.SETTLE_CLAIMED, *(list(column) for column in zip(*decided, strict=True))
            )
    return batch, settled
