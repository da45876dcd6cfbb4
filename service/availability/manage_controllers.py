"""Owners' calendar management routes: opening hours, closures and booking policies.

Readable and writable by the instrument's managers, its institution's admins and platform
admins; anyone else signed in gets 403, anonymous callers 401.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, Parameter, QueryParameter

from service.accounts.principal import Principal
from service.availability import calendar, policies, sharing
from service.availability.schemas import (
    ClosureIn,
    ClosureOut,
    OpeningHoursIn,
    OpeningHoursOut,
    PolicyIn,
    PolicyOut,
    SharedCalendarIn,
    SharedCalendarOut,
)
from service.bookings.schemas import BlockPreviewOut
from service.common.schemas import Problem
from service.common.time import utcnow
from service.db import Database

#: Database ids: positive bigint (larger values would not reach PostgreSQL intact).
Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]

_HOURS = "/api/v1/instruments/{instrument_id:int}/opening-hours"
_CLOSURES = "/api/v1/instruments/{instrument_id:int}/closures"
_POLICY = "/api/v1/instruments/{instrument_id:int}/policy"
_SHARED = "/api/v1/instruments/{instrument_id:int}/shared-calendar"
_INSTITUTION_POLICY = "/api/v1/institutions/{institution_id:int}/policy"
_TAGS = ["calendar management"]
_READ: dict[int, ResponseSpec] = {
    401: ResponseSpec(Problem, description="not signed in"),
    403: ResponseSpec(Problem, description="not a manager or admin of this instrument"),
    404: ResponseSpec(Problem, description="unknown instrument or institution"),
}
_WRITE: dict[int, ResponseSpec] = {
    **_READ,
    422: ResponseSpec(Problem, description="invalid values; `violations` lists every problem"),
}


@get(_HOURS, operation_id="getOpeningHours", tags=_TAGS, responses=_READ)
async def get_opening_hours(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: Id
) -> OpeningHoursOut:
    return await calendar.get_opening_hours(db, user, instrument_id)


@put(_HOURS, operation_id="replaceOpeningHours", tags=_TAGS, responses=_WRITE)
async def put_opening_hours(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    data: JSONBody[OpeningHoursIn],
) -> OpeningHoursOut:
    """Replace the weekly list; touching intervals of one day are stored merged."""
    return await calendar.replace_opening_hours(db, user, instrument_id, data)


@get(_CLOSURES, operation_id="listClosures", tags=_TAGS, responses=_READ)
async def list_closures(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    from_day: Annotated[date | None, QueryParameter(name="from")] = None,
    to_day: Annotated[date | None, QueryParameter(name="to")] = None,
) -> list[ClosureOut]:
    return await calendar.list_closures(db, user, instrument_id, from_day, to_day)


_CLOSURE_409 = ResponseSpec(
    Problem,
    description="the date has an exception, or bookings are in the way (`displaced`) and "
    "`on_conflict=fail`",
)


@post(
    _CLOSURES,
    operation_id="addClosure",
    tags=_TAGS,
    responses={**_WRITE, 409: _CLOSURE_409},
)
async def add_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    data: JSONBody[ClosureIn],
) -> ClosureOut:
    """Close a local date all day (no hours), or open it with special hours. Bookings it
    would leave outside the hours are refused (`on_conflict=fail`, 409 listing them) or
    cancelled with notices and alternatives to their users (`on_conflict=cancel`)."""
    result = await calendar.add_closure(db, user, instrument_id, data, utcnow())
    assert isinstance(result, ClosureOut)
    return result


@post(
    _CLOSURES + "/preview",
    operation_id="previewClosure",
    tags=_TAGS,
    status_code=200,
    responses={**_WRITE, 409: _CLOSURE_409},
)
async def preview_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    data: JSONBody[ClosureIn],
) -> BlockPreviewOut:
    """The bookings the closure would displace; nothing is written."""
    result = await calendar.add_closure(db, user, instrument_id, data, utcnow(), dry_run=True)
    assert isinstance(result, list)
    return BlockPreviewOut(displaced=result)


@delete(_CLOSURES + "/{closure_id:int}", operation_id="deleteClosure", tags=_TAGS, responses=_READ)
async def delete_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    closure_id: Id,
) -> None:
    await calendar.delete_closure(db, user, instrument_id, closure_id)


@get(_SHARED, operation_id="getSharedCalendar", tags=_TAGS, responses=_READ)
async def get_shared_calendar(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: Id
) -> SharedCalendarOut:
    """The instruments booked on the same calendar as this one (one physical resource)."""
    return await sharing.get_shared_calendar(db, user, instrument_id)


@put(
    _SHARED,
    operation_id="setSharedCalendar",
    tags=_TAGS,
    responses={
        **_WRITE,
        409: ResponseSpec(Problem, description="active bookings of these instruments overlap"),
    },
)
async def put_shared_calendar(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    data: JSONBody[SharedCalendarIn],
) -> SharedCalendarOut:
    """Book this instrument and `shared_with` on one calendar: a booking or block of any of
    them blocks all. The caller must manage every instrument involved."""
    return await sharing.set_shared_calendar(db, user, instrument_id, data)


@get(_POLICY, operation_id="getInstrumentPolicy", tags=_TAGS, responses=_READ)
async def get_policy(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: Id
) -> PolicyOut:
    """The effective policy; `source` says whether it is the instrument's own, the
    institution's default or the built-in default."""
    return await policies.get_instrument_policy(db, user, instrument_id)


@put(_POLICY, operation_id="replaceInstrumentPolicy", tags=_TAGS, responses=_WRITE)
async def put_policy(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: Id,
    data: JSONBody[PolicyIn],
) -> PolicyOut:
    return await policies.put_instrument_policy(db, user, instrument_id, data, utcnow())


@get(_INSTITUTION_POLICY, operation_id="getInstitutionPolicy", tags=_TAGS, responses=_READ)
async def get_institution_policy(
    db: NamedDependency[Database], user: NamedDependency[Principal], institution_id: Id
) -> PolicyOut:
    return await policies.get_institution_policy(db, user, institution_id)


@put(_INSTITUTION_POLICY, operation_id="replaceInstitutionPolicy", tags=_TAGS, responses=_WRITE)
async def put_institution_policy(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    institution_id: Id,
    data: JSONBody[PolicyIn],
) -> PolicyOut:
    """The default for the institution's instruments that have no policy of their own."""
    return await policies.put_institution_policy(db, user, institution_id, data, utcnow())


MANAGE_ROUTES: list[Any] = [
    get_opening_hours,
    put_opening_hours,
    list_closures,
    add_closure,
    preview_closure,
    delete_closure,
    get_shared_calendar,
    put_shared_calendar,
    get_policy,
    put_policy,
    get_institution_policy,
    put_institution_policy,
]
