"""Deliver the outbox: claim due rows (`claim`), commit the claim, send, record each verdict.

A deliverer that dies mid-batch leaves its rows to be taken again when the claim's lease ends.
A message accepted by the server just before such a death is sent again with the same
Message-ID; only the batch in flight can be affected, because each verdict is written as soon
as the server answers.

Order of a run: the circuit breaker first (`circuit.admit`: during a mail outage nothing is
claimed); then per batch, the claim settles the rows that must not go out (expired: no longer
true to the booking; skipped: not wanted), renders the rest from their snapshots, and sends
them. A refused message backs off alone (`rules.after_failure`); a server that cannot be used
releases the unsent rows untouched and opens the circuit.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from email.message import Message

import asyncpg

from service.common.jobs import JobResult
from service.db import Database
from service.notifications import circuit, mailer, rules, sql
from service.notifications.attachments import ICS_METHODS, attachment
from service.notifications.claim import Claimed, claim_batch
from service.notifications.render import build_message
from service.settings import Settings

log = logging.getLogger("service.notifications")

BATCH_SIZE = 50
#: One run stops after this many batches; the next tick continues.
MAX_BATCHES = 40


def retry_policy(settings: Settings) -> rules.RetryPolicy:
    return rules.RetryPolicy(
        base=timedelta(seconds=settings.mail_retry_base_seconds),
        cap=timedelta(seconds=settings.mail_retry_max_seconds),
        horizon=timedelta(seconds=settings.mail_retry_horizon_seconds),
    )


class _Verdicts:
    """Writes each message's outcome as soon as it is known, on one connection."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        batch: list[Claimed],
        policy: rules.RetryPolicy,
    ) -> None:
        self.conn, self.now, self.batch, self.policy = conn, now, batch, policy
        self.result = JobResult()

    async def __call__(self, index: int, error: str | None) -> None:
        mail, attempts, failing_since = self.batch[index]
        if error is None:
            await self.conn.execute(
                sql.SENT, mail.outbox_id, self.now, rules.message_id(mail.outbox_id)
            )
            self.result.add("sent")
            return
        jitter = random.random()  # noqa: S311 - spreading retries, not secrecy
        state, next_at = rules.after_failure(
            attempts, self.now, failing_since, self.policy, jitter=jitter
        )
        await self.conn.execute(sql.FAILED, mail.outbox_id, state, next_at, error, self.now)
        self.result.add("dead" if state == "dead" else "failed")
        if state == "dead":
            log.error("outbox %s is dead after %s attempts: %s", mail.outbox_id, attempts, error)
        else:
            log.warning("outbox %s attempt %s refused: %s", mail.outbox_id, attempts, error)


def _render(
    settings: Settings, now: datetime, batch: list[Claimed]
) -> tuple[list[Message], list[int], list[tuple[int, str]]]:
    """The messages to send with their batch positions, and the rows that could not be built
    (a bad row must not hold up the others)."""
    messages: list[Message] = []
    positions: list[int] = []
    broken: list[tuple[int, str]] = []
    for index, (mail, _, _) in enumerate(batch):
        try:
            message = build_message(
                mail,
                sender=settings.mail_from,
                base_url=settings.base_url,
                now=now,
                ics=attachment(mail, settings.base_url),
                ics_method=ICS_METHODS.get(mail.kind),
            )
        except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt of that row
            broken.append((index, f"rendering failed: {type(exc).__name__}: {exc}"))
            continue
        messages.append(message)
        positions.append(index)
    return messages, positions, broken


async def _send_batch(
    db: Database, settings: Settings, now: datetime, batch: list[Claimed]
) -> tuple[JobResult, str | None]:
    """The batch's verdicts, and the error if the server could not be used at all."""
    messages, positions, broken = _render(settings, now, batch)
    async with db.connection() as conn:
        verdict = _Verdicts(conn, now, batch, retry_policy(settings))
        for index, error in broken:
            await verdict(index, error)

        async def by_position(position: int, error: str | None) -> None:
            await verdict(positions[position], error)

        try:
            await mailer.send_all(settings.smtp_url, messages, by_position)
        except mailer.MailOutage as outage:
            unsent = [batch[p][0].outbox_id for p in positions[outage.done :]]
            await conn.execute(sql.RELEASE, unsent, now, f"mail outage: {outage.error}"[:1000])
            verdict.result.add("held", len(unsent))
            return verdict.result, outage.error
    return verdict.result, None


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
    policy = retry_policy(settings)
    if not await circuit.admit(db, settings.smtp_url, now, policy):
        total.add("held", int(await db.fetchval(sql.DUE, now)))
        return total
    for _ in range(max_batches):
        batch, settled = await claim_batch(db, now, batch_size, lease)
        total.merge(settled)
        outage = None
        if batch:
            result, outage = await _send_batch(db, settings, now, batch)
            total.merge(result)
        if outage is not None:
            await circuit.trip(db, now, outage, policy)
            break
        if len(batch) + sum(settled.counts.values()) < batch_size:
            break
    return total
