"""Which bookings a feed shows: who sees which variant, and the pure window arithmetic (the
SQL of the rows and of the validator is in `sql.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from service.calendars.render import Variant
from service.calendars.schemas import StoredScope

DEFAULT_PAST_DAYS = 30
DEFAULT_FUTURE_DAYS = 365
MAX_PAST_DAYS = 366
MAX_FUTURE_DAYS = 730
#: Ended bookings stay in feeds as STATUS:CANCELLED this long, so clients see the change.
CANCELLED_VISIBLE = timedelta(days=7)

#: Who sees what: the owner of a user feed sees purposes (their own), managers see bookers.
SCOPE_VARIANT: dict[StoredScope, Variant] = {
    "user": "user",
    "instrument": "manager",
    "institution": "manager",
    "instrument_public": "public",
}


def feed_window(now: datetime, past_days: int, future_days: int) -> tuple[datetime, datetime]:
    """Whole UTC days, so the window (and so the ETag) moves once a day, not every request."""
    today = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return today - timedelta(days=past_days), today + timedelta(days=future_days + 1)


def cancelled_cutoff(now: datetime) -> datetime:
    return now - CANCELLED_VISIBLE
