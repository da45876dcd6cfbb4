"""Booking policies: the effective values the booking rules read (`Policy`), and the shapes
owners send and receive when they edit one."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from service.common.codes import SERVICE_WAYS, ServiceWay

#: "HH:MM" local wall-clock time; "24:00" (closing only) is the following midnight.
HHMM = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        description='local time "HH:MM"; "24:00" = midnight at the end of the day',
        examples=["09:00", "17:30"],
    ),
]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7, description="ISO weekday, 1 = Monday")]
Approval = Literal["none", "external", "all"]
RelaxedRule = Literal["max_duration", "horizon", "daily_limit", "weekly_limit"]


class Policy(msgspec.Struct, frozen=True):
    min_minutes: int = 30
    max_minutes: int = 480
    granularity_minutes: int = 30
    min_notice_minutes: int = 60
    horizon_days: int = 90
    buffer_minutes: int = 0
    approval: str = "external"
    approval_deadline_hours: int = 48
    max_hours_per_day: Decimal | None = None
    max_hours_per_week: Decimal | None = None
    max_future_bookings: int | None = None
    max_bookings_per_day: int | None = None
    max_future_hours: Decimal | None = None
    #: Same person's bookings must be this far apart (others may book in between).
    min_gap_minutes: int = 0
    #: An unused booking becomes a no-show this long after its start.
    no_show_grace_minutes: int = 30
    late_cancel_hours: int = 24
    #: Check-in opens this many minutes before the booked start.
    check_in_lead_minutes: int = 30
    service_ways: tuple[str, ...] = SERVICE_WAYS
    #: Weekly local windows (ISO weekday, "HH:MM", "HH:MM" with "24:00" = midnight after)
    #: in which `relaxed_rules` do not apply.
    relaxed_windows: tuple[tuple[int, str, str], ...] = ()
    relaxed_rules: tuple[str, ...] = ()
    fee_internal: Decimal = Decimal("0")
    fee_external_academic: Decimal = Decimal("0")
    fee_enterprise: Decimal = Decimal("0")
    #: "instrument", "institution" or "default": where the values came from.
    source: str = "default"


#: The stored columns of a policy, in one order for reads and writes.
POLICY_FIELDS = tuple(f for f in Policy.__struct_fields__ if f != "source")


class RelaxedWindow(msgspec.Struct, forbid_unknown_fields=True):
    """A weekly wall-clock window in the instrument's zone, e.g. Saturday 00:00–24:00."""

    weekday: Weekday
    start: HHMM
    end: HHMM


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A complete policy (PUT replaces it); omitted fields take the built-in defaults."""

    min_minutes: Annotated[int, msgspec.Meta(ge=1, le=10080)] = 30
    max_minutes: Annotated[int, msgspec.Meta(ge=1, le=10080)] = 480
    granularity_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] = 30
    min_notice_minutes: Annotated[int, msgspec.Meta(ge=0, le=525600)] = 60
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=730)] = 90
    buffer_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 0
    approval: Approval = "external"
    approval_deadline_hours: Annotated[int, msgspec.Meta(ge=1, le=720)] = 48
    max_hours_per_day: Decimal | None = None
    max_hours_per_week: Decimal | None = None
    max_future_bookings: Annotated[int, msgspec.Meta(ge=1, le=10000)] | None = None
    #: How many bookings one person may have on one local day (null: no limit).
    max_bookings_per_day: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    #: How many hours of future bookings one person may hold (null: no limit).
    max_future_hours: Decimal | None = None
    #: Minimum time between two bookings of the same person; unlike the buffer it does not
    #: keep anyone else out.
    min_gap_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 0
    #: How long after the start a booking nobody checked in to becomes a no-show, and before
    #: which a manager cannot mark it so.
    no_show_grace_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 30
    late_cancel_hours: Annotated[int, msgspec.Meta(ge=0, le=8760)] = 24
    #: How many minutes before the start check-in opens (until the end).
    check_in_lead_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 30
    service_ways: Annotated[list[ServiceWay], msgspec.Meta(min_length=1, max_length=4)] = (
        msgspec.field(default_factory=lambda: list(SERVICE_WAYS))
    )
    fee_internal: Decimal = Decimal("0")
    fee_external_academic: Decimal = Decimal("0")
    fee_enterprise: Decimal = Decimal("0")
    #: Hours when `relaxed_rules` do not apply (nights, weekends of self-service instruments):
    #: a booking wholly inside them is not held to a relaxed `max_duration` or `horizon`, and
    #: time inside them does not count against a relaxed `daily_limit` or `weekly_limit`.
    #: Every other rule (opening hours, notice, grid, overlaps, the other limits) still applies.
    relaxed_windows: Annotated[list[RelaxedWindow], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    relaxed_rules: Annotated[list[RelaxedRule], msgspec.Meta(max_length=4)] = msgspec.field(
        default_factory=list
    )


class PolicyOut(msgspec.Struct):
    min_minutes: int
    max_minutes: int
    granularity_minutes: int
    min_notice_minutes: int
    horizon_days: int
    buffer_minutes: int
    approval: str
    approval_deadline_hours: int
    max_hours_per_day: Decimal | None
    max_hours_per_week: Decimal | None
    max_future_bookings: int | None
    max_bookings_per_day: int | None
    max_future_hours: Decimal | None
    min_gap_minutes: int
    no_show_grace_minutes: int
    late_cancel_hours: int
    check_in_lead_minutes: int
    service_ways: list[str]
    fee_internal: Decimal
    fee_external_academic: Decimal
    fee_enterprise: Decimal
    relaxed_windows: list[RelaxedWindow]
    relaxed_rules: list[str]
    #: "instrument", "institution" or "default": where the effective values come from.
    source: str

    @classmethod
    def of(cls, policy: Policy) -> PolicyOut:
        values = msgspec.structs.asdict(policy)
        values["service_ways"] = list(policy.service_ways)
        values["relaxed_windows"] = [RelaxedWindow(*w) for w in policy.relaxed_windows]
        values["relaxed_rules"] = list(policy.relaxed_rules)
        return cls(**values)
