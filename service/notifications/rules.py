"""Pure delivery rules: retry timing, relevance, message identity. No I/O; `now` (and the
random jitter) are always passed in.

A notice is tried until it is delivered, for as long as `RetryPolicy.horizon` after its first
failure (48 h by default: mail servers are down for longer than minutes), with exponential
backoff and jitter between tries. Only then is it dead (shown to platform admins, who may
retry it). A notice that stops making sense meanwhile expires instead, saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from service.common.codes import REMINDABLE

#: A claimed row is not offered again before the lease ends; a worker that dies mid-batch thus
#: delays its batch by at most this long, and a resend carries the same Message-ID.
LEASE = timedelta(minutes=5)
MESSAGE_DOMAIN = "instrument-share.org"

ExpiryReason = Literal["booking_started", "booking_changed", "booking_gone"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`base` is the first delay, doubled after each failure up to `cap`; `horizon` is how
    long after the first failure a notice is still tried."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    horizon: timedelta = timedelta(hours=48)

    def delay(self, failures: int, jitter: float) -> timedelta:
        """The wait after the `failures`-th consecutive failure: base · 2^(failures-1), capped,
        then scaled into its upper half by `jitter` ∈ [0, 1) so that retries spread out."""
        exponent = min(max(failures - 1, 0), 30)
        full = min(self.base * (1 << exponent), self.cap)
        return full * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))


def message_id(outbox_id: int) -> str:
    """Stable per outbox row, so a receiver recognises a resend after a crash."""
    return f"<outbox-{outbox_id}@{MESSAGE_DOMAIN}>"


def reminder_key(booking_id: int, lead_minutes: int, version: int) -> str:
    """Unique per booking, lead time and booking version: a rescheduled booking (new version)
    gets fresh reminders, and the old ones no longer match it."""
    return f"reminder:{booking_id}:{lead_minutes}:v{version}"


def after_failure(
    failures: int,
    now: datetime,
    failing_since: datetime | None,
    policy: RetryPolicy,
    *,
    jitter: float,
) -> tuple[str, datetime]:
    """The state and next attempt time of a row whose `failures`-th try just failed. The last
    try falls on the horizon itself; a failure at or after it is final."""
    deadline = (failing_since or now) + policy.horizon
    if now >= deadline:
        return "dead", now
    return "pending", min(now + policy.delay(failures, jitter), deadline)


def expiry_reason(
    *,
    kind: str,
    now: datetime,
    written_version: int | None,
    live_version: int | None,
    live_starts_at: datetime | None,
) -> ExpiryReason | None:
    """Why a booking notice no longer makes sense, or None. `written_version` is the booking's
    version the notice was written for (None: not about a booking); the live values are the
    booking as it is now (None: it is gone). A notice about a booking that has changed again
    since gives way to the notices of the later change; a reminder is never sent late."""
    if written_version is None:
        return None
    if live_version is None:
        return "booking_gone"
    if live_version != written_version:
        return "booking_changed"
    if kind == "reminder" and live_starts_at is not None and live_starts_at <= now:
        return "booking_started"
    return None


def reminder_skip_reason(
    *,
    now: datetime,
    lead_minutes: int,
    status: str,
    starts_at: datetime,
    user_leads: Sequence[int],
) -> str | None:
    """Why a reminder for an unchanged, not yet started booking is not wanted, or None.

    After an outage, a reminder whose nearer lead time has also come gives way to that one.
    """
    if status not in REMINDABLE:
        return f"booking is {status}"
    if lead_minutes not in user_leads:
        return "reminder lead time no longer chosen by the user"
    if any(
        lead < lead_minutes and starts_at - timedelta(minutes=lead) <= now for lead in user_leads
    ):
        return "superseded by a nearer reminder"
    return None
