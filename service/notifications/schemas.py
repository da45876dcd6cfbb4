"""Shapes of the outbox administration view."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from service.common.schemas import Page

OutboxState = Literal["pending", "sent", "dead", "skipped"]


class OutboxRowOut(msgspec.Struct):
    id: int
    kind: str
    user_id: int
    booking_id: int | None
    state: OutboxState
    attempts: int
    last_error: str
    skip_reason: str
    due_at: datetime
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    message_id: str | None


class OutboxOverviewOut(msgspec.Struct):
    #: Rows per state; every state is present, zero included.
    counts: dict[str, int]
    #: Pending rows whose next attempt is already due: a growing number means delivery is stuck.
    due_now: int
    dead: Page[OutboxRowOut]
