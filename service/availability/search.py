"""Instruments free for a whole window, nearest first: one set-based query.

Opening hours are checked in SQL too, so totals and pages are exact without loading every
candidate's calendar: for each local day the window touches, the part of the window on that
day must lie inside one of the day's open intervals (an exception replaces the weekly hours;
a closure wins; no weekly rows means open all day) — the same rule as `openings.open_intervals`,
with wall times converted by `availability_local_to_utc`, which resolves DST like the Python
side. Opening hours are stored merged per day (see `calendar`), so "inside one interval" and
"inside their union" agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.availability import sql
from service.search.plan import Plan


async def search_free(
    conn: asyncpg.Connection,
    start: datetime,
    end: datetime,
    *,
    category: str | None,
    region: str | None,
    limit: int,
    offset: int,
    preferred_category: str | None = None,
    second_region: str | None = None,
    exclude_id: int | None = None,
    plan: Plan | None = None,
    within: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of shared, running instruments free (open, unclaimed) for all of `[start, end)`;
    with a search plan, only those it matches, the most relevant first. `region` is where
    the distances are measured from (its instruments first); `within` keeps one region only."""
    query = sql.SEARCH_VARIANTS[(bool(category), plan is not None, within is not None)]
    extra = [plan.match, *plan.tiers] if plan is not None else []
    if within is not None:
        extra.append(within)
    rows = await conn.fetch(
        query,
        start,
        end,
        category,
        preferred_category,
        region,
        second_region,
        exclude_id,
        limit,
        offset,
        *extra,
    )
    if not rows and offset > 0:
        # Past the last page: ask again from the top only to learn the total.
        rows = await conn.fetch(
            query, start, end, category, None, region, None, exclude_id, 1, 0, *extra
        )
        return [], int(rows[0]["total"]) if rows else 0
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


async def alternative_instruments(
    conn: asyncpg.Connection,
    instrument_id: int,
    start: datetime,
    end: datetime,
    *,
    user_region: str,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Other instruments free for the window: same sub-class before the rest of the class;
    within that, the instrument's region, then the user's, then the rest by distance."""
    row = await conn.fetchrow(sql.INSTRUMENT_CLASS_AND_REGION, instrument_id)
    if row is None:
        return []
    return await alternatives_for(
        conn,
        instrument_id,
        row["category_code"],
        row["region_code"],
        window=(start, end),
        user_region=user_region,
        limit=limit,
    )


async def alternatives_for(
    conn: asyncpg.Connection,
    instrument_id: int,
    category_code: str,
    region_code: str,
    *,
    window: tuple[datetime, datetime],
    user_region: str,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """`alternative_instruments` for a caller that already knows the instrument's sub-class
    and region; the same ranking as the search, stopping at the first `limit` free ones."""
    rows = await conn.fetch(
        sql.ALTERNATIVES,
        window[0],
        window[1],
        category_code[:2],
        category_code,
        region_code,
        user_region,
        instrument_id,
        limit,
    )
    return [{k: v for k, v in r.items() if k != "category_code"} for r in rows]
