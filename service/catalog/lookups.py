"""Display facts about instruments and regions that pages show beside other services' answers
(names and zones of instruments named by id in a list of bookings, an institution's managers):
read-only, one query per call."""

from __future__ import annotations

from typing import Any

from service.catalog import sql
from service.db import Database


async def instruments_by_id(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Names, institution and zone of each instrument, for lists that name instruments by id."""
    if not ids:
        return {}
    rows = await db.fetch(sql.INSTRUMENTS_BY_ID, list(ids))
    return {int(r["id"]): dict(r) for r in rows}


async def managers_by_instrument(
    db: Database, institution_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The managers of each instrument of one institution (for its admin's page)."""
    rows = await db.fetch(sql.MANAGERS_OF_INSTITUTION, institution_id)
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(int(row["instrument_id"]), []).append(dict(row))
    return found


async def region_zone(db: Database, region_code: str) -> str | None:
    """The IANA zone of a region, or None for an unknown code."""
    zone = await db.fetchval(sql.REGION_ZONE, region_code)
    return str(zone) if zone is not None else None
