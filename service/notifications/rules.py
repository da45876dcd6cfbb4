"""Pure delivery rules: retry timing, reminder relevance, message identity. No I/O; `now` is
always passed in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

#: After this many attempts a message is dead: shown to platform admins, who may retry it.
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
#: A claimed row is not offered again before the lease ends; a worker that dies mid-batch thus
#: delays its batch by at most this long, and a resend carries the same Message-ID.
LEASE = timedelta(minutes=5)
ACTIVE_STATUSES = frozenset({"pending", "confirmed"})
MESSAGE_DOMAIN = "instrument-share.org"


def message_id(outbox_id: int) -> str:
    """Stable per outbox row, so a receiver recognises a resend after a crash."""
    return f"<outbox-{outbox_id}@{MESSAGE_DOMAIN}>"


def reminder_key(booking_id: int, lead_minutes: int, version: int) -> str:
    """Unique per booking, lead time and booking version: a rescheduled booking (new version)
    gets fresh reminders, and the old ones no longer match it."""
    return f"reminder:{booking_id}:{lead_minutes}:v{version}"


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ..."""
    return min(BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_CAP)


def after_failure(attempts: int, now: datetime) -> tuple[str, datetime]:
    """The state and next attempt time of a row whose `attempts`-th try just failed."""
    if attempts >= MAX_ATTEMPTS:
        return "dead", now
    return "pending", now + backoff(attempts)


def reminder_skip_reason(
    *,
    now: datetime,
    lead_minutes: int,
    queued_version: int,
    status: str | None,
    version: int | None,
    starts_at: datetime | None,
    user_leads: Sequence[int],
) -> str | None:
    """Why a queued reminder must not be sent any more, or None if it is still relevant.

    A reminder is never sent late: once the booking has started it is only recorded as skipped.
    After an outage, a reminder whose nearer lead time has also come gives way to that one.
    """
    if status is None or starts_at is None or version is None:
        return "booking no longer exists"
    if status not in ACTIVE_STATUSES:
        return f"booking is {status}"
    if version != queued_version:
        return "booking changed since the reminder was queued"
    if starts_at <= now:
        return "booking already started"
    if lead_minutes not in user_leads:
        return "reminder lead time no longer chosen by the user"
    if any(
        lead < lead_minutes and starts_at - timedelta(minutes=lead) <= now for lead in user_leads
    ):
        return "superseded by a nearer reminder"
    return None
