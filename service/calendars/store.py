"""Calendar statements assembled from other packages' fragments (the booking calendar that
several instruments share)."""

from __future__ import annotations

from service.bookings.store import same_calendar
from service.common.codes import OCCUPYING, sql_in

#: Occupying bookings and blocks on the instrument's calendar overlapping [$2, $3).
ACTIVE_IN_RANGE = f"""
SELECT id, kind, starts_at, occupied_until FROM booking
WHERE {same_calendar("")}
  AND tstzrange(starts_at, occupied_until, '[)') && tstzrange($2, $3, '[)')
  AND status IN {sql_in(OCCUPYING)}
ORDER BY starts_at
"""
