"""Display facts about instruments and regions that pages show beside other services' answers
(names and zones of instruments named by id in a list of bookings, an institution's managers):
read-only, one query per call."""

from __future__ import annotations

from typing import Any

from service.db import Database

INSTRUMENTS_BY_ID = """
SELECT i.id, i.name_zh, i.name_en, i.institution_id, r.timezone,
       s.name_zh AS institution_name_zh, s.name_en AS institution_name_en
FROM instrument i JOIN institution s ON s.id = i.institution_id
JOIN region r ON r.code = s.region_code
WHERE i.id = ANY($1::bigint[])
"""
MANAGERS_OF_INSTITUTION = """SELECT m.instrument_id, u.id AS user_id, u.display_name, u.email
FROM instrument_manager m JOIN instrument i ON i.id = m.instrument_id
JOIN app_user u ON u.id = m.user_id
WHERE i.institution_id = $1 ORDER BY m.instrument_id, u.display_name"""
REGION_ZONE = "SELECT timezone FROM region WHERE code = $1"


async def instruments_by_id(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Names, institution and zone of each instrument, for lists that name instruments by id."""
    if not ids:
        return {}
    rows = await db.fetch(INSTRUMENTS_BY_ID, list(ids))
    return {int(r["id"]): dict(r) for r in rows}


async def managers_by_instrument(
    db: Database, institution_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The managers of each instrument of one institution (for its admin's page)."""
    rows = await db.fetch(MANAGERS_OF_INSTITUTION, institution_id)
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(int(row["instrument_id"]), []).append(dict(row))
    return found


async def region_zone(db: Database, region_code: str) -> str | None:
    """The IANA zone of a region, or None for an unknown code."""
    zone = await db.fetchval(REGION_ZONE, region_code)
    return str(zone) if zone is not None else None
