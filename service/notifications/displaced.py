"""What the user was told about bookings maintenance displaced, for My bookings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from service.db import Database
from service.notifications import sql


async def displaced_bookings(db: Database, user_id: int, now: datetime) -> list[dict[str, Any]]:
    """The user's bookings that maintenance cancelled and whose time is still to come, with the
    reason and the alternatives computed when they were displaced (the same the mail offered),
    so My bookings can say what happened and offer a way on."""
    rows = await db.fetch(sql.DISPLACED_BOOKINGS, user_id, now)
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
