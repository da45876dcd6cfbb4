"""HTTP routes of the evaluation reports: an institution's evaluation ratios, and the province's
monitoring-indicator report (JSON and CSV). Both default to the last complete year, as the
national evaluation is yearly, and cover what the caller may see (platform admins: everything;
institution admins and evaluators: their institutions)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from service.common.openapi import problem_spec
from service.common.params import OptionalDateFrom, OptionalDateTo, PathId
from service.common.time import utcnow
from service.metrics import columns, csvout, evaluation, monitoring
from service.metrics.definitions import definitions, last_complete_year
from service.metrics.http import (
    DB,
    ERRORS,
    TAGS,
    AnyRequest,
    Conf,
    User,
    language,
    period_or,
)
from service.metrics.schemas import EvaluationOut, MonitoringOut, MonitoringRowOut
from service.metrics.scope import Filters, require_metrics_role
from service.metrics.sharing import Query
from service.settings import Settings


@get(
    "/api/v1/metrics/institutions/{institution_id:int}/evaluation",
    operation_id="metricsInstitutionEvaluation",
    tags=TAGS,
    responses={**ERRORS, 404: problem_spec("No such institution among those you administer")},
)
async def institution_evaluation(
    request: AnyRequest,
    db: DB,
    user: User,
    settings: Conf,
    *,
    institution_id: PathId,
    date_from: OptionalDateFrom = None,
    date_to: OptionalDateTo = None,
) -> EvaluationOut:
    """The count-based ratios over a period (default: the last complete year). 外部共享比例
    counts the instruments that actually served an outside legal entity in the period; the
    declared share mode is `declared_external_ratio`; instruments below the value threshold are
    reported apart (`below_threshold`)."""
    defs = definitions(settings)
    period = period_or(date_from, date_to, last_complete_year(defs.today(utcnow())))
    return await evaluation.evaluate(
        db, user, institution_id, language(request, user), period=period, defs=defs
    )


async def _report(
    db: DB, user: User, settings: Settings, date_from: Any, *, date_to: Any
) -> MonitoringOut:
    defs = definitions(settings)
    period = period_or(date_from, date_to, last_complete_year(defs.today(utcnow())))
    require_metrics_role(user)
    q = Query(
        user,
        period[0],
        period[1],
        "institution",
        filters=Filters(),
        quota_until=defs.quota_until(utcnow()),
    )
    quota = (settings.quota_general_hours, settings.quota_special_hours)
    return await monitoring.monitoring_report(db, q, defs, quota)


@get(
    "/api/v1/metrics/monitoring",
    operation_id="metricsMonitoringReport",
    tags=TAGS,
    responses=ERRORS,
)
async def monitoring_report(
    db: DB,
    user: User,
    settings: Conf,
    date_from: OptionalDateFrom = None,
    *,
    date_to: OptionalDateTo = None,
) -> MonitoringOut:
    """The monitoring-indicator report: per institution (`level` institution), each region's
    subtotal (`region`) and the total (`total`), with usage figures and evaluation ratios in
    stable column names (see the README). Default period: the last complete year."""
    return await _report(db, user, settings, date_from, date_to=date_to)


@get(
    "/api/v1/metrics/monitoring.csv",
    operation_id="metricsMonitoringReportCsv",
    tags=TAGS,
    responses=ERRORS,
    media_type=csvout.MEDIA_TYPE,
)
async def monitoring_report_csv(
    db: DB,
    user: User,
    settings: Conf,
    date_from: OptionalDateFrom = None,
    *,
    date_to: OptionalDateTo = None,
    labels: columns.Labelled = None,
) -> Response[bytes]:
    """The same table as CSV (UTF-8 with a byte-order mark), one column per field."""
    report = await _report(db, user, settings, date_from, date_to=date_to)
    fields = list(MonitoringRowOut.__struct_encode_fields__)
    body = columns.structs(report.rows, fields, labels)
    name = f"monitoring-{report.date_from}-{report.date_to}.csv"
    return Response(body, media_type=csvout.MEDIA_TYPE, headers=csvout.disposition(name))


ROUTES: list[Any] = [institution_evaluation, monitoring_report, monitoring_report_csv]
