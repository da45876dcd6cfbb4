"""Which bookings a feed shows, as SQL, plus the pure window arithmetic.

One WHERE clause per scope is shared by the row query and the validator query, so the ETag
is computed over exactly the rows the feed would contain.
Parameters everywhere: $1 target id, $2 window start, $3 window end, $4 cancelled cutoff.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal

from service.calendars.render import Variant
from service.common.codes import FEED_VISIBLE, sql_in

StoredScope = Literal["user", "instrument", "institution", "instrument_public"]

DEFAULT_PAST_DAYS = 30
DEFAULT_FUTURE_DAYS = 365
MAX_PAST_DAYS = 366
MAX_FUTURE_DAYS = 730
#: Ended bookings stay in feeds as STATUS:CANCELLED this long, so clients see the change.
CANCELLED_VISIBLE = timedelta(days=7)

_ACTIVE = sql_in(FEED_VISIBLE)

_SCOPE_WHERE: dict[StoredScope, str] = {
    "user": "b.user_id = $1 AND b.kind = 'booking'",
    "instrument": "b.instrument_id = $1",
    "instrument_public": "b.instrument_id = $1",
    "institution": "b.instrument_id IN (SELECT id FROM instrument WHERE institution_id = $1)",
}

_COMMON_WHERE = f"""
    b.starts_at < $3 AND b.ends_at > $2 AND b.status <> 'held'
    AND (b.status IN {_ACTIVE} OR b.updated_at >= $4)
"""

_PRIVATE_COLUMNS = "u.display_name, b.purpose, b.service_way"
_PUBLIC_COLUMNS = "NULL::text, NULL::text, NULL::text"

#: Who sees what: the owner of a user feed sees purposes (their own), managers see bookers.
SCOPE_VARIANT: dict[StoredScope, Variant] = {
    "user": "user",
    "instrument": "manager",
    "institution": "manager",
    "instrument_public": "public",
}


def rows_sql(scope: StoredScope) -> str:
    """Columns in `EventRow` order. Public feeds never select who or why."""
    private = scope != "instrument_public"
    return f"""
SELECT b.id, b.kind, b.status, b.version, b.starts_at, b.ends_at, b.created_at, b.updated_at,
       i.id, i.name_zh, i.name_en, i.building, i.room, n.name_zh, n.name_en,
       {_PRIVATE_COLUMNS if private else _PUBLIC_COLUMNS}
FROM booking b
JOIN instrument i ON i.id = b.instrument_id
JOIN institution n ON n.id = i.institution_id
{"JOIN app_user u ON u.id = b.user_id" if private else ""}
WHERE {_SCOPE_WHERE[scope]} AND {_COMMON_WHERE}
ORDER BY b.starts_at, b.id
"""


def validator_sql(scope: StoredScope) -> str:
    """One aggregate row that changes whenever the feed's content would."""
    return f"""
SELECT count(*) AS n, max(b.updated_at) AS booking_changed, coalesce(sum(b.version), 0) AS versions,
       max(i.updated_at) AS instrument_changed
FROM booking b JOIN instrument i ON i.id = b.instrument_id
WHERE {_SCOPE_WHERE[scope]} AND {_COMMON_WHERE}
"""


def feed_window(now: datetime, past_days: int, future_days: int) -> tuple[datetime, datetime]:
    """Whole UTC days, so the window (and so the ETag) moves once a day, not every request."""
    today = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    return today - timedelta(days=past_days), today + timedelta(days=future_days + 1)


def cancelled_cutoff(now: datetime) -> datetime:
    return now - CANCELLED_VISIBLE
