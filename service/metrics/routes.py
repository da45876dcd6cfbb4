"""HTTP routes of the metrics: sharing-rate table, flows, evaluation ratios, service records,
a researcher's own history, and satisfaction ratings.

Ranges are half-open `[from, to)` of local dates (each instrument's own zone): `from=2025-01-01
&to=2026-01-01` is the year 2025.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from litestar import MediaType, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from service.accounts.principal import Principal
from service.common.openapi import JsonOrCsvOperation
from service.common.openapi import problem_spec as _problem
from service.common.params import (
    ClassCode,
    DateFrom,
    DateTo,
    OptionalDateFrom,
    OptionalDateTo,
    PageNumber,
    PageSize,
    PathId,
    QueryId,
    RegionCode,
)
from service.common.time import utcnow
from service.db import Database
from service.errors import Unprocessable
from service.metrics import columns, csvout, figures, flows, mine, ratings, records
from service.metrics.definitions import definitions
from service.metrics.http import (
    DB,
    ERRORS,
    TAGS,
    AnyRequest,
    Conf,
    User,
)
from service.metrics.http import check as _range
from service.metrics.http import language as _language
from service.metrics.routes_reports import ROUTES as REPORT_ROUTES
from service.metrics.schemas import (
    FlowsOut,
    GroupBy,
    InstrumentType,
    MetricsRowOut,
    MineOut,
    RatingIn,
    RatingOut,
    ServiceRecordsOut,
    ShareMode,
    SharingOut,
)
from service.metrics.scope import Filters, require_metrics_role
from service.metrics.sharing import Query, sharing_page, sharing_table
from service.settings import Settings

ValueF = Annotated[Decimal | None, QueryParameter(description="original value at least, in 万元")]
ShareF = Annotated[ShareMode | None, QueryParameter()]
TypeF = Annotated[InstrumentType | None, QueryParameter(name="type")]


def _query(
    user: Principal, date_from: date, date_to: date, group_by: str, *, f: Filters,
    quota_until: date | None = None,
) -> Query:  # fmt: skip
    _range(date_from, date_to)
    # NaN is not ordered: compared with `<=` it raises instead of failing the check.
    if f.value_min is not None and not (f.value_min.is_finite() and 0 <= f.value_min <= 10_000_000):
        message = "value_min is an original value in 万元, from 0 to 10,000,000."
        raise Unprocessable(
            message, extra={"violations": [{"rule": "value_min", "message": message}]}
        )
    require_metrics_role(user)
    return Query(user, date_from, date_to, group_by, filters=f, quota_until=quota_until)


async def _table(
    db: Database, settings: Settings, q: Query, language: str
) -> tuple[list[MetricsRowOut], MetricsRowOut]:
    quota = (settings.quota_general_hours, settings.quota_special_hours)
    return await sharing_table(db, q, language, quota)


async def _sharing_query(
    user: User,
    settings: Conf,
    date_from: DateFrom,
    date_to: DateTo,
    *,
    group_by: Annotated[GroupBy, QueryParameter()] = "instrument",
    institution: QueryId = None,
    region: RegionCode = None,
    category: ClassCode = None,
    value_min: ValueF = None,
    share_mode: ShareF = None,
    instrument_type: TypeF = None,
) -> Query:
    """The selection of the sharing table, shared by its JSON and CSV routes. Quota hours of a
    period in progress follow `QUOTA_IN_PROGRESS`."""
    f = Filters(institution, region, category, value_min, share_mode, instrument_type)
    until = definitions(settings).quota_until(utcnow())
    return _query(user, date_from, date_to, group_by, f=f, quota_until=until)


_SHARING_QUERY = {"sharing_query": Provide(_sharing_query)}
SharingQuery = NamedDependency[Query]


@get(
    "/api/v1/metrics/sharing",
    operation_id="metricsSharing",
    tags=TAGS,
    responses=ERRORS,
    dependencies=_SHARING_QUERY,
)
async def sharing(
    request: AnyRequest,
    db: DB,
    user: User,
    settings: Conf,
    *,
    sharing_query: SharingQuery,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> SharingOut:
    """Effective, external and cross-region hours, sharing rate (external ÷ effective) and
    utilisation (effective ÷ quota hours, pro-rated to the range) per group, over the instruments
    the caller may see; `category` matches a class and its sub-classes; `value_min` in 万元."""
    q = sharing_query
    quota = (settings.quota_general_hours, settings.quota_special_hours)
    rows, totals, total = await sharing_page(
        db, q, _language(request, user), quota, limit=page_size, offset=(page - 1) * page_size
    )
    return SharingOut(
        rows=rows,
        totals=totals,
        reference=figures.reference(totals, q.quota_fraction()),
        date_from=q.date_from,
        date_to=q.date_to,
        group_by=q.group_by,
        total=total,
        page=page,
        page_size=page_size,
    )


@get(
    "/api/v1/metrics/sharing.csv",
    operation_id="metricsSharingCsv",
    tags=TAGS,
    responses=ERRORS,
    dependencies=_SHARING_QUERY,
    media_type=csvout.MEDIA_TYPE,
)
async def sharing_csv(
    request: AnyRequest,
    db: DB,
    user: User,
    settings: Conf,
    *,
    sharing_query: SharingQuery,
    labels: columns.Labelled = None,
) -> Response[bytes]:
    """The same rows as CSV (all of them, no paging), UTF-8 with a byte-order mark."""
    q = sharing_query
    rows, _ = await _table(db, settings, q, labels or _language(request, user))
    fields = list(MetricsRowOut.__struct_encode_fields__)
    body = columns.structs(rows, fields, labels)
    name = f"sharing-{q.group_by}-{q.date_from}-{q.date_to}.csv"
    return Response(body, media_type=csvout.MEDIA_TYPE, headers=csvout.disposition(name))


async def _flows(request: AnyRequest, db: Database, user: Principal, q: Query) -> FlowsOut:
    return await _flows_in(db, q, _language(request, user))


async def _flows_in(db: Database, q: Query, language: str) -> FlowsOut:
    regions, matrix = await flows.flow_matrix(db, q, language)
    return FlowsOut(regions=regions, matrix=matrix, date_from=q.date_from, date_to=q.date_to)


@get("/api/v1/metrics/flows", operation_id="metricsFlows", tags=TAGS, responses=ERRORS)
async def flow_matrix(
    request: AnyRequest,
    db: DB,
    user: User,
    date_from: DateFrom,
    *,
    date_to: DateTo,
    institution: QueryId = None,
    region: RegionCode = None,
    category: ClassCode = None,
) -> FlowsOut:
    """Hours used by users of each region (`from_region`) on instruments of each region
    (`to_region`), over the caller's visible instruments."""
    q = _query(user, date_from, date_to, "region", f=Filters(institution, region, category))
    return await _flows(request, db, user, q)


