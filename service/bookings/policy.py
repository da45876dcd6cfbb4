"""Booking policies: the per-instrument row, falling back to the institution default, falling
back to the built-in defaults of the schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

SERVICE_WAYS = ("occupy", "technical", "entrusted", "remote")


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


POLICY_FIELDS = tuple(f for f in Policy.__struct_fields__ if f != "source")

_LOAD = """
SELECT p.*, CASE WHEN p.instrument_id IS NOT NULL THEN 'instrument' ELSE 'institution' END AS src
FROM booking_policy p
WHERE p.instrument_id = $1
   OR p.institution_id = (SELECT institution_id FROM instrument WHERE id = $1)
ORDER BY p.instrument_id IS NULL
LIMIT 1
"""


def policy_from_row(row: Any) -> Policy:
    values: dict[str, Any] = {f: row[f] for f in POLICY_FIELDS}
    values["service_ways"] = tuple(values["service_ways"])
    values["relaxed_windows"] = tuple(
        (int(w["weekday"]), str(w["start"]), str(w["end"])) for w in values["relaxed_windows"]
    )
    values["relaxed_rules"] = tuple(values["relaxed_rules"])
    return Policy(**values, source=row["src"])


async def load_policy(conn: asyncpg.Connection, instrument_id: int) -> Policy:
    """The effective policy of an instrument (`_LOAD` has no column list to keep in sync)."""
    row = await conn.fetchrow(_LOAD, instrument_id)
    return policy_from_row(row) if row else Policy()
