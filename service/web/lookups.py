"""Display facts the pages need beside the services' answers (names and zones of instruments
named by id in a list of bookings): read-only, one query per page."""

from __future__ import annotations

import json
from datetime import datetime
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


_PEOPLE = """
SELECT u.id, u.display_name, u.email, u.phone, n.name_zh AS institution_zh,
       n.name_en AS institution_en
FROM app_user u JOIN institution n ON n.id = u.institution_id
WHERE u.id = ANY($1::bigint[])
"""


async def people_by_id(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Who booked (name, institution, e-mail, telephone), for the managers' lists: a manager
    must be able to reach the person behind a request or a displaced booking."""
    if not ids:
        return {}
    rows = await db.fetch(_PEOPLE, list(ids))
    return {int(r["id"]): dict(r) for r in rows}


_DISPLACED = """
SELECT b.id, b.instrument_id, b.starts_at, b.ends_at, o.payload
FROM notification_outbox o JOIN booking b ON b.id = o.booking_id
WHERE o.user_id = $1 AND o.kind = 'booking_displaced' AND b.status = 'cancelled'
  AND b.starts_at > $2
ORDER BY b.starts_at LIMIT 10
"""


async def displaced_bookings(db: Database, user_id: int, now: datetime) -> list[dict[str, Any]]:
    """The user's bookings that maintenance cancelled and whose time is still to come, with the
    reason and the alternatives computed when they were displaced (the same the mail offered),
    so My bookings can say what happened and offer a way on."""
    rows = await db.fetch(_DISPLACED, user_id, now)
    found = []
    for r in rows:
        payload = r["payload"] if isinstance(r["payload"], dict) else json.loads(r["payload"])
        alternatives = payload.get("alternatives") or {}
        found.append(
            {"id": int(r["id"]), "instrument_id": int(r["instrument_id"]),
             "start": r["starts_at"], "end": r["ends_at"], "reason": payload.get("reason", ""),
             "slots": alternatives.get("slots", []), "instruments": alternatives.get("instruments", [])}
        )  # fmt: skip
    return found
