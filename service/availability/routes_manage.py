"""Owners' calendar management routes: opening hours and shared calendars.

Readable and writable by the instrument's managers, its institution's admins and platform
admins; anyone else signed in gets 403, anonymous callers 401.
"""

from __future__ import annotations

from typing import Any

from litestar import get, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from service.accounts.principal import Principal
from service.availability import opening_hours, sharing
from service.availability.routes_policy import MANAGE_READ, MANAGE_WRITE
from service.availability.schemas import (
    OpeningHoursIn,
    OpeningHoursOut,
    SharedCalendarIn,
    SharedCalendarOut,
)
from service.common.params import PathId
from service.common.schemas import Problem
from service.db import Database

#: Database ids: positive bigint (larger values would not reach PostgreSQL intact).

_HOURS = "/api/v1/instruments/{instrument_id:int}/opening-hours"
_SHARED = "/api/v1/instruments/{instrument_id:int}/shared-calendar"
_TAGS = ["calendar management"]


@get(_HOURS, operation_id="getOpeningHours", tags=_TAGS, responses=MANAGE_READ)
async def get_opening_hours(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: PathId
) -> OpeningHoursOut:
    return await opening_hours.get_opening_hours(db, user, instrument_id)


@put(_HOURS, operation_id="replaceOpeningHours", tags=_TAGS, responses=MANAGE_WRITE)
async def put_opening_hours(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    data: JSONBody[OpeningHoursIn],
) -> OpeningHoursOut:
    """Replace the weekly list; touching intervals of one day are stored merged."""
    return await opening_hours.replace_opening_hours(db, user, instrument_id, data)


@get(_SHARED, operation_id="getSharedCalendar", tags=_TAGS, responses=MANAGE_READ)
async def get_shared_calendar(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: PathId
) -> SharedCalendarOut:
    """The instruments booked on the same calendar as this one (one physical resource)."""
    return await sharing.get_shared_calendar(db, user, instrument_id)


@put(
    _SHARED,
    operation_id="setSharedCalendar",
    tags=_TAGS,
    responses={
        **MANAGE_WRITE,
        409: ResponseSpec(Problem, description="active bookings of these instruments overlap"),
    },
)
async def put_shared_calendar(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    data: JSONBody[SharedCalendarIn],
) -> SharedCalendarOut:
    """Book this instrument and `shared_with` on one calendar: a booking or block of any of
    them blocks all. The caller must manage every instrument involved."""
    return await sharing.set_shared_calendar(db, user, instrument_id, data)


MANAGE_ROUTES: list[Any] = [
    get_opening_hours,
    put_opening_hours,
    get_shared_calendar,
    put_shared_calendar,
]
