"""What a refused booking is offered: what is in the way, the next free slots of the same length,
and other instruments free for the same window.

The answers are those of `conflicts_in`, `next_free_slots` and `alternative_instruments`, read
in two round trips instead of eight: one for the instrument, its policy, hours, exceptions and
the claims around the request (enough for the first chunk of the slot search), one for the
alternative instruments.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

import asyncpg

from service.availability import sql
from service.availability.openings import Interval, WeeklyInterval
from service.availability.search import alternatives_for
from service.availability.store import (
    free_slots_from,
    window_from_row,
)
from service.common.time import zone
from service.policies.rules import policy_from_row
from service.policies.schemas import Policy

#: How far past the request the first read reaches: a chunk of the slot search (14 days), the
#: request's own length and the longest buffer a policy allows (one day).
_AHEAD = timedelta(days=15)


class Refusal(NamedTuple):
    conflicts: list[dict[str, Any]]
    slots: list[Interval]
    instruments: list[dict[str, Any]]


async def refusal_for(
    conn: asyncpg.Connection,
    instrument_id: int,
    start: datetime,
    end: datetime,
    *,
    user_region: str,
    now: datetime,
) -> Refusal:
    """Conflicts with `[start, end)` plus its buffer, the next five free slots of its length at
    or after `start`, and up to five other instruments free for `[start, end)`."""
    duration = end - start
    lo, hi = start, start + _AHEAD + duration
    row = await conn.fetchrow(sql.REFUSAL_FACTS, instrument_id, lo, hi)
    if row is None:
        return Refusal([], [], [])
    policy = policy_from_row(row) if row["src"] else Policy()
    window = window_from_row(row, lo, hi)
    occupied = end + timedelta(minutes=policy.buffer_minutes)
    conflicts = [c for c in window.claims if c["start"] < occupied and c["end"] > start]
    weekly = [WeeklyInterval(*w) for w in row["weekly"]]
    calendar = (zone(row["timezone"]), weekly)
    slots = await free_slots_from(
        conn, instrument_id, calendar, duration, after=start, policy=policy, now=now, window=window
    )
    others = await alternatives_for(
        conn,
        instrument_id,
        row["category_code"],
        row["region_code"],
        window=(start, end),
        user_region=user_region,
    )
    return Refusal(conflicts, slots, others)
