"""Shapes of the outbox administration view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from service.common.schemas import Page

OutboxState = Literal["pending", "sent", "dead", "skipped", "expired"]
ExpiredReason = Literal["booking_started", "booking_changed", "booking_gone"]


class OutboxRowOut(msgspec.Struct):
    id: int
    kind: str
    user_id: int
    booking_id: int | None
    state: OutboxState
    attempts: int
    last_error: str
    #: Why a skipped or expired row was not sent, in words.
    skip_reason: str
    #: Why an expired row no longer made sense: its booking started, changed again, or is gone.
    expired_reason: ExpiredReason | None
    due_at: datetime
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    message_id: str | None
    #: When delivery first failed (the retry horizon counts from here).
    failing_since: datetime | None
    #: When an administrator last put the row back in the queue.
    retried_at: datetime | None


class OutboxOverviewOut(msgspec.Struct):
    #: Rows per state; every state is present, zero included.
    counts: dict[str, int]
    #: Pending rows whose next attempt is already due: a growing number means delivery is stuck.
    due_now: int
    dead: Page[OutboxRowOut]
    #: The kinds among the dead rows, for filtering.
    dead_kinds: list[str] = msgspec.field(default_factory=list)


Aware = Annotated[datetime, msgspec.Meta(tz=True)]


class OutboxRetryIn(msgspec.Struct, forbid_unknown_fields=True):
    """Which dead notices to retry; every filter given must match, none means all of them."""

    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    #: Created at or after this instant.
    created_from: Aware | None = None
    #: Created before this instant.
    created_to: Aware | None = None
    #: Text the last error contains (case-insensitive), e.g. "550" or "timed out".
    error: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None


class OutboxRetriedOut(msgspec.Struct):
    #: How many dead notices went back to the queue.
    retried: int
