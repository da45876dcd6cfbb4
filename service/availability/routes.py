"""Availability routes: free/busy, bookable starts and search (public), and the owners'
calendar management (opening hours, closures, booking policies)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, Parameter

from service.availability import read
from service.availability.routes_manage import MANAGE_ROUTES
from service.availability.routes_policy import ROUTES as POLICY_ROUTES
from service.availability.schemas import AvailabilityOut, AvailableInstrumentOut, SlotsOut
from service.common.pagination import MAX_PAGE_SIZE
from service.common.params import InstantFrom, InstantTo, PageNumber, PathId
from service.common.schemas import Page, Problem
from service.common.time import AwareDatetime, utcnow
from service.db import Database

CategoryCode = Annotated[
    str | None, Parameter(pattern=r"^[0-9]{2}([0-9]{2})?$", description="class or sub-class")
]
# The shared `PageNumber`/`PageSize` set their default inside `Annotated`, which Litestar 2.25
# deprecates; these carry the same limits with the default on the parameter.
PageSize_ = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE_SIZE, description=f"at most {MAX_PAGE_SIZE}")
]
RegionCode = Annotated[str | None, Parameter(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]

_ERRORS: dict[int, ResponseSpec] = {
    404: ResponseSpec(Problem, description="unknown instrument"),
    422: ResponseSpec(Problem, description="naive time, empty or too long window"),
}


@get(
    "/api/v1/instruments/{instrument_id:int}/availability",
    operation_id="getInstrumentAvailability",
    tags=["availability"],
    responses=_ERRORS,
)
async def get_availability(
    db: NamedDependency[Database], instrument_id: PathId, from_: InstantFrom, to: InstantTo
) -> AvailabilityOut:
    """Busy (booking, maintenance, closed) and free intervals in UTC; never who booked."""
    return await read.get_availability(db, instrument_id, from_, to)


@get(
    "/api/v1/instruments/{instrument_id:int}/slots",
    operation_id="getInstrumentSlots",
    tags=["availability"],
    responses=_ERRORS,
)
async def get_slots(
    db: NamedDependency[Database],
    instrument_id: PathId,
    from_: InstantFrom,
    to: InstantTo,
    *,
    duration_minutes: Annotated[int, Parameter(ge=1, le=10080)],
) -> SlotsOut:
    """Start times in the window at which a booking of this length would be accepted now."""
    return await read.get_slots(
        db, instrument_id, from_, to, minutes=duration_minutes, now=utcnow()
    )


@get(
    "/api/v1/availability/search",
    operation_id="searchAvailableInstruments",
    tags=["availability"],
    responses={
        422: ResponseSpec(
            Problem, description="bad window, category or region; q too long or too many terms"
        )
    },
)
async def search_available(
    db: NamedDependency[Database],
    start: FromQuery[AwareDatetime],
    end: FromQuery[AwareDatetime],
    category: CategoryCode = None,
    *,
    region: RegionCode = None,
    q: Annotated[
        str | None,
        Parameter(
            max_length=200,
            description="search text, as in the catalogue (colloquial names, abbreviations, "
            "typos); the most relevant first, then by region",
        ),
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize_ = 20,
) -> Page[AvailableInstrumentOut]:
    """Shared, running instruments open and unclaimed for the whole window; with `region`,
    that region first, then the others by distance; with `q`, only those the search finds."""
    return await read.search_available(
        db, start, end, category=category, region=region, page=page, page_size=page_size, q=q
    )


ROUTES: list[Any] = [get_availability, get_slots, search_available, *MANAGE_ROUTES, *POLICY_ROUTES]
