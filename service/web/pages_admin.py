"""Platform administrators: the metrics dashboard (charts, flow heat map, best and worst shared
instruments against the national reference, exports), the directory (institutions, regions,
users) and the health of the outbox and the scheduled jobs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.params import QueryParameter, URLEncodedBody

from service.accounts import user_admin
from service.catalog import directory
from service.common.params import PageNumber, PathId
from service.common.time import local_to_utc, utcnow
from service.errors import Unprocessable
from service.metrics.definitions import definitions
from service.metrics.scope import Filters
from service.notifications import admin as outbox_admin
from service.notifications import circuit
from service.notifications.schemas import OutboxRetryIn
from service.scheduler.statuses import job_statuses
from service.web import charts, metrics_view
from service.web.forms import Token
from service.web.pages_calendar import problem_of
from service.web.view import DB, SettingsDep, ViewDep

Text = Annotated[str, QueryParameter(max_length=100)]
Region = Annotated[str, QueryParameter(max_length=16)]
EXPORT_GROUPS = ("region", "institution", "category", "instrument", "month")


def _require_admin(view: ViewDep) -> None:
    view.require(view.require_user().is_platform_admin)


def exports(
    period: metrics_view.Period, language: str, institution: int | None = None
) -> dict[str, str]:
    """Links to the API's CSV files (the same session cookie authorises them, and the API
    applies the same scope as the pages). The files for people have their header row in the
    page's language and ratios in percent; the registry file keeps its machine names."""
    span = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    people = {**span, "labels": language}
    scope = {} if institution is None else {"institution": str(institution)}
    links = {
        g: "/api/v1/metrics/sharing.csv?" + urlencode({**people, **scope, "group_by": g})
        for g in EXPORT_GROUPS
    }
    links["flows"] = "/api/v1/metrics/flows.csv?" + urlencode(people)
    links["registry"] = "/api/v1/metrics/service-records?" + urlencode({**span, "format": "csv"})
    links["monitoring"] = "/api/v1/metrics/monitoring.csv?" + urlencode(people)
    return links


@get("/admin/metrics", name="page-admin-metrics")
async def metrics_page(
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    date_from: Annotated[str, QueryParameter(name="from", max_length=10)] = "",
    *,
    date_to: Annotated[str, QueryParameter(name="to", max_length=10)] = "",
) -> Response[Any]:
    _require_admin(view)
    today = definitions(settings).today(utcnow())
    period, problem = metrics_view.period_or_problem(
        date_from, date_to, today, charts.default_period(today)
    )
    if problem:
        return view.render(
            "admin_metrics.html", status=422, problem=problem, period=period, data=None,
            exports=exports(period, view.language), presets=metrics_view.presets(today),
        )  # fmt: skip
    data = await metrics_view.dashboard(db, settings, view, period, filters=Filters())
    return view.render(
        "admin_metrics.html", problem=None, period=period, data=data, exports=exports(period, view.language),
        presets=data["presets"],
    )  # fmt: skip


@get("/admin/institutions", name="page-admin-institutions")
async def institutions_page(
    view: ViewDep, db: DB, q: Text = "", region: Region = "", *, page: PageNumber = 1
) -> Response[Any]:
    _require_admin(view)
    regions = await directory.list_regions(db)
    known = {r.code for r in regions}
    found = await directory.list_institutions(
        db, region if region in known else None, None, q or None, page=page, page_size=50
    )
    return view.render(
        "admin_institutions.html", page=found, regions=regions, q=q, region=region,
        section="institutions",
    )  # fmt: skip


@get("/admin/regions", name="page-admin-regions")
async def regions_page(view: ViewDep, db: DB) -> Response[Any]:
    _require_admin(view)
    regions = await directory.list_regions(db)
    found = await directory.list_institutions(db, None, None, None, page=1, page_size=200)
    counts: dict[str, int] = {}
    for institution in found.items:
        counts[institution.region_code] = counts.get(institution.region_code, 0) + 1
    return view.render("admin_regions.html", regions=regions, counts=counts, section="regions")


