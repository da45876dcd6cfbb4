"""Institution admins: the institution's instruments with their managers (appoint, remove), the
institution's default booking policy, and its figures. Another institution's pages are 404:
an admin of A cannot even learn which ids B's pages have."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.params import QueryParameter, URLEncodedBody

from service.accounts import roles, user_admin
from service.availability import policy_edit as policies
from service.catalog import directory, instruments
from service.catalog.lookups import instruments_by_id, managers_by_instrument
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import Forbidden, NotFound, Unprocessable
from service.metrics import evaluation
from service.metrics.definitions import definitions
from service.web import labels, metrics_view
from service.web.forms import PolicyForm
from service.web.pages_admin import exports
from service.web.pages_calendar import WAYS, problem_of, read_policy
from service.web.view import DB, SettingsDep, View, ViewDep


class ManagerForm(msgspec.Struct):
    user_id: Annotated[int, msgspec.Meta(ge=0, le=2**62)] = 0
    instrument_id: Annotated[int, msgspec.Meta(ge=0, le=2**62)] = 0
    action: Literal["grant", "revoke"] = "grant"
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


def _administered(view: View, institution_id: int) -> None:
    """404, not 403: the institution's admin pages do not exist for anyone else."""
    if not view.require_user().is_admin_of(institution_id):
        raise NotFound("No such institution among those you administer.")


async def _instruments_page(
    view: ViewDep, db: DB, institution_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    _administered(view, institution_id)
    institution = await directory.get_institution(db, institution_id)
    found = await instruments.list_instruments(db, {"institution": institution_id}, 1, 200)
    members = await user_admin.list_users(
        db, view.actor(), institution=institution_id, q=None, active=True, page=1, page_size=200
    )
    values: dict[str, Any] = {"problem": None}
    return view.render(
        "institution.html", status=status, institution=institution, instruments=found,
        managers=await managers_by_instrument(db, institution_id),
        members=members.items, section="instruments", **{**values, **extra},
    )  # fmt: skip


@get("/institution/{institution_id:int}", name="page-institution")
async def institution_page(view: ViewDep, db: DB, institution_id: PathId) -> Response[Any]:
    return await _instruments_page(view, db, institution_id)


@post(
    "/institution/{institution_id:int}/managers", name="page-institution-managers", status_code=303
)
async def managers_submit(
    view: ViewDep, db: DB, institution_id: PathId, data: URLEncodedBody[ManagerForm]
) -> Response[Any]:
    _administered(view, institution_id)
    owner = await instruments_by_id(db, {data.instrument_id})
    if (
        data.instrument_id not in owner
        or owner[data.instrument_id]["institution_id"] != institution_id
    ):
        problem = {"status": 404, "title": "Not found",
                   "detail": view.t("Choose one of the institution's instruments.")}  # fmt: skip
        return await _instruments_page(view, db, institution_id, 404, problem=problem)
    try:
        await roles.set_instrument_manager(
            db, view.actor(), data.instrument_id, data.user_id, granted=data.action == "grant"
        )
    except (NotFound, Forbidden, Unprocessable) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _instruments_page(view, db, institution_id, exc.status, problem=problem)
    flash = "manager-granted" if data.action == "grant" else "manager-revoked"
    return view.redirect(f"/institution/{institution_id}", ok=flash)


async def _policy_page(
    view: ViewDep, db: DB, institution_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    _administered(view, institution_id)
    institution = await directory.get_institution(db, institution_id)
    policy = await policies.get_institution_policy(db, view.actor(), institution_id)
    values: dict[str, Any] = {"problem": None, "form": None}
    return view.render(
        "institution_policy.html", status=status, institution=institution, policy=policy,
        ways=WAYS, section="policy", action=f"/institution/{institution_id}/policy",
        **{**values, **extra},
    )  # fmt: skip


@get("/institution/{institution_id:int}/policy", name="page-institution-policy")
async def policy_page(view: ViewDep, db: DB, institution_id: PathId) -> Response[Any]:
    return await _policy_page(view, db, institution_id)


@post(
    "/institution/{institution_id:int}/policy",
    name="page-institution-policy-post",
    status_code=303,
)
async def policy_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    institution_id: PathId,
    *,
    data: URLEncodedBody[PolicyForm],
) -> Response[Any]:
    _administered(view, institution_id)
    policy, problem = await read_policy(request, view, data)
    if policy is not None:
        try:
            await policies.put_institution_policy(
                db, view.actor(), institution_id, policy, now=utcnow()
            )
        except Unprocessable as exc:
            problem = problem_of(exc, view)
    if problem is not None:
        return await _policy_page(view, db, institution_id, 422, problem=problem, form=data)
    return view.redirect(f"/institution/{institution_id}/policy", ok="policy-saved")


@get("/institution/{institution_id:int}/figures", name="page-institution-figures")
async def figures_page(
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    institution_id: PathId,
    *,
    date_from: Annotated[str, QueryParameter(name="from", max_length=10)] = "",
    date_to: Annotated[str, QueryParameter(name="to", max_length=10)] = "",
) -> Response[Any]:
    """For the institution's admins and its evaluators (who read, and change nothing)."""
    if not view.require_user().can_read_records(institution_id):
        raise NotFound("No such institution among those you administer.")
    institution = await directory.get_institution(db, institution_id)
    defs = definitions(settings)
    period, problem = metrics_view.period_or_problem(date_from, date_to, defs.today(utcnow()))
    ratios = await evaluation.evaluate(
        db, view.actor(), institution_id, view.language,
        period=(period.start, period.end), defs=defs,
    )  # fmt: skip
    data = await metrics_view.institution_figures(
        db, settings, view, period, institution_id=institution_id
    )
    return view.render(
        "institution_figures.html", status=422 if problem else 200, institution=institution,
        ratios=ratios, period=period, data=data, problem=problem, section="figures",
        ratio_names=labels.EVALUATION_RATIOS, exports=exports(period, view.language, institution_id),
        presets=data["presets"],
    )  # fmt: skip


ROUTES = [institution_page, managers_submit, policy_page, policy_submit, figures_page]
