"""The mail circuit breaker: during a mail outage the whole queue waits, instead of every
notice burning its retries (and writing a warning) against a server that is not there.

State lives in the one-row table `mail_circuit`, so every scheduler process agrees:
- closed: deliveries run. A batch that cannot reach the server (`mailer.MailOutage`) opens the
  circuit; the conditional update lets exactly one process win, and that one logs the start.
- open: no process claims notices. When `probe_at` comes, one process claims the probe (by
  moving `probe_at` a lease ahead) and asks the server for a NOOP. Success closes the circuit
  (logged once, with the outage's length and the backlog) and delivery resumes at once; failure
  moves `probe_at` out by the retry backoff (with jitter), up to `MAIL_RETRY_MAX_SECONDS`.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.db import Database
from service.notifications import mailer, sql
from service.notifications.rules import RetryPolicy

log = logging.getLogger("service.notifications")

#: A probe not concluded by then (its process died) is taken over by another process.
PROBE_LEASE = timedelta(seconds=2 * mailer.TIMEOUT_SECONDS)


def _jitter() -> float:
    return random.random()  # noqa: S311 - spreading retries, not secrecy


async def is_closed(db: Database) -> bool:
    return bool(await db.fetchval(sql.CIRCUIT_CLOSED))


async def trip(db: Database, now: datetime, error: str, policy: RetryPolicy) -> bool:
    """Open the circuit after a batch found the server unusable; True if this call opened it
    (and so logged the start of the outage)."""
    first_probe = now + policy.delay(1, _jitter())
    opened = await db.fetchval(sql.OPEN, now, first_probe, error[:1000])
    if opened is None:
        return False
    waiting = await db.fetchval(sql.WAITING)
    log.error(
        "mail outage started: %s; %d notices waiting; delivery paused, next probe at %s",
        error,
        waiting,
        first_probe.isoformat(timespec="seconds"),
    )
    return True


async def admit(db: Database, smtp_url: str, now: datetime, policy: RetryPolicy) -> bool:
    """Whether this run may deliver: the circuit is closed, or this process probed the server
    successfully and closed it."""
    if await is_closed(db):
        return True
    failed = await db.fetchval(sql.CLAIM_PROBE, now, PROBE_LEASE)
    if failed is None:
        return False  # not yet time, or another process is probing
    error = await mailer.probe(smtp_url)
    if error is not None:
        next_probe = now + policy.delay(int(failed) + 2, _jitter())
        await db.execute(sql.PROBE_FAILED, next_probe, error[:1000])
        return False
    closed = await db.fetchrow(sql.CLOSE, now)
    if closed is not None:
        waiting = await db.fetchval(sql.WAITING)
        lasted = (now - closed["opened_at"]).total_seconds()
        log.warning(
            "mail outage ended after %.0f s (%d failed probes); %d notices waiting are "
            "being delivered",
            lasted,
            closed["failed_probes"],
            waiting,
        )
    return True


@dataclass(frozen=True, slots=True)
class MailStatus:
    """Mail delivery as operators see it: `degraded` while the circuit is open."""

    degraded: bool
    since: datetime | None
    failed_probes: int
    last_error: str
    next_probe_at: datetime | None
    undelivered: int
    oldest_undelivered_seconds: float

    @property
    def summary(self) -> str:
        if not self.degraded or self.since is None:
            return f"ok; {self.undelivered} notices undelivered"
        return (
            f"mail server unreachable since {self.since.isoformat(timespec='seconds')} "
            f"({self.last_error}); {self.undelivered} notices waiting, the oldest for "
            f"{self.oldest_undelivered_seconds:.0f} s"
        )


async def status(db: Database, now: datetime) -> MailStatus:
    row = await db.fetchrow(sql.STATUS, now)
    assert row is not None, "mail_circuit has its one row from the migration"
    oldest = (now - row["oldest"]).total_seconds() if row["oldest"] is not None else 0.0
    return MailStatus(
        degraded=row["state"] == "open",
        since=row["opened_at"],
        failed_probes=row["failed_probes"],
        last_error=row["last_error"] if row["state"] == "open" else "",
        next_probe_at=row["probe_at"],
        undelivered=row["undelivered"],
        oldest_undelivered_seconds=max(0.0, oldest),
    )


async def degradation(db: Database, now: datetime) -> str | None:
    """The delivery job's health check: what is wrong while the circuit is open."""
    current = await status(db, now)
    return current.summary if current.degraded else None
