"""One booking with its history, as its page shows it: a booking for whoever may see it (the
rules of `read.get_booking`), a maintenance block for the instrument's managers only; 404
for everyone else. Also the booker's own occurrences of a series."""

from __future__ import annotations

from decimal import Decimal

from service.accounts.principal import Principal
from service.bookings import read, sql
from service.bookings.schemas import BookingOut, EventOut
from service.db import Database
from service.errors import NotFound


async def booking_with_history(
    db: Database, user: Principal, booking_id: int
) -> tuple[BookingOut, list[EventOut]]:
    """The booking (or maintenance block) and its events, oldest first."""
    try:
        booking = await read.get_booking(db, user, booking_id)
    except NotFound:
        return await read.managed_block(db, user, booking_id)
    return booking, await read.history(db, user, booking_id)


async def series_occurrences(
    db: Database, user_id: int, series_id: int
) -> list[tuple[str, Decimal]]:
    """Status and estimated cost of the user's occurrences of one series (none for someone
    else's)."""
    rows = await db.fetch(sql.SERIES_OCCURRENCES, series_id, user_id)
    return [(str(r["status"]), r["estimated_cost"]) for r in rows]
