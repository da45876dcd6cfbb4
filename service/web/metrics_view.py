"""The figures the dashboard and the institution pages show, read through the metrics service
(so each viewer's scope is the service's: an institution admin's totals never include another
institution's instruments) and shaped for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.accounts.principal import Principal
from service.db import Database
from service.errors import Unprocessable
from service.metrics import figures, flows
from service.metrics.periods import check_range, year_fraction
from service.metrics.schemas import MetricsRowOut, ReferenceOut
from service.metrics.scope import Filters
from service.metrics.sharing import Query, sharing_table
from service.settings import Settings
from service.web import charts
from service.web.view import View


@dataclass
class Period:
    start: date
    end: date


def read_period(date_from: str, date_to: str, today: date) -> Period:
    """The `from`/`to` query values, or the last twelve months when absent."""
    default = charts.default_period(today)
    try:
        start = date.fromisoformat(date_from) if date_from else default[0]
        end = date.fromisoformat(date_to) if date_to else default[1]
    except ValueError:
        raise Unprocessable(
            "Dates are written YYYY-MM-DD.",
            extra={"violations": [{"rule": "range", "message": "Dates are written YYYY-MM-DD."}]},
        ) from None
    problem = check_range(start, end)
    if problem:
        raise Unprocessable(problem, extra={"violations": [{"rule": "range", "message": problem}]})
    return Period(start, end)


def chart_names(view: View) -> dict[str, str]:
    return {
        "effective": view.t("Effective hours"),
        "external": view.t("External service hours"),
        "cross": view.t("Cross-region hours"),
        "rate": view.t("Sharing rate"),
        "hours": view.t("Hours"),
        "rate_axis": view.t("Sharing rate (%)"),
    }


async def table(
    db: Database, settings: Settings, user: Principal, period: Period, group_by: str,
    filters: Filters, language: str,
) -> tuple[list[MetricsRowOut], MetricsRowOut]:  # fmt: skip
    query = Query(user, period.start, period.end, group_by, filters)
    quota = (settings.quota_general_hours, settings.quota_special_hours)
    return await sharing_table(db, query, language, quota)


def reference(totals: MetricsRowOut, period: Period) -> ReferenceOut:
    return figures.reference(totals, year_fraction(period.start, period.end))


async def dashboard(
    db: Database, settings: Settings, view: View, period: Period, filters: Filters
) -> dict[str, Any]:
    """Everything the platform dashboard shows, for one period."""
    user = view.require_user()
    groups = ("region", "institution", "category", "month", "instrument")
    # One grouping at a time: each already runs its four queries at once, and the pool is shared.
    by = {g: await table(db, settings, user, period, g, filters, view.language) for g in groups}
    flow_query = Query(user, period.start, period.end, "region", filters)
    regions, matrix = await flows.flow_matrix(db, flow_query, view.language)
    names = chart_names(view)
    totals = by["region"][1]
    best, worst = charts.ranked(by["instrument"][0])
    return {
        "totals": totals,
        "reference": reference(totals, period),
        "rows": {g: by[g][0] for g in groups},
        "charts": {
            "region": charts.hours_and_rate(by["region"][0], names),
            "institution": charts.hours_and_rate(by["institution"][0], names),
            "category": charts.hours_and_rate(by["category"][0], names),
            "month": charts.monthly_trend(by["month"][0], names),
        },
        "heat": charts.heat_map(regions, matrix),
        "best": best,
        "worst": worst,
    }


async def institution_figures(
    db: Database, settings: Settings, view: View, period: Period, institution_id: int
) -> dict[str, Any]:
    user = view.require_user()
    filters = Filters(institution=institution_id)
    rows, totals = await table(db, settings, user, period, "instrument", filters, view.language)
    months, _ = await table(db, settings, user, period, "month", filters, view.language)
    best, worst = charts.ranked(rows)
    return {
        "totals": totals,
        "reference": reference(totals, period),
        "instrument_rows": rows,
        "trend": charts.monthly_trend(months, chart_names(view)),
        "best": best,
        "worst": worst,
    }
