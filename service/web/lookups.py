"""Display facts the pages need beside the services' answers (names and zones of instruments
named by id in a list of bookings): read-only, one query per page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.db import Database

_INSTRUMENTS = """
SELECT i.id, i.name_zh, i.name_en, i.institution_id, r.timezone,
       s.name_zh AS institution_name_zh, s.name_en AS institution_name_en
FROM instrument i JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
WHERE i.id = ANY($1::bigint[])
"""


async def instruments_by_id(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await db.fetch(_INSTRUMENTS, list(ids))
    return {int(r["id"]): dict(r) for r in rows}


async def series_occurrences(
    db: Database, user_id: int, series_id: int
) -> list[tuple[str, Decimal]]:
    """Status and estimated cost of the user's occurrences of one series (none for someone
    else's)."""
    rows = await db.fetch(
        """SELECT status, estimated_cost FROM booking WHERE series_id = $1 AND user_id = $2
           ORDER BY starts_at""",
        series_id,
        user_id,
    )
    return [(str(r["status"]), r["estimated_cost"]) for r in rows]


async def rated_booking_ids(db: Database, user_id: int, ids: list[int]) -> set[int]:
    """Which of these bookings the user has already rated (a rating is final)."""
    if not ids:
        return set()
    rows = await db.fetch(
        "SELECT booking_id FROM satisfaction WHERE user_id = $1 AND booking_id = ANY($2::bigint[])",
        user_id,
        ids,
    )
    return {int(r["booking_id"]) for r in rows}


async def managers_by_instrument(
    db: Database, institution_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The managers of each instrument of one institution (for its admin's page)."""
    rows = await db.fetch(
        """SELECT m.instrument_id, u.id AS user_id, u.display_name, u.email
           FROM instrument_manager m JOIN instrument i ON i.id = m.instrument_id
           JOIN app_user u ON u.id = m.user_id
           WHERE i.institution_id = $1 ORDER BY m.instrument_id, u.display_name""",
        institution_id,
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(int(row["instrument_id"]), []).append(dict(row))
    return found


async def active_user_id_by_email(db: Database, email: str) -> int | None:
    """The active account with this e-mail address (any case), for a manager booking for it."""
    found = await db.fetchval(
        "SELECT id FROM app_user WHERE lower(email) = lower($1) AND is_active", email.strip()
    )
    return int(found) if found is not None else None
