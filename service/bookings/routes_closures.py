"""Owners' closure routes: a local date closed, or open with special hours, and the bookings
that leaves outside the hours.

Readable and writable by the instrument's managers, its institution's admins and platform
admins; anyone else signed in gets 403, anonymous callers 401.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.availability.routes_policy import MANAGE_READ, MANAGE_WRITE
from service.availability.schemas import ClosureIn
from service.bookings import closures
from service.bookings.schemas import BlockPreviewOut, ClosureOut
from service.common.params import PathId
from service.common.schemas import Problem
from service.common.time import utcnow
from service.db import Database

_CLOSURES = "/api/v1/instruments/{instrument_id:int}/closures"
_TAGS = ["calendar management"]


@get(_CLOSURES, operation_id="listClosures", tags=_TAGS, responses=MANAGE_READ)
async def list_closures(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    from_day: Annotated[date | None, QueryParameter(name="from")] = None,
    *,
    to_day: Annotated[date | None, QueryParameter(name="to")] = None,
) -> list[ClosureOut]:
    return await closures.list_closures(db, user, instrument_id, first=from_day, last=to_day)


_CLOSURE_409 = ResponseSpec(
    Problem,
    description="the date has an exception, or bookings are in the way (`displaced`) and "
    "`on_conflict=fail`",
)


@post(
    _CLOSURES,
    operation_id="addClosure",
    tags=_TAGS,
    responses={**MANAGE_WRITE, 409: _CLOSURE_409},
)
async def add_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    data: JSONBody[ClosureIn],
) -> ClosureOut:
    """Close a local date all day (no hours), or open it with special hours. Bookings it
    would leave outside the hours are refused (`on_conflict=fail`, 409 listing them) or
    cancelled with notices and alternatives to their users (`on_conflict=cancel`)."""
    result = await closures.add_closure(db, user, instrument_id, data, now=utcnow())
    assert isinstance(result, ClosureOut)
    return result


@post(
    _CLOSURES + "/preview",
    operation_id="previewClosure",
    tags=_TAGS,
    status_code=200,
    responses={**MANAGE_WRITE, 409: _CLOSURE_409},
)
async def preview_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    data: JSONBody[ClosureIn],
) -> BlockPreviewOut:
    """The bookings the closure would displace; nothing is written."""
    result = await closures.add_closure(db, user, instrument_id, data, now=utcnow(), dry_run=True)
    assert isinstance(result, list)
    return BlockPreviewOut(displaced=result)


@delete(
    _CLOSURES + "/{closure_id:int}", operation_id="deleteClosure", tags=_TAGS, responses=MANAGE_READ
)
async def delete_closure(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    closure_id: PathId,
) -> None:
    await closures.delete_closure(db, user, instrument_id, closure_id)


ROUTES: list[Any] = [list_closures, add_closure, preview_closure, delete_closure]
