"""What the pages ask of surveys beside the survey API: the list of surveys and which bookings
a user has already rated."""

from __future__ import annotations

from datetime import datetime

from service.db import Database
from service.surveys import sql, store
from service.surveys.schemas import SurveyOut


async def list_surveys(db: Database, now: datetime) -> list[SurveyOut]:
    """Every survey, as the survey API lists them."""
    return await store.list_surveys(db, now)


async def rated_booking_ids(db: Database, user_id: int, ids: list[int]) -> set[int]:
    """Which of these bookings the user has already rated (a rating is final)."""
    if not ids:
        return set()
    rows = await db.fetch(sql.RATED_BOOKINGS, user_id, ids)
    return {int(r["booking_id"]) for r in rows}
