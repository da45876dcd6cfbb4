"""The effective policy of an instrument for pages that show its rules (check-in, no-show
grace, fees), read on a connection of its own."""

from __future__ import annotations

from service.db import Database
from service.policies import store
from service.policies.schemas import Policy


async def effective_policy(db: Database, instrument_id: int) -> Policy:
    async with db.connection() as conn:
        return await store.load_policy(conn, instrument_id)
