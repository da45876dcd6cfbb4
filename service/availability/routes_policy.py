"""Booking policy routes: an instrument's own policy and its institution's default.

Readable and writable by the instrument's managers, its institution's admins and platform
admins (the institution default: its admins); anyone else signed in gets 403, anonymous 401.
"""

from __future__ import annotations

from typing import Any

from litestar import get, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from service.accounts.principal import Principal
from service.availability import policy_edit as edit
from service.common.params import PathId
from service.common.schemas import Problem
from service.common.time import utcnow
from service.db import Database
from service.policies.schemas import PolicyIn, PolicyOut

_POLICY = "/api/v1/instruments/{instrument_id:int}/policy"
_INSTITUTION_POLICY = "/api/v1/institutions/{institution_id:int}/policy"
_TAGS = ["calendar management"]
#: The answers of every owners' calendar management route (hours, closures, policies).
MANAGE_READ: dict[int, ResponseSpec] = {
    401: ResponseSpec(Problem, description="not signed in"),
    403: ResponseSpec(Problem, description="not a manager or admin of this instrument"),
    404: ResponseSpec(Problem, description="unknown instrument or institution"),
}
MANAGE_WRITE: dict[int, ResponseSpec] = {
    **MANAGE_READ,
    422: ResponseSpec(Problem, description="invalid values; `violations` lists every problem"),
}


@get(_POLICY, operation_id="getInstrumentPolicy", tags=_TAGS, responses=MANAGE_READ)
async def get_policy(
    db: NamedDependency[Database], user: NamedDependency[Principal], instrument_id: PathId
) -> PolicyOut:
    """The effective policy; `source` says whether it is the instrument's own, the
    institution's default or the built-in default."""
    return await edit.get_instrument_policy(db, user, instrument_id)


@put(_POLICY, operation_id="replaceInstrumentPolicy", tags=_TAGS, responses=MANAGE_WRITE)
async def put_policy(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    instrument_id: PathId,
    data: JSONBody[PolicyIn],
) -> PolicyOut:
    return await edit.put_instrument_policy(db, user, instrument_id, data, now=utcnow())


@get(_INSTITUTION_POLICY, operation_id="getInstitutionPolicy", tags=_TAGS, responses=MANAGE_READ)
async def get_institution_policy(
    db: NamedDependency[Database], user: NamedDependency[Principal], institution_id: PathId
) -> PolicyOut:
    return await edit.get_institution_policy(db, user, institution_id)


@put(
    _INSTITUTION_POLICY, operation_id="replaceInstitutionPolicy", tags=_TAGS, responses=MANAGE_WRITE
)
async def put_institution_policy(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    institution_id: PathId,
    data: JSONBody[PolicyIn],
) -> PolicyOut:
    """The default for the institution's instruments that have no policy of their own."""
    return await edit.put_institution_policy(db, user, institution_id, data, now=utcnow())


ROUTES: list[Any] = [get_policy, put_policy, get_institution_policy, put_institution_policy]
