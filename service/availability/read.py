"""The public side of availability: free/busy, bookable starts and search, for anyone.

Nothing here names who holds a busy interval: the queries never read the booker.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.availability import sql
from service.availability.schemas import (
    AvailabilityOut,
    AvailableInstrumentOut,
    BusyOut,
    FreeOut,
    SlotOut,
    SlotsOut,
)
from service.availability.search import search_free
from service.availability.slots import duration_violations
from service.availability.store import bookable_slots, free_busy, instrument_zone
from service.common.pagination import offset
from service.common.schemas import Page, Violation
from service.db import Database
from service.errors import Unprocessable
from service.policies.store import load_policy
from service.search.query import plan_for

MAX_WINDOW = timedelta(days=62)
#: Outside these, zone and UTC conversions overflow Python's date range (year 1 … 9999).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
MAX_SLOTS = 2000
_DURATION_MESSAGES = {
    "min_duration": "shorter than the instrument's minimum booking length",
    "max_duration": "longer than the instrument's maximum booking length",
    "granularity": "not a multiple of the instrument's slot granularity",
}


def checked_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window in UTC, or 422 when it is naive, empty, reversed or longer than `MAX_WINDOW`.

    Query parameters do not get `AwareDatetime`'s `tz=True` check from the framework, so the
    offset is enforced here.
    """
    if start.utcoffset() is None or end.utcoffset() is None:
        raise Unprocessable("Times must carry a UTC offset, e.g. 2030-01-01T09:00:00+08:00.")
    if end <= start:
        raise Unprocessable("The window must end after it starts.")
    if end - start > MAX_WINDOW:
        raise Unprocessable(f"The window may span at most {MAX_WINDOW.days} days.")
    if start < EARLIEST or end > LATEST:
        raise Unprocessable(f"The window must lie between {EARLIEST:%Y} and {LATEST:%Y}.")
    return start.astimezone(UTC), end.astimezone(UTC)


async def get_availability(
    db: Database, instrument_id: int, start: datetime, end: datetime
) -> AvailabilityOut:
    start, end = checked_window(start, end)
    async with db.connection() as conn:
        tz, busy, free = await free_busy(conn, instrument_id, start, end)
    return AvailabilityOut(
        instrument_id=instrument_id,
        timezone=str(tz),
        window_start=start,
        window_end=end,
        busy=[BusyOut(a, b, kind) for a, b, kind in busy],  # type: ignore[arg-type]
        free=[FreeOut(a, b) for a, b in free],
    )


async def get_slots(
    db: Database, instrument_id: int, start: datetime, end: datetime, *, minutes: int, now: datetime
) -> SlotsOut:
    start, end = checked_window(start, end)
    duration = timedelta(minutes=minutes)
    async with db.connection() as conn:
        await instrument_zone(conn, instrument_id)
        policy = await load_policy(conn, instrument_id)
        problems = duration_violations(duration, policy)
        if problems:
            violations = [Violation(p, _DURATION_MESSAGES[p]) for p in problems]
            raise Unprocessable(
                "This duration cannot be booked on this instrument.",
                extra={"violations": violations},
            )
        tz, starts = await bookable_slots(
            conn,
            instrument_id,
            start,
            end,
            duration=duration,
            policy=policy,
            now=now,
            limit=MAX_SLOTS + 1,
        )
    return SlotsOut(
        instrument_id=instrument_id,
        timezone=str(tz),
        duration_minutes=minutes,
        slots=[SlotOut(s, s + duration) for s in starts[:MAX_SLOTS]],
        truncated=len(starts) > MAX_SLOTS,
    )


async def _check_codes(db: Database, category: str | None, region: str | None) -> None:
    problems: list[Violation] = []
    if category and not await db.fetchval(sql.CATEGORY_EXISTS, category):
        problems.append(Violation("category", f"unknown category {category!r}"))
    if region and not await db.fetchval(sql.REGION_EXISTS, region):
        problems.append(Violation("region", f"unknown region {region!r}"))
    if problems:
        raise Unprocessable("Unknown category or region.", extra={"violations": problems})


async def search_available(
    db: Database,
    start: datetime,
    end: datetime,
    *,
    category: str | None,
    region: str | None,
    page: int,
    page_size: int,
    q: str | None = None,
    within: str | None = None,
) -> Page[AvailableInstrumentOut]:
    """`region`: the reference region (its instruments first, then by distance from its
    seat); `within`: only instruments of that region."""
    start, end = checked_window(start, end)
    await _check_codes(db, category, region)
    await _check_codes(db, None, within)
    async with db.connection() as conn:
        plan = await plan_for(conn, q) if q and q.strip() else None
        if plan is not None and plan.empty:
            return Page(items=[], total=0, page=page, page_size=page_size)
        rows, total = await search_free(
            conn,
            start,
            end,
            category=category,
            region=region,
            limit=page_size,
            offset=offset(page, page_size),
            plan=plan,
            within=within,
        )
    items = [
        AvailableInstrumentOut(
            **{**r, "distance_km": None if r["distance_km"] is None else round(r["distance_km"], 1)}
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)
