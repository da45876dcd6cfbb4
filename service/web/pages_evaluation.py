"""Evaluators (third-party evaluation agencies): the institutions they evaluate, with their
figures pages and the exports, for a chosen period. Read-only; every read is audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Response, get
from litestar.params import QueryParameter

from service.common.time import utcnow
from service.evaluators import assign
from service.metrics.definitions import definitions, last_complete_year
from service.surveys.lookups import list_surveys
from service.web import metrics_view
from service.web.view import DB, SettingsDep, ViewDep


def evaluation_exports(
    period: metrics_view.Period, institution_id: int, language: str
) -> dict[str, str]:
    span = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    one = {**span, "institution": str(institution_id), "labels": language}
    return {
        "figures": f"/institution/{institution_id}/figures?" + urlencode(span),
        "instruments": "/api/v1/metrics/sharing.csv?"
        + urlencode({**one, "group_by": "instrument"}),
        "evaluation": f"/api/v1/metrics/institutions/{institution_id}/evaluation?"
        + urlencode(span),
    }


@get("/evaluation", name="page-evaluation")
async def evaluation_page(
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    date_from: Annotated[str, QueryParameter(name="from", max_length=10)] = "",
    *,
    date_to: Annotated[str, QueryParameter(name="to", max_length=10)] = "",
) -> Response[Any]:
    user = view.require_user()
    view.require(user.is_evaluator)
    today = definitions(settings).today(utcnow())
    period, problem = metrics_view.period_or_problem(
        date_from, date_to, today, last_complete_year(today)
    )
    institutions = await assign.assigned_institutions(db, user)
    surveys = await list_surveys(db, utcnow())
    span = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return view.render(
        "evaluation.html", status=422 if problem else 200, problem=problem, period=period,
        institutions=institutions, presets=metrics_view.presets(today),
        links={i["id"]: evaluation_exports(period, i["id"], view.language) for i in institutions},
        records="/api/v1/metrics/service-records?" + urlencode({**span, "format": "csv"}),
        monitoring="/api/v1/metrics/monitoring.csv?" + urlencode(span),
        surveys=surveys,
    )  # fmt: skip


ROUTES = [evaluation_page]
