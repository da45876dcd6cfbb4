"""Writing to the transactional outbox. Call it on the connection of the change itself, so a
notice exists if and only if the change committed, and describes the booking as that change
left it (`snapshot`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.outbox.sql import ENQUEUE

#: Kinds of message; the mail renderer has a template per kind.
KINDS = (
    "booking_requested",  # to the booker: request received, awaiting approval
    "approval_needed",  # to each manager of the instrument: a request to decide
    "booking_confirmed",  # to the booker: confirmed (directly or on approval); carries .ics REQUEST
    "booking_rejected",
    "booking_cancelled",  # carries .ics CANCEL
    "booking_displaced",  # cancelled by a maintenance block; payload has alternatives
    "booking_closed",  # cancelled by a closure of its day; payload has alternatives
    "booking_expired",
    "booking_rescheduled",  # carries .ics REQUEST with the new SEQUENCE
    "reminder",
    "calendar_ahead",  # maintenance or a closure on the day of a booking, some days before
    "instrument_free_early",  # to the next user: a session ended early, the time is free
    # Account mails: rendered from the payload alone (see `account_mail`).
    "password_reset",
    "affiliation_confirm",
    "affiliation_approved",
    "affiliation_rejected",
    "sso_link",
    "account_invitation",  # to a new account: choose a password; payload has link and details
    "survey_invitation",  # a survey's single-use link; the payload holds the whole mail
)


async def enqueue(
    conn: asyncpg.Connection,
    *,
    kind: str,
    user_id: int,
    dedupe_key: str,
    booking_id: int | None = None,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> int | None:
    """Queue one message; a second call with the same `dedupe_key` is a no-op (returns None).

    `dedupe_key` must identify the event, e.g. `f"booking_confirmed:{booking_id}:v{version}"`.
    `payload` holds what the mail needs beyond the booking (a reason, alternatives); notices
    about no booking must carry everything they need in it, as the mail is rendered from the
    row alone.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return await conn.fetchval(  # type: ignore[no-any-return]
        ENQUEUE, dedupe_key, kind, user_id, booking_id, payload or {}, due_at
    )
