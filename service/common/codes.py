"""The code lists of the domain, each defined once, and the sets of codes named by what they
mean. The database's CHECK constraints hold the same lists (a test compares them); labels for
people are in the message catalogues, keyed by these codes.

SQL text uses `sql_in(OCCUPYING)` rather than a literal list, so a status added here reaches
every query that means "holds time" at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

#: A booking row is a booking or a maintenance block (one table, one exclusion constraint).
BOOKING_KINDS = ("booking", "maintenance")

#: Every status a booking row can have, in lifecycle order; the type is what the API's schemas
#: accept, the tuple what code iterates.
BookingStatus = Literal[
    "held",
    "pending",
    "confirmed",
    "in_use",
    "completed",
    "cancelled",
    "rejected",
    "expired",
    "no_show",
]
BOOKING_STATUSES: tuple[BookingStatus, ...] = get_args(BookingStatus)
#: Statuses that hold the instrument's time: the exclusion constraint applies to these rows.
OCCUPYING = ("held", "pending", "confirmed", "in_use")
#: Statuses a booking may still be cancelled from by its user (before its end).
CANCELLABLE = ("held", "pending", "confirmed")
#: Statuses from which a booking may still be moved to another time.
RESCHEDULABLE = ("pending", "confirmed")
#: Statuses whose reminder is still worth sending.
REMINDABLE = ("pending", "confirmed")
#: Statuses a calendar feed shows as events (the others appear only as cancellations).
FEED_VISIBLE = ("pending", "confirmed", "in_use", "completed")
#: Final statuses: the booking did not take place (or is over without use).
ENDED_UNUSED = ("cancelled", "rejected", "expired", "no_show")
#: Ended bookings whose time was used or missed: they count against a user's daily and weekly
#: caps like bookings still to come.
USED_OR_MISSED = ("completed", "no_show")
#: Bookings a late usage entry may be recorded on: those that happened, or were marked missed.
LATE_RECORDABLE = ("confirmed", "in_use", "no_show")
#: Maintenance blocks that hold an instrument's time in the figures: planned or done.
MAINTENANCE_IN_FORCE = ("confirmed", "completed")
#: Bookings that were due to happen: their time counts as booked, and they are the
#: denominator of the no-show rate.
KEPT = ("confirmed", "in_use", "completed", "no_show")

#: How a session was served (the national registry's 服务方式); the type is what the API's
#: schemas accept, the tuple what code iterates.
ServiceWay = Literal["occupy", "technical", "entrusted", "remote"]
SERVICE_WAYS: tuple[ServiceWay, ...] = get_args(ServiceWay)
#: Whether and to whom an instrument is open.
SHARE_MODES = ("external", "internal", "none")
#: Which requests need a manager's approval.
APPROVAL_MODES = ("none", "external", "all")
#: The price list a booking is charged from, by who books.
FEE_CLASSES = ("internal", "external_academic", "enterprise")
#: The registry's instrument states (运行状态).
INSTRUMENT_STATUSES = (
    "normal",
    "standby",
    "remote",
    "occasional_fault",
    "frequent_fault",
    "awaiting_repair",
    "awaiting_scrap",
)
#: Instrument states in which nobody can book it.
UNBOOKABLE_INSTRUMENT_STATUSES = ("awaiting_repair", "awaiting_scrap")
#: Kinds of institution.
INSTITUTION_KINDS = ("university", "research_institute", "hospital", "enterprise", "other")


def sql_in(codes: Iterable[str]) -> str:
    """`('a', 'b')` for an SQL `IN`, from constant codes only (never from user input)."""
    values = list(codes)
    if not values or not all(code.replace("_", "").isalnum() for code in values):
        raise ValueError(f"not a code list: {values!r}")
    return "(" + ", ".join(f"'{code}'" for code in values) + ")"
