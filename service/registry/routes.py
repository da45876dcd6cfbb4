"""HTTP routes of the registry formats: catalogue export, service records, completeness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from service.accounts.principal import Principal
from service.common.openapi import JsonOrCsvOperation
from service.common.openapi import problem_spec as _problem
from service.common.params import DateFrom, DateTo, QueryId
from service.db import Database
from service.errors import Unprocessable
from service.metrics.csvout import MEDIA_TYPE as CSV
from service.metrics.csvout import disposition
from service.registry import check, export
from service.registry.rules import institutions_in_scope
from service.registry.schemas import (
    CompletenessOut,
    RegistryInstrumentOut,
    RegistryServiceRecordOut,
)
from service.settings import Settings

TAGS = ["registry"]
DB = NamedDependency[Database]
User = NamedDependency[Principal]
Format = Annotated[str, QueryParameter(name="format", pattern="^(json|csv)$")]
Header = Annotated[
    str, QueryParameter(pattern="^(en|zh)$", description="CSV header row: field names or Chinese")
]
ERRORS = {403: _problem("Platform admins and institution admins only")}


async def _answer(body: AsyncIterator[bytes], fmt: str, name: str) -> Stream | Response[bytes]:
    """CSV streams; JSON is gathered first, because a streamed answer takes the route's media
    type (CSV) whatever it says itself."""
    headers = disposition(f"{name}.{fmt}")
    if fmt == "csv":
        return Stream(body, media_type=CSV, headers=headers)
    content = b"".join([chunk async for chunk in body])
    return Response(content, media_type=MediaType.JSON, headers=headers)


@get(
    "/api/v1/registry/instruments",
    operation_id="registryCatalogueExport",
    tags=TAGS,
    media_type=CSV,
    operation_class=JsonOrCsvOperation,
    responses={
        200: ResponseSpec(
            data_container=list[RegistryInstrumentOut],
            description="CSV (text/csv, UTF-8 with BOM) or a JSON array of records",
        ),
        **ERRORS,
    },
)
async def catalogue_export(
    *,
    db: DB,
    user: User,
    settings: NamedDependency[Settings],
    export_format: Format = "csv",
    header: Header = "en",
    institution: QueryId = None,
    institution_columns: Annotated[
        bool, QueryParameter(description="append insName, insNameEn, insKind")
    ] = False,
) -> Stream | Response[bytes]:
    """The catalogue in the national registry's instrument fields and order (insCode, innerId,
    cname, …, shareMode, image, auditStatus) with the registry's Chinese values; retired
    instruments are left out. Institution admins get their own institutions."""
    scope = institutions_in_scope(user, institution)
    body = export.catalogue(
        db,
        scope,
        base_url=settings.base_url,
        fmt=export_format,
        chinese_header=header == "zh",
        with_institution=institution_columns,
    )
    return await _answer(body, export_format, "registry-instruments")


@get(
    "/api/v1/registry/service-records",
    operation_id="registryServiceRecords",
    tags=TAGS,
    media_type=CSV,
    operation_class=JsonOrCsvOperation,
    responses={
        200: ResponseSpec(
            data_container=list[RegistryServiceRecordOut],
            description="CSV (text/csv, UTF-8 with BOM) or a JSON array of records",
        ),
        403: _problem("Researchers see their own history under /api/v1/metrics/mine"),
        422: _problem("`to` not after `from`"),
    },
)
async def service_records_export(
    *,
    db: DB,
    user: User,
    date_from: DateFrom,
    date_to: DateTo,
    export_format: Format = "csv",
    header: Header = "en",
    service_scope: Annotated[
        str,
        QueryParameter(
            name="scope", pattern="^(external|all)$", description="external service only"
        ),
    ] = "external",
    institution: QueryId = None,
) -> Stream | Response[bytes]:
    """Completed usage sessions in the registry's service-record fields and order (insCode,
    innerId, amounts, serviceTime, …, applicatUnit, comment). By default only service to
    other legal entities (the registry file); `scope=all` adds internal use."""
    if date_to <= date_from:
        raise Unprocessable("`to` must be after `from`.")
    body = export.service_records(
        db,
        user,
        date_from,
        date_to,
        fmt=export_format,
        external_only=service_scope == "external",
        chinese_header=header == "zh",
        institution=institution,
    )
    return await _answer(body, export_format, f"registry-service-records-{date_from}-{date_to}")


@get(
    "/api/v1/registry/completeness",
    operation_id="registryCompleteness",
    tags=TAGS,
    responses=ERRORS,
)
async def completeness(db: DB, user: User, institution: QueryId = None) -> CompletenessOut:
    """Per instrument, the registry fields that are missing or out of bounds (see the README,
    "Registry formats", for the list of required fields)."""
    return await check.completeness(db, institutions_in_scope(user, institution))


ROUTES: list[Any] = [catalogue_export, service_records_export, completeness]
