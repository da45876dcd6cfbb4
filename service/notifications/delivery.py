"""Deliver the outbox: claim due rows, commit the claim, send, record each verdict.

The claim (`FOR UPDATE SKIP LOCKED`, then `next_attempt_at` pushed out by a lease) is committed
before any mail leaves, so concurrent deliverers never take the same row, and a deliverer that
dies mid-batch leaves its rows to be taken again when the lease ends. A message accepted by the
server just before such a death is sent again with the same Message-ID; only the batch in
flight can be affected, because each verdict is written as soon as the server answers.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import asyncpg

from service.db import Database
from service.notifications import mailer, rules
from service.notifications.account_mail import recipient
from service.notifications.attachments import ICS_METHODS, attachment
from service.notifications.render import BookingFacts, Mail, build_message
from service.scheduler.job import JobResult
from service.scheduler.runs import worker_identity
from service.settings import Settings

log = logging.getLogger("service.notifications")

BATCH_SIZE = 50
#: One run stops after this many batches; the next tick continues.
MAX_BATCHES = 40

_CLAIM = """
WITH due AS (
    SELECT id FROM notification_outbox
    WHERE state = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE notification_outbox o
    SET next_attempt_at = $3, attempts = o.attempts + 1, claimed_by = $4
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.kind, o.payload, o.attempts, o.user_id, o.booking_id
)
SELECT c.id, c.kind, c.payload, c.attempts, u.email, u.display_name, u.language, u.is_active,
       u.reminder_lead_minutes, b.id AS b_id, b.status, b.version, b.starts_at, b.ends_at,
       i.name_zh, i.name_en,
       concat_ws(' ', nullif(i.building, ''), nullif(i.room, '')) AS location, r.timezone
FROM claimed c
JOIN app_user u ON u.id = c.user_id
LEFT JOIN booking b ON b.id = c.booking_id
LEFT JOIN instrument i ON i.id = b.instrument_id
LEFT JOIN institution s ON s.id = i.institution_id
LEFT JOIN region r ON r.code = s.region_code
ORDER BY c.id
"""

_SKIP = """
UPDATE notification_outbox o SET state = 'skipped', skip_reason = s.reason, claimed_by = ''
FROM unnest($1::bigint[], $2::text[]) AS s(id, reason) WHERE o.id = s.id
"""

_SENT = """
UPDATE notification_outbox
SET state = 'sent', sent_at = greatest($2, clock_timestamp()), message_id = $3, last_error = '',
    claimed_by = ''
