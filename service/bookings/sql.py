"""Every SQL statement of the booking package, and the fragments its dynamic queries are
assembled from (the booking columns, the zone join, the calendar an instrument shares)."""

from __future__ import annotations

from service.availability.sql import SAME_CALENDAR, same_calendar
from service.common.codes import OCCUPYING, sql_in

__all__ = ["SAME_CALENDAR", "same_calendar"]

#: The statuses that hold time on a calendar, as SQL.
OCCUPYING_SQL = sql_in(OCCUPYING)

COLUMNS = """b.id, b.kind, b.instrument_id, b.user_id, b.status, b.starts_at, b.ends_at,
    b.occupied_until, b.purpose, b.service_way, b.series_id, b.booker_institution_id,
    b.booker_region_code, b.is_external, b.is_cross_region, b.fee_class, b.fee_per_hour,
    b.estimated_cost, b.approval_deadline, b.late_cancellation, b.version, b.created_at,
    b.updated_at, b.booked_by"""

# --- closures (a closure may displace bookings, hence here) ---

CLOSURES = (
    "SELECT * FROM calendar_exception WHERE instrument_id = $1 "
    "AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3) "
    "ORDER BY day, id LIMIT 1000"
)

#: Active bookings touching a local day, locked: those a closure of that day may displace.
BOOKINGS_ON_DAY_FOR_UPDATE = f"""SELECT {COLUMNS} FROM booking b
            WHERE b.instrument_id = $1 AND b.kind = 'booking' AND b.status IN {OCCUPYING_SQL}
              AND b.starts_at < $3 AND b.ends_at > $2
            ORDER BY b.starts_at FOR UPDATE OF b"""

WEEKLY_HOURS = "SELECT weekday, opens, closes FROM opening_hours WHERE instrument_id = $1"

EXCEPTIONS_BETWEEN = (
    "SELECT day, opens, closes, reason FROM calendar_exception "
    "WHERE instrument_id = $1 AND day BETWEEN $2 AND $3 ORDER BY id"
)

CLOSURE_ON_DAY = "SELECT id FROM calendar_exception WHERE instrument_id = $1 AND day = $2"

INSERT_CLOSURE = (
    "INSERT INTO calendar_exception (instrument_id, day, opens, closes, reason) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING *"
)

DELETE_CLOSURE = "DELETE FROM calendar_exception WHERE id = $1 AND instrument_id = $2 RETURNING id"