@get("/admin/users", name="page-admin-users")
async def users_page(view: ViewDep, db: DB, q: Text = "", page: PageNumber = 1) -> Response[Any]:
    _require_admin(view)
    found = await user_admin.list_users(
        db, view.actor(), institution=None, q=q or None, active=None, page=page, page_size=50
    )
    institutions = await directory.list_institutions(db, None, None, None, page=1, page_size=200)
    names = {i.id: view.pick(i.name_zh, i.name_en) for i in institutions.items}
    return view.render("admin_users.html", page=found, q=q, names=names, section="users")


class RetryDeadForm(msgspec.Struct):
    """The filters of "retry dead messages"; dates are days in the viewer's zone, both ends
    included."""

    kind: Annotated[str, msgspec.Meta(max_length=64)] = ""
    date_from: Annotated[str, msgspec.Meta(max_length=10)] = ""
    date_to: Annotated[str, msgspec.Meta(max_length=10)] = ""
    error: Annotated[str, msgspec.Meta(max_length=200)] = ""
    csrf_token: Token = ""


def _day_start(text: str, zone: ZoneInfo, days_after: int = 0) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        message = "Dates are written YYYY-MM-DD."
        raise Unprocessable(
            message, extra={"violations": [{"rule": "date", "message": message}]}
        ) from None
    return local_to_utc(day + timedelta(days=days_after), time(0), zone)


def _retry_filters(form: RetryDeadForm, zone_name: str) -> OutboxRetryIn:
    zone = ZoneInfo(zone_name)
    return OutboxRetryIn(
        kind=form.kind.strip() or None,
        created_from=_day_start(form.date_from, zone),
        created_to=_day_start(form.date_to, zone, days_after=1),
        error=form.error.strip() or None,
    )


async def _health(
    view: ViewDep, db: DB, page: int = 1, status: int = 200, **extra: Any
) -> Response[Any]:
    jobs = await job_statuses(db)
    outbox = await outbox_admin.overview(db, page, 20)
    mail = await circuit.status(db, utcnow())
    values: dict[str, Any] = {"problem": None, "form": RetryDeadForm(), "retried": None}
    return view.render(
        "admin_health.html", status=status, jobs=jobs, outbox=outbox, mail=mail, now=utcnow(),
        **{**values, **extra},
    )  # fmt: skip


@get("/admin/health", name="page-admin-health")
async def health_page(
    view: ViewDep,
    db: DB,
    page: PageNumber = 1,
    retried: Annotated[int | None, QueryParameter(ge=0, le=2**62)] = None,
) -> Response[Any]:
    _require_admin(view)
    return await _health(view, db, page, retried=retried)


@post("/admin/outbox/retry", name="page-admin-retry-dead", status_code=303)
async def retry_dead_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, data: URLEncodedBody[RetryDeadForm]
) -> Response[Any]:
    """The page's "retry dead messages": the same use case as the API's."""
    _require_admin(view)
    address = request.client.host if request.client else ""
    try:
        done = await outbox_admin.retry_matching(
            db, _retry_filters(data, view.viewer_zone), actor_user_id=view.actor().user_id,
            client_address=address,
        )  # fmt: skip
    except Unprocessable as exc:
        return await _health(view, db, status=422, problem=problem_of(exc, view), form=data)
    return view.redirect(f"/admin/health?retried={done.retried}")


@post("/admin/outbox/{outbox_id:int}/retry", name="page-admin-retry", status_code=303)
async def retry_submit(view: ViewDep, db: DB, outbox_id: PathId) -> Response[Any]:
    _require_admin(view)
    await outbox_admin.retry(db, outbox_id)
    return view.redirect("/admin/health", ok="retried")


ROUTES = [
    metrics_page,
    institutions_page,
    regions_page,
    users_page,
    health_page,
    retry_submit,
    retry_dead_submit,
]
