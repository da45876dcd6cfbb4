"""HTTP routes of the catalogue: regions, categories, institutions, instruments."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from litestar import Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.catalog import directory, instruments, routes_reference, routes_regions, rules
from service.catalog.schemas import (
    CategoryOut,
    InstitutionIn,
    InstitutionOut,
    InstitutionPatchIn,
    InstrumentIn,
    InstrumentOut,
    InstrumentPatchIn,
    InstrumentSummaryOut,
    RegionOut,
)
from service.common.openapi import problem_spec as _problem
from service.common.params import ClassCode, PageNumber, PageSize, PathId, QueryId, RegionCode
from service.common.schemas import Page
from service.common.time import utcnow
from service.db import Database

TAGS = ["catalogue"]
DB = NamedDependency[Database]
User = NamedDependency[Principal]
# Defaults live outside `Annotated` (defaults inside are deprecated in Litestar 2.25).
Q = Annotated[str | None, QueryParameter(max_length=200, description="words, all must match")]
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="ETag of the version being changed")
]


WRITE_ERRORS = {
    403: _problem("Not a manager of the instrument nor an admin of its institution"),
    404: _problem("No such instrument"),
    409: _problem("The instrument is retired"),
    412: _problem("If-Match names an older version"),
    422: _problem("Invalid field values or unknown category/institution"),
}


def _with_etag(body: InstrumentOut, status: int = 200) -> Response[InstrumentOut]:
    headers = {"ETag": rules.etag(body.version)}
    if status == 201:
        headers["Location"] = f"/api/v1/instruments/{body.id}"
    return Response(body, status_code=status, headers=headers)


@get("/api/v1/regions", operation_id="listRegions", tags=TAGS)
async def list_regions(db: DB) -> list[RegionOut]:
    return await directory.list_regions(db)


@get("/api/v1/categories", operation_id="listCategories", tags=TAGS)
async def list_categories(db: DB) -> list[CategoryOut]:
    """The 15 national classes (大类), each with its 中类 and their 小类."""
    return await directory.category_tree(db)


@get(
    "/api/v1/institutions",
    operation_id="listInstitutions",
    tags=TAGS,
    responses={422: _problem("Unknown region or kind")},
)
async def list_institutions(
    db: DB,
    region: RegionCode = None,
    kind: Annotated[str | None, QueryParameter(max_length=40)] = None,
    q: Q = None,
    *,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> Page[InstitutionOut]:
    return await directory.list_institutions(db, region, kind, q, page=page, page_size=page_size)


@get("/api/v1/institutions/{institution_id:int}", operation_id="getInstitution", tags=TAGS)
async def get_institution(db: DB, institution_id: PathId) -> InstitutionOut:
    return await directory.get_institution(db, institution_id)


@post(
    "/api/v1/institutions",
    operation_id="createInstitution",
    tags=TAGS,
    responses={403: _problem("Platform admins only"), 409: _problem("Code already taken")},
)
async def create_institution(db: DB, user: User, data: JSONBody[InstitutionIn]) -> InstitutionOut:
    return await directory.create_institution(db, user, data)


@patch(
    "/api/v1/institutions/{institution_id:int}",
    operation_id="updateInstitution",
    tags=TAGS,
    responses={403: _problem("Platform admins only"), 404: _problem("No such institution")},
)
async def update_institution(
    db: DB, user: User, institution_id: PathId, data: JSONBody[InstitutionPatchIn]
) -> InstitutionOut:
    return await directory.update_institution(db, user, institution_id, data)


@get(
    "/api/v1/instruments",
    operation_id="listInstruments",
    tags=TAGS,
    responses={422: _problem("Unknown filter value, region or category; bad page")},
)
async def list_instruments(
    db: DB,
    q: Q = None,
    region: RegionCode = None,
    institution: QueryId = None,
    *,
    category: ClassCode = None,
    share_mode: Annotated[
        str | None, QueryParameter(description=", ".join(rules.SHARE_MODES))
    ] = None,
    status: Annotated[str | None, QueryParameter(description=", ".join(rules.STATUSES))] = None,
    value_min: Annotated[Decimal | None, QueryParameter(description="万元")] = None,
    value_max: Annotated[Decimal | None, QueryParameter(description="万元")] = None,
    instrument_type: Annotated[
        str | None, QueryParameter(name="type", description="general, special")
    ] = None,
    include_retired: Annotated[bool, QueryParameter(description="also list retired")] = False,
    sort: Annotated[str | None, QueryParameter(description=", ".join(rules.SORTS))] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> Page[InstrumentSummaryOut]:
    """Search the registry. `q` matches names (zh/en), model, manufacturer, specs and functions;
    `category` matches a class and all its sub-classes; retired instruments are left out unless
    `include_retired`."""
    params: dict[str, Any] = {
        "q": q,
        "region": region,
        "institution": institution,
        "category": category,
        "share_mode": share_mode,
        "status": status,
        "value_min": value_min,
        "value_max": value_max,
        "type": instrument_type,
        "include_retired": include_retired,
        "sort": sort,
    }
    return await instruments.list_instruments(db, params, page, page_size)


@get(
    "/api/v1/instruments/{instrument_id:int}",
    operation_id="getInstrument",
    tags=TAGS,
    responses={404: _problem("No such instrument")},
)
async def get_instrument(
    db: DB, principal: NamedDependency[Principal | None], instrument_id: PathId
) -> Response[InstrumentOut]:
    return _with_etag(await instruments.get_instrument(db, instrument_id, principal is not None))


@post(
    "/api/v1/instruments",
    operation_id="createInstrument",
    tags=TAGS,
    responses={k: v for k, v in WRITE_ERRORS.items() if k in (403, 422)},
)
async def create_instrument(
    db: DB, user: User, data: JSONBody[InstrumentIn]
) -> Response[InstrumentOut]:
    today = rules.latest_today(utcnow())
    return _with_etag(await instruments.create_instrument(db, user, data, today), 201)


@patch(
    "/api/v1/instruments/{instrument_id:int}",
    operation_id="updateInstrument",
    tags=TAGS,
    responses=WRITE_ERRORS,
)
async def update_instrument(
    db: DB,
    user: User,
    instrument_id: PathId,
    data: JSONBody[InstrumentPatchIn],
    *,
    if_match: IfMatch = None,
) -> Response[InstrumentOut]:
    """Change registry fields; `version` goes up by one. Send `If-Match` to refuse lost updates."""
    today = rules.latest_today(utcnow())
    version = rules.parse_if_match(if_match)
    body = await instruments.update_instrument(
        db, user, instrument_id, data, if_match=version, today=today
    )
    return _with_etag(body)


@post(
    "/api/v1/instruments/{instrument_id:int}/retire",
    operation_id="retireInstrument",
    tags=TAGS,
    status_code=200,
    responses={k: v for k, v in WRITE_ERRORS.items() if k in (403, 404, 409)},
)
async def retire_instrument(db: DB, user: User, instrument_id: PathId) -> Response[InstrumentOut]:
    """Take an instrument out of service for good; bookings and metrics keep referring to it."""
    return _with_etag(await instruments.retire_instrument(db, user, instrument_id))


ROUTES: list[Any] = [
    *routes_regions.ROUTES,
    *routes_reference.ROUTES,
    list_regions,
    list_categories,
    list_institutions,
    get_institution,
    create_institution,
    update_institution,
    list_instruments,
    get_instrument,
    create_instrument,
    update_instrument,
    retire_instrument,
]
