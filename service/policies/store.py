"""Reading and writing booking policies: runs `policies.sql` and maps rows to `Policy`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.policies import sql
from service.policies.rules import policy_from_row
from service.policies.schemas import Policy


async def load_policy(conn: asyncpg.Connection, instrument_id: int) -> Policy:
    """The effective policy of an instrument: its own row, falling back to the institution
    default, falling back to the built-in defaults of the schema."""
    row = await conn.fetchrow(sql.EFFECTIVE_POLICY, instrument_id)
    return policy_from_row(row) if row else Policy()


async def institution_policy(conn: asyncpg.Connection, institution_id: int) -> Policy:
    row = await conn.fetchrow(sql.INSTITUTION_POLICY, institution_id)
    return policy_from_row(row) if row else Policy()


async def institution_exists(conn: asyncpg.Connection, institution_id: int) -> bool:
    return bool(await conn.fetchval(sql.INSTITUTION_EXISTS, institution_id))


async def heirs(conn: asyncpg.Connection, institution_id: int) -> list[int]:
    """The instruments that follow the institution's default, in id order."""
    return [r["id"] for r in await conn.fetch(sql.HEIRS, institution_id)]


async def save_instrument_policy(
    conn: asyncpg.Connection, instrument_id: int, values: list[Any]
) -> None:
    await conn.execute(sql.UPSERT_INSTRUMENT_POLICY, instrument_id, *values)


async def save_institution_policy(
    conn: asyncpg.Connection, institution_id: int, values: list[Any]
) -> None:
    await conn.execute(sql.UPSERT_INSTITUTION_POLICY, institution_id, *values)


async def shrink_changeovers(
    conn: asyncpg.Connection, instrument_ids: list[int], buffer_minutes: int, now: datetime
) -> int:
    """Recompute held changeovers after a policy change; returns how many bookings changed."""
    status = await conn.execute(sql.SHRINK_CHANGEOVERS, instrument_ids, buffer_minutes, now)
    return int(status.rsplit(" ", 1)[-1])
