"""Every SQL statement of the notifications package."""

from __future__ import annotations

#: The user's bookings that maintenance cancelled, still to come, with the displacement notice.
DISPLACED_BOOKINGS = """
SELECT b.id, b.instrument_id, b.starts_at, b.ends_at, o.payload
FROM notification_outbox o JOIN booking b ON b.id = o.booking_id
WHERE o.user_id = $1 AND o.kind = 'booking_displaced' AND b.status = 'cancelled'
  AND b.starts_at > $2
ORDER BY b.starts_at LIMIT 10
"""