WHERE id = $1 AND state = 'pending'
"""

_FAILED = """
UPDATE notification_outbox
SET state = $2, next_attempt_at = $3, last_error = $4, claimed_by = ''
WHERE id = $1 AND state = 'pending'
"""


def _skip_reason(row: asyncpg.Record, now: datetime) -> str | None:
    if not row["is_active"] and row["kind"] != "account_invitation":
        # an invitation goes to an account that is inactive until it is accepted
        return "recipient account is deactivated"
    if row["kind"] != "reminder":
        return None
    payload: dict[str, Any] = row["payload"]
    return rules.reminder_skip_reason(
        now=now,
        lead_minutes=int(payload.get("lead_minutes", 0)),
        queued_version=int(payload.get("version", 0)),
        status=row["status"],
        version=row["version"],
        starts_at=row["starts_at"],
        user_leads=list(row["reminder_lead_minutes"]),
    )


def _mail(row: asyncpg.Record) -> Mail:
    booking = None
    if row["b_id"] is not None:
        booking = BookingFacts(
            id=row["b_id"],
            status=row["status"],
            version=row["version"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            instrument_zh=row["name_zh"],
            instrument_en=row["name_en"],
            location=row["location"],
            timezone=row["timezone"],
        )
    return Mail(
        outbox_id=row["id"],
        kind=row["kind"],
        payload=row["payload"],
        email=recipient(row["payload"]) or row["email"],
        name=row["display_name"],
        language=row["language"],
        booking=booking,
    )


async def claim_batch(
    db: Database, now: datetime, batch_size: int, lease: timedelta
) -> tuple[list[tuple[Mail, int]], int]:
    """Claim up to `batch_size` due rows; returns the mails to send (with their attempt number)
    and how many rows were recorded as skipped instead."""
    async with db.transaction() as conn:
        rows = await conn.fetch(_CLAIM, now, batch_size, now + lease, worker_identity())
        skipped: list[tuple[int, str]] = []
        mails: list[tuple[Mail, int]] = []
        for row in rows:
            reason = _skip_reason(row, now)
            if reason is not None:
                skipped.append((row["id"], reason))
            else:
                mails.append((_mail(row), row["attempts"]))
        if skipped:
            await conn.execute(_SKIP, [s[0] for s in skipped], [s[1] for s in skipped])
    return mails, len(skipped)


class _Verdicts:
    """Writes each message's outcome as soon as it is known, on one connection."""

    def __init__(self, conn: asyncpg.Connection, now: datetime, batch: list[tuple[Mail, int]]):
        self.conn, self.now, self.batch = conn, now, batch
        self.result = JobResult()

    async def __call__(self, index: int, error: str | None) -> None:
        mail, attempts = self.batch[index]
        if error is None:
            await self.conn.execute(
                _SENT, mail.outbox_id, self.now, rules.message_id(mail.outbox_id)
            )
            self.result.add("sent")
            return
        state, next_at = rules.after_failure(attempts, self.now)
        await self.conn.execute(_FAILED, mail.outbox_id, state, next_at, error)
        self.result.add("dead" if state == "dead" else "failed")
        log.warning("outbox %s attempt %s failed: %s", mail.outbox_id, attempts, error)


async def _render(
    db: Database, settings: Settings, now: datetime, batch: list[tuple[Mail, int]]
) -> tuple[list[Message], list[int], list[tuple[int, str]]]:
    """The messages to send with their batch positions, and the rows that could not be built
    (a bad row must not hold up the others)."""
    messages: list[Message] = []
    positions: list[int] = []
    broken: list[tuple[int, str]] = []
    for index, (mail, _) in enumerate(batch):
        try:
            ics = await attachment(db, settings, mail)
            message = build_message(
                mail,
                sender=settings.mail_from,
                base_url=settings.base_url,
                now=now,
                ics=ics,
                ics_method=ICS_METHODS.get(mail.kind),
            )
        except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt of that row
            broken.append((index, f"rendering failed: {type(exc).__name__}: {exc}"))
            continue
        messages.append(message)
        positions.append(index)
    return messages, positions, broken


async def _send_batch(
    db: Database, settings: Settings, now: datetime, batch: list[tuple[Mail, int]]
) -> JobResult:
    messages, positions, broken = await _render(db, settings, now, batch)
    async with db.connection() as conn:
        # Verdicts are committed without waiting for the WAL flush (a flush per message would
        # cost more than the SMTP exchange). A database crash can lose the last few verdicts;
        # those rows are then sent again, with the same Message-ID, which is the documented
        # at-least-once contract. The pool's RESET ALL on release restores the setting.
        await conn.execute("SET synchronous_commit = off")
        verdict = _Verdicts(conn, now, batch)
        for index, error in broken:
            await verdict(index, error)

        async def by_position(position: int, error: str | None) -> None:
            await verdict(positions[position], error)

        await mailer.send_all(settings.smtp_url, messages, by_position)
    return verdict.result


async def deliver_outbox(
    db: Database,
    settings: Settings,
    now: datetime,
    *,
    batch_size: int = BATCH_SIZE,
    lease: timedelta = rules.LEASE,
    max_batches: int = MAX_BATCHES,
) -> JobResult:
    """Send every row due at `now`, batch by batch. Safe to run in many processes at once."""
    total = JobResult()
    for _ in range(max_batches):
        batch, skipped = await claim_batch(db, now, batch_size, lease)
        if skipped:
            total.add("skipped", skipped)
        if batch:
            for what, n in (await _send_batch(db, settings, now, batch)).counts.items():
                total.add(what, n)
        if len(batch) + skipped < batch_size:
            break
    return total
