"""One booking with its history, as its page shows it: a booking for whoever may see it (the
rules of `queries.get_booking`), a maintenance block for the instrument's managers only; 404
for everyone else. Also the booker's own occurrences of a series."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.accounts.principal import Principal
from service.bookings import queries, store
from service.bookings.schemas import BookingOut, EventOut
from service.db import Database
from service.errors import NotFound

MAINTENANCE_BLOCK = f"""SELECT {store.COLUMNS}, n.institution_id AS instrument_institution_id
FROM booking b JOIN instrument n ON n.id = b.instrument_id
WHERE b.id = $1 AND b.kind = 'maintenance'"""
BLOCK_EVENTS = """SELECT id, at, actor_user_id, action, from_status, to_status, reason, data
FROM booking_event WHERE booking_id = $1 ORDER BY at, id"""
SERIES_OCCURRENCES = """SELECT status, estimated_cost FROM booking
WHERE series_id = $1 AND user_id = $2 ORDER BY starts_at"""


async def _managed_block(
    db: Database, user: Principal, booking_id: int
) -> tuple[BookingOut, list[EventOut]]:
    """A maintenance block, for the instrument's managers; 404 for everyone else."""
    row: Any = await db.fetchrow(MAINTENANCE_BLOCK, booking_id)
    if row is None or not user.can_manage_instrument(
        row["instrument_id"], row["instrument_institution_id"]
    ):
        raise NotFound(f"Booking {booking_id} does not exist.")
    events = await db.fetch(BLOCK_EVENTS, booking_id)
    return store.booking_out(row), [EventOut(**dict(e)) for e in events]


async def booking_with_history(
    db: Database, user: Principal, booking_id: int
) -> tuple[BookingOut, list[EventOut]]:
    """The booking (or maintenance block) and its events, oldest first."""
    try:
        booking = await queries.get_booking(db, user, booking_id)
    except NotFound:
        return await _managed_block(db, user, booking_id)
    return booking, await queries.history(db, user, booking_id)


async def series_occurrences(
    db: Database, user_id: int, series_id: int
) -> list[tuple[str, Decimal]]:
    """Status and estimated cost of the user's occurrences of one series (none for someone
    else's)."""
    rows = await db.fetch(SERIES_OCCURRENCES, series_id, user_id)
    return [(str(r["status"]), r["estimated_cost"]) for r in rows]
