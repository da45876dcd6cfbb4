"""Who people are, for pages that name them beside other services' answers (the requester of a
booking, the actor of a history line): read-only, one query per call."""

from __future__ import annotations

from typing import Any

from service.accounts import sql
from service.db import Database


async def active_user_id_by_email(db: Database, email: str) -> int | None:
    """The active account with this e-mail address (any case), for a manager booking for it."""
    found = await db.fetchval(sql.ACTIVE_USER_BY_EMAIL, email.strip())
    return int(found) if found is not None else None


async def people_by_id(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Who booked (name, institution, e-mail, telephone), for the managers' lists: a manager
    must be able to reach the person behind a request or a displaced booking."""
    if not ids:
        return {}
    rows = await db.fetch(sql.PEOPLE_BY_ID, list(ids))
    return {int(r["id"]): dict(r) for r in rows}
