"""Request and response shapes of the booking API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from service.common.codes import BookingStatus, ServiceWay
from service.common.time import AwareDatetime

Status = BookingStatus
Purpose = Annotated[str, msgspec.Meta(max_length=2000)]
Reason = Annotated[str, msgspec.Meta(max_length=1000)]
RequiredReason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]


class RecurrenceIn(msgspec.Struct, forbid_unknown_fields=True):
    rrule: Annotated[
        str,
        msgspec.Meta(min_length=8, max_length=500, examples=["FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"]),
    ]
    mode: Literal["all_or_nothing", "skip_conflicts"] = "all_or_nothing"


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    instrument_id: Id
    start: AwareDatetime
    end: AwareDatetime
    purpose: Purpose = ""
    service_way: ServiceWay = "occupy"
    recurrence: RecurrenceIn | None = None
    #: A manager of the instrument books for this user: the booking is the user's (their fee
    #: class, their limits, their calendar feed and notices) and confirmed at once; who made it
    #: is kept in `booked_by`. With `recurrence`, the whole series is the user's.
    on_behalf_of: Id | None = None
    #: A manager of the instrument books outside the policy: the duration, notice, horizon,
    #: opening hours and per-user limits are not enforced, and the reason and the rules set
    #: aside go into the history. Overlaps, maintenance and buffers are never overridden.
    #: With `recurrence`, it applies to every occurrence.
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None


class BookingPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    purpose: Purpose | None = None
    service_way: ServiceWay | None = None


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""
    scope: Literal["one", "following", "all"] = "one"


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: RequiredReason


class BookingOut(msgspec.Struct):
    id: int
    kind: str
    instrument_id: int
    user_id: int
    status: str
    start: datetime
    end: datetime
    occupied_until: datetime
    purpose: str
    service_way: str
    series_id: int | None
    booker_institution_id: int
    booker_region_code: str
    is_external: bool
    is_cross_region: bool
    fee_class: str
    fee_per_hour: Decimal
    estimated_cost: Decimal
    approval_deadline: datetime | None
    late_cancellation: bool
    version: int
    created_at: datetime
    updated_at: datetime
    #: The manager who booked on the user's behalf; null when the user booked it.
    booked_by: int | None = None


class SkippedOut(msgspec.Struct):
    start: datetime
    end: datetime
    reasons: list[dict[str, Any]]


class SeriesOut(msgspec.Struct):
    series_id: int
    booked: list[BookingOut]
    skipped: list[SkippedOut]


class RuleViolationOut(msgspec.Struct):
    """One broken rule of a refused booking."""

    rule: str
    message: str
    #: For a series: the local dates (instrument's zone) of the occurrences that break this
    #: rule, each rule listed once.
    occurrences: list[date] = []


class BookingRefusal(msgspec.Struct):
    """422 of a booking: problem details with the broken rules (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    violations: list[RuleViolationOut] = []
    #: For an all-or-nothing series: every occurrence that could not be booked, with its reasons.
    skipped: list[SkippedOut] = []


class CancelledOut(BookingOut):
    """The cancelled booking; for a series scope, the other occurrences cancelled with it."""

    also_cancelled: list[int] = []


class EventOut(msgspec.Struct):
    id: int
    at: datetime
    actor_user_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    data: dict[str, Any]


class ApprovalOut(msgspec.Struct):
    booking: BookingOut
    instrument_name_zh: str
    instrument_name_en: str
    requester_name: str
    requester_email: str
    #: The contact telephone the requester gave in their account ("" when none).
    requester_phone: str
    requester_institution_id: int
    requester_institution_zh: str
    requester_institution_en: str
    requester_region_code: str
    requester_region_zh: str
    requester_region_en: str


class BlockIn(msgspec.Struct, forbid_unknown_fields=True):
    start: AwareDatetime
    end: AwareDatetime
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    on_conflict: Literal["fail", "cancel"] = "fail"


class BlockPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """Move or resize a block (omitted fields stay); bookings the new time would overlap are
    refused or cancelled as for a new block."""

    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None
    on_conflict: Literal["fail", "cancel"] = "fail"


class BlockRepeatIn(msgspec.Struct, forbid_unknown_fields=True):
    """How a block repeats: every day, every week, or Monday to Friday; `count` occurrences
    or up to and including the local date `until` (one of them). The local wall-clock times
    of the first occurrence are kept on every date, across DST changes."""

    every: Literal["daily", "weekly", "weekdays"]
    count: Annotated[int, msgspec.Meta(ge=1, le=52)] | None = None
    until: date | None = None


class BlockSeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    """The first occurrence (`start`, `end`) and how it repeats."""

    start: AwareDatetime
    end: AwareDatetime
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    repeat: BlockRepeatIn
    on_conflict: Literal["fail", "cancel"] = "fail"


class DisplacedOut(msgspec.Struct):
    id: int
    start: datetime
    end: datetime
    status: str
    user_id: int


class BlockOut(msgspec.Struct):
    id: int
    instrument_id: int
    start: datetime
    end: datetime
    reason: str
    status: str
    created_at: datetime
    #: Send it back as `If-Match: "<id>-<version>"` to move or resize the block.
    version: int
    series_id: int | None = None
    displaced: list[DisplacedOut] = []


class BlockSeriesOut(msgspec.Struct):
    series_id: int
    blocks: list[BlockOut]
    #: Bookings cancelled by any occurrence (`on_conflict=cancel`).
    displaced: list[DisplacedOut]


class ClosureOut(msgspec.Struct):
    id: int
    instrument_id: int
    day: date
    closed_all_day: bool
    opens: str | None
    closes: str | None
    reason: str
    #: Bookings cancelled because the closure left them outside the hours.
    displaced: list[DisplacedOut] = []


class BlockPreviewOut(msgspec.Struct):
    displaced: list[DisplacedOut]


class UsageIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who used the instrument: the booking's user (`booking_id`), a registered user
    (`user_id` or `user_email`), an institution without a registered user
    (`user_institution_id`, e.g. a company that sent samples), or else the owning group itself. `service_way` defaults to the booking's,
    or `occupy` without one."""

    start: AwareDatetime
    end: AwareDatetime
    service_way: ServiceWay | None = None
    samples: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    booking_id: Id | None = None
    user_id: Id | None = None
    user_email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    user_institution_id: Id | None = None
    #: Non-negative, at most 10 digits before the point (the database refuses others with 422).
    amount: Decimal = Decimal("0")
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class CheckOutIn(msgspec.Struct, forbid_unknown_fields=True):
    samples: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    #: The fee charged (yuan, not negative: the database refuses others with 422); omitted,
    #: the session keeps no fee.
    amount: Decimal | None = None
    #: How the instrument was actually served; omitted, the booking's service way.
    service_way: ServiceWay | None = None


class UsageOut(msgspec.Struct):
    id: int
    instrument_id: int
    booking_id: int | None
    user_id: int | None
    user_institution_id: int
    user_region_code: str
    is_external: bool
    is_cross_region: bool
    #: The user's membership was verified when the session was recorded: unverified use is
    #: neither internal nor external in the sharing rate (it has a line of its own).
    affiliation_verified: bool
    start: datetime
    end: datetime | None
    service_way: str
    samples: int
    amount: Decimal
    note: str
    recorded_by: int | None
