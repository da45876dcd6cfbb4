"""The figures the dashboard and the institution pages show, read through the metrics service
(so each viewer's scope is the service's: an institution admin's totals never include another
institution's instruments) and shaped for the templates.

Pages open on the last complete month (and show the last complete year beside it), never count
days that have not happened (a range reaching into the future is cut at the end of today), and
compare with the national averages of one reference year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from service.accounts.principal import Principal
from service.catalog.lookups import instruments_by_id
from service.common.i18n import N_
from service.common.time import utcnow
from service.db import Database
from service.errors import Unprocessable
from service.metrics import figures, flows
from service.metrics.definitions import (
    REFERENCE_EFFECTIVE_HOURS,
    REFERENCE_EXTERNAL_HOURS,
    REFERENCE_SOURCE,
    REFERENCE_YEAR,
    Definitions,
    clamp_to_today,
    current_month,
    definitions,
    last_complete_month,
    last_complete_year,
)
from service.metrics.dirty import freshness
from service.metrics.periods import check_range
from service.metrics.schemas import MetricsRowOut, ReferenceOut
from service.metrics.scope import Filters
from service.metrics.sharing import Query, sharing_table
from service.settings import Settings
from service.web import charts, formatting, labels
from service.web.view import View


@dataclass
class Period:
    start: date
    end: date
    #: The range asked for reached past today and was cut there.
    clamped: bool = False


def read_period(date_from: str, date_to: str, today: date) -> Period:
    """The `from`/`to` query values, or the last complete month when absent; cut at today."""
    default = last_complete_month(today)
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
    cut = clamp_to_today(start, end, today)
    return Period(cut[0], cut[1], clamped=cut[1] != end)


def period_or_problem(
    date_from: str, date_to: str, today: date, default: tuple[date, date] | None = None
) -> tuple[Period, dict[str, Any] | None]:
    """The period asked for, or (with the problem to show) the default one."""
    fallback = default or last_complete_month(today)
    try:
        return read_period(
            date_from or fallback[0].isoformat(), date_to or fallback[1].isoformat(), today
        ), None
    except Unprocessable as exc:
        problem = {"status": 422, "title": exc.title, "detail": exc.detail}
        return read_period(fallback[0].isoformat(), fallback[1].isoformat(), today), problem


def presets(today: date) -> list[tuple[str, date, date]]:
    """Quick choices of the period form: (label, from, to)."""
    month, year = last_complete_month(today), last_complete_year(today)
    this_month = current_month(today)
    return [
        (N_("Last 12 complete months"), *charts.default_period(today)),
        (N_("Last complete month"), *month),
        (N_("Last complete year"), *year),
        (N_("This month so far"), this_month[0], today + timedelta(days=1)),
        (N_("This year so far"), date(today.year, 1, 1), today + timedelta(days=1)),
    ]


def chart_names(view: View) -> dict[str, str]:
    return {
        "effective": view.t("Effective hours"),
        "external": view.t("External service hours"),
        "cross": view.t("Cross-region hours"),
        "rate": view.t("Sharing rate"),
        "hours": view.t("Hours"),
        "rate_axis": view.t("Sharing rate (%)"),
        "in_progress": view.t("in progress"),
    }


def _query(
    settings: Settings, user: Principal, period: Period, group_by: str, *, filters: Filters
) -> Query:
    until = definitions(settings).quota_until(utcnow())
    return Query(user, period.start, period.end, group_by, filters=filters, quota_until=until)


async def table(
    db: Database, settings: Settings, user: Principal, period: Period, *, group_by: str,
    filters: Filters, language: str,
) -> tuple[list[MetricsRowOut], MetricsRowOut]:  # fmt: skip
    query = _query(settings, user, period, group_by, filters=filters)
    quota = (settings.quota_general_hours, settings.quota_special_hours)
    return await sharing_table(db, query, language, quota)


def reference(
    settings: Settings, user: Principal, totals: MetricsRowOut, period: Period
) -> ReferenceOut:
    fraction = _query(settings, user, period, "region", filters=Filters()).quota_fraction()
    return figures.reference(totals, fraction)


async def split_by_value(
    db: Database, settings: Settings, view: View, period: Period, *, filters: Filters
) -> dict[str, MetricsRowOut]:
    """Totals of the evaluated instruments and, apart, of the smaller ones."""
    user, defs = view.require_user(), definitions(settings)
    t = defs.evaluated_min_value
    evaluated = Filters(**{**_fields(filters), "value_min": max(t, filters.value_min or t)})
    smaller = Filters(**{**_fields(filters), "value_below": t})
    return {
        "evaluated": (
            await table(
                db,
                settings,
                user,
                period,
                group_by="region",
                filters=evaluated,
                language=view.language,
            )
        )[1],
        "smaller": (
            await table(
                db,
                settings,
                user,
                period,
                group_by="region",
                filters=smaller,
                language=view.language,
            )
        )[1],
    }


def _fields(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in filters.__dataclass_fields__}


def definition_texts(view: View, settings: Settings) -> dict[str, str]:
    """Each figure's definition in the viewer's language, with the settings in force."""
    defs: Definitions = definitions(settings)
    values = {
        "general": settings.quota_general_hours,
        "special": settings.quota_special_hours,
        "quota": view.t(labels.QUOTA_SPANS[defs.quota_in_progress]),
        "threshold": f"{defs.evaluated_min_value:g}",
        "yuan": formatting.yuan_of_wan(defs.evaluated_min_value),
        "base": view.t(labels.NORMAL_BASES[defs.normal_ratio_base]),
        "year": REFERENCE_YEAR,
        "effective": f"{REFERENCE_EFFECTIVE_HOURS:,.0f}",
        "external": f"{REFERENCE_EXTERNAL_HOURS:,.0f}",
        "rate": f"{REFERENCE_EXTERNAL_HOURS / REFERENCE_EFFECTIVE_HOURS * 100:.1f}%",
        "source": view.pick(*REFERENCE_SOURCE),
    }
    return {key: view.t(text, **values) for key, text in labels.FIGURE_DEFINITIONS.items()}


async def context(db: Database, settings: Settings, view: View, period: Period) -> dict[str, Any]:
    """What every figures page shows around the figures: how fresh they are, which
    definitions they use, and the quick periods."""
    defs: Definitions = definitions(settings)
    today = defs.today(utcnow())
    return {
        "freshness": await freshness(db),
        "defs": defs,
        "definitions": definition_texts(view, settings),
        "presets": presets(today),
        "today": today,
        "min_ranked_hours": charts.MIN_RANKED_HOURS,
    }


async def dashboard(
    db: Database, settings: Settings, view: View, period: Period, *, filters: Filters
) -> dict[str, Any]:
    """Everything the platform dashboard shows, for one period."""
    user = view.require_user()
    groups = ("region", "institution", "category", "month", "instrument")
    # One grouping at a time: each already runs its four queries at once, and the pool is shared.
    by = {
        g: await table(
            db, settings, user, period, group_by=g, filters=filters, language=view.language
        )
        for g in groups
    }
    flow_query = Query(user, period.start, period.end, "region", filters=filters)
    regions, matrix = await flows.flow_matrix(db, flow_query, view.language)
    names = chart_names(view)
    totals = by["region"][1]
    best, worst = charts.ranked(by["instrument"][0])
    today = definitions(settings).today(utcnow())
    year = Period(*last_complete_year(today))
    year_totals = (
        await table(
            db, settings, user, year, group_by="region", filters=filters, language=view.language
        )
    )[1]
    return {
        "totals": totals,
        "reference": reference(settings, user, totals, period),
        "year": {
            "period": year,
            "totals": year_totals,
            "reference": reference(settings, user, year_totals, year),
        },  # fmt: skip
        "split": await split_by_value(db, settings, view, period, filters=filters),
        "rows": {g: by[g][0] for g in groups},
        "charts": {
            "region": charts.hours_and_rate(by["region"][0], names),
            "institution": charts.hours_and_rate(by["institution"][0], names),
            "category": charts.hours_and_rate(by["category"][0], names),
            "month": charts.monthly_trend(
                by["month"][0], names, charts.month_in_progress(period.end, today)
            ),
        },
        "heat": charts.heat_map(regions, matrix),
        "best": best,
        "worst": worst,
        "ranked_instruments": await ranked_instruments(db, best + worst),
        **await context(db, settings, view, period),
    }


async def ranked_instruments(db: Database, rows: list[MetricsRowOut]) -> dict[str, Any]:
    """Institution names of the ranked instruments (rows are keyed by instrument id)."""
    ids = {int(r.key) for r in rows if r.key.isdigit()}
    return {str(k): v for k, v in (await instruments_by_id(db, ids)).items()}


async def institution_figures(
    db: Database, settings: Settings, view: View, period: Period, *, institution_id: int
) -> dict[str, Any]:
    user = view.require_user()
    filters = Filters(institution=institution_id)
    rows, totals = await table(
        db, settings, user, period, group_by="instrument", filters=filters, language=view.language
    )
    months, _ = await table(
        db, settings, user, period, group_by="month", filters=filters, language=view.language
    )
    best, worst = charts.ranked(rows)
    today = definitions(settings).today(utcnow())
    return {
        "totals": totals,
        "reference": reference(settings, user, totals, period),
        "split": await split_by_value(db, settings, view, period, filters=filters),
        "instrument_rows": rows,
        "trend": charts.monthly_trend(
            months, chart_names(view), charts.month_in_progress(period.end, today)
        ),
        "best": best,
        "worst": worst,
        "ranked_instruments": await ranked_instruments(db, best + worst),
        **await context(db, settings, view, period),
    }
