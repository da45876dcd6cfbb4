"""Shapes of usage corrections and their history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from service.bookings.schemas import Id
from service.common.codes import ServiceWay
from service.common.time import AwareDatetime

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class UsageCorrectionIn(msgspec.Struct, forbid_unknown_fields=True):
    """The fields to change (others stay) and why. Who used it (`user_id`, or
    `user_institution_id` for an institution without a registered user) can be changed only on
    a session without a booking: a booked session's user is the booking's."""

    reason: Reason
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    service_way: ServiceWay | None = None
    samples: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    amount: Decimal | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    user_id: Id | None = None
    user_institution_id: Id | None = None


class UsageDeletionIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class UsageRevisionOut(msgspec.Struct):
    """One correction or deletion: the session's values before and after (null after a
    deletion), who did it, when and why. `trimmed` rows come from cleaning overlaps."""

    id: int
    session_id: int
    instrument_id: int
    action: Literal["corrected", "deleted", "trimmed"]
    actor_user_id: int | None
    at: datetime
    reason: str
    before: dict[str, Any]
    after: dict[str, Any] | None