@get(
    "/api/v1/metrics/flows.csv",
    operation_id="metricsFlowsCsv",
    tags=TAGS,
    responses=ERRORS,
    media_type=csvout.MEDIA_TYPE,
)
async def flow_matrix_csv(
    request: AnyRequest,
    db: DB,
    user: User,
    date_from: DateFrom,
    *,
    date_to: DateTo,
    institution: QueryId = None,
    region: RegionCode = None,
    category: ClassCode = None,
    labels: columns.Labelled = None,
) -> Response[bytes]:
    q = _query(user, date_from, date_to, "region", f=Filters(institution, region, category))
    out = await _flows(request, db, user, q) if not labels else await _flows_in(db, q, labels)
    names = {r.code: r.label for r in out.regions}
    rows = [
        [
            m.from_region,
            names.get(m.from_region, ""),
            m.to_region,
            names.get(m.to_region, ""),
            m.hours,
        ]
        for m in out.matrix
    ]
    header = ["from_region", "from_label", "to_region", "to_label", "hours"]
    body = (
        columns.table(header, rows, labels)
        if labels
        else "".join(csvout.lines(header, rows)).encode("utf-8")
    )
    name = f"flows-{date_from}-{date_to}.csv"
    return Response(body, media_type=csvout.MEDIA_TYPE, headers=csvout.disposition(name))


@get("/api/v1/metrics/mine", operation_id="metricsMine", tags=TAGS, responses=ERRORS)
async def my_usage(
    request: AnyRequest,
    db: DB,
    user: User,
    date_from: OptionalDateFrom = None,
    *,
    date_to: OptionalDateTo = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> MineOut:
    """The caller's own sessions (newest first) and hours per instrument."""
    if date_from and date_to:
        _range(date_from, date_to)
    return await mine.my_usage(
        db,
        user,
        date_from,
        date_to,
        language=_language(request, user),
        page=page,
        page_size=page_size,
    )


@get(
    "/api/v1/metrics/service-records",
    operation_id="metricsServiceRecords",
    tags=TAGS,
    responses={**ERRORS, 200: ResponseSpec(ServiceRecordsOut, description="A page of records")},
    # The streamed CSV takes the route's media type; the JSON page sets its own.
    media_type=csvout.MEDIA_TYPE,
    operation_class=JsonOrCsvOperation,
)
async def service_records(
    db: DB,
    user: User,
    date_from: DateFrom,
    date_to: DateTo,
    *,
    export_format: Annotated[str, QueryParameter(name="format", pattern="^(json|csv)$")] = "json",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Response[ServiceRecordsOut] | Stream:
    """Completed usage sessions in the national registry's field names (`serviceTime`,
    `serviceWay`, `serviceAmount`, `applicant`, `applicatUnit`, `amounts`, …), selected by local
    start date. `format=csv` streams the whole range (no paging), UTF-8 with a byte-order mark."""
    _range(date_from, date_to)
    require_metrics_role(user)
    if export_format == "csv":
        name = f"service-records-{date_from}-{date_to}.csv"
        return Stream(
            records.records_csv(db, user, date_from, date_to),
            media_type=csvout.MEDIA_TYPE,
            headers=csvout.disposition(name),
        )
    items, total = await records.records_page(
        db, user, date_from, date_to, page=page, page_size=page_size
    )
    body = ServiceRecordsOut(items=items, total=total, page=page, page_size=page_size)
    return Response(body, media_type=MediaType.JSON)


@post(
    "/api/v1/bookings/{booking_id:int}/rating",
    operation_id="rateBooking",
    tags=TAGS,
    responses={
        404: _problem("No such booking of yours"),
        409: _problem("Not completed yet, or already rated (a rating is final)"),
        422: _problem("Rating not 1..5 or a scale label; comment over 1000 characters"),
    },
)
async def rate_booking(
    db: DB, user: User, booking_id: PathId, data: JSONBody[RatingIn]
) -> RatingOut:
    """Rate a completed booking on the registry's five levels: 5 非常满意, 4 基本满意, 3 一般,
    2 不满意, 1 极差 (the number or the word; 满意 is read as 基本满意). Only the booker, once."""
    return await ratings.rate(db, user, booking_id, data)


ROUTES: list[Any] = [
    sharing,
    sharing_csv,
    flow_matrix,
    flow_matrix_csv,
    my_usage,
    service_records,
    rate_booking,
    *REPORT_ROUTES,
]
