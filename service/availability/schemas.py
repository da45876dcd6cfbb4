"""Request and response shapes of availability, search and calendar management."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from service.policies.schemas import HHMM, Weekday


class BusyOut(msgspec.Struct):
    start: datetime
    end: datetime
    kind: Literal["booking", "maintenance", "closed"]


class FreeOut(msgspec.Struct):
    start: datetime
    end: datetime


class AvailabilityOut(msgspec.Struct):
    instrument_id: int
    timezone: str
    window_start: datetime
    window_end: datetime
    busy: list[BusyOut]
    free: list[FreeOut]


class SlotOut(msgspec.Struct):
    start: datetime
    end: datetime


class SlotsOut(msgspec.Struct):
    instrument_id: int
    timezone: str
    duration_minutes: int
    slots: list[SlotOut]
    #: True when more starts exist than were listed; ask again from the last one.
    truncated: bool


class AvailableInstrumentOut(msgspec.Struct):
    id: int
    name_zh: str
    name_en: str
    category_code: str
    institution_id: int
    institution_name_zh: str
    institution_name_en: str
    region_code: str
    region_name_zh: str
    region_name_en: str
    #: Great-circle distance between region centres; null without a reference region.
    distance_km: float | None


class WeeklyHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    weekday: Weekday
    opens: HHMM
    closes: HHMM


class OpeningHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    #: Empty: no weekly hours, i.e. open around the clock (closures still apply).
    intervals: Annotated[list[WeeklyHoursIn], msgspec.Meta(max_length=168)]


class WeeklyHoursOut(msgspec.Struct):
    weekday: int
    opens: str
    closes: str


class OpeningHoursOut(msgspec.Struct):
    instrument_id: int
    timezone: str
    always_open: bool
    intervals: list[WeeklyHoursOut]


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True):
    """A local date closed all day (no hours) or open with special hours (both given)."""

    day: date
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    opens: HHMM | None = None
    closes: HHMM | None = None
    #: Bookings the closure would leave outside the hours: refuse (409 listing them) or
    #: cancel them and tell their users, with alternatives, as a maintenance block does.
    on_conflict: Literal["fail", "cancel"] = "fail"


class SharedCalendarIn(msgspec.Struct, forbid_unknown_fields=True):
    """The other instruments that are the same physical resource (e.g. one microscope booked
    as two configurations); an empty list gives the instrument its own calendar again."""

    shared_with: Annotated[
        list[Annotated[int, msgspec.Meta(ge=1, le=2**62)]], msgspec.Meta(max_length=20)
    ]


class SharedCalendarOut(msgspec.Struct):
    """A booking of any of these instruments blocks all of them."""

    instrument_id: int
    shared_with: list[int]
