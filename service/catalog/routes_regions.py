"""HTTP routes for platform admins to add and edit regions (province and partner regions)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from service.accounts.principal import Principal
from service.catalog import regions
from service.catalog.schemas import RegionIn, RegionOut, RegionPatchIn
from service.common.openapi import problem_spec as _problem
from service.db import Database

TAGS = ["catalogue"]
RegionPath = Annotated[str, PathParameter(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]


@post(
    "/api/v1/regions",
    operation_id="createRegion",
    tags=TAGS,
    responses={
        403: _problem("Platform admins only"),
        409: _problem("Code already taken"),
        422: _problem("Invalid code, names, zone (IANA), coordinates or parent"),
    },
)
async def create_region(
    db: NamedDependency[Database], user: NamedDependency[Principal], data: JSONBody[RegionIn]
) -> RegionOut:
    """Add a region of the province or a partner region elsewhere, with its IANA zone and the
    coordinates of its seat (distances between regions order the alternatives)."""
    return await regions.create_region(db, user, data)


@patch(
    "/api/v1/regions/{code:str}",
    operation_id="updateRegion",
    tags=TAGS,
    responses={
        403: _problem("Platform admins only"),
        404: _problem("No such region"),
        422: _problem("Invalid names, zone (IANA), coordinates or parent"),
    },
)
async def update_region(
    db: NamedDependency[Database],
    user: NamedDependency[Principal],
    code: RegionPath,
    data: JSONBody[RegionPatchIn],
) -> RegionOut:
    return await regions.update_region(db, user, code, data)


ROUTES: list[Any] = [create_region, update_region]
