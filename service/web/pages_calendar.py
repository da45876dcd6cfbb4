"""Managers edit an instrument's calendar and rules: weekly opening hours, closures (or special
hours) on given dates, and the booking policy with its fees. The same policy editor serves
an institution's default policy (see pages_institution)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody

from service.availability import opening_hours, sharing
from service.availability import policy_edit as policies
from service.availability.schemas import ClosureIn, OpeningHoursIn, SharedCalendarIn
from service.bookings import closures as closure_days
from service.catalog import instruments
from service.common import labels as code_labels
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import Conflict, Unprocessable
from service.policies.schemas import PolicyIn
from service.web import labels
from service.web.forms import (
    ClosureForm,
    PolicyForm,
    form_ints,
    form_strings,
    hours_text,
    parse_hours_text,
    policy_values,
)
from service.web.view import DB, View, ViewDep

WAYS = tuple(code_labels.SERVICE_WAYS)


def problem_of(exc: Conflict | Unprocessable, view: View) -> dict[str, Any]:
    """The problem details as the page shows them, with each violated rule."""
    violations = exc.extra.get("violations", []) if exc.extra else []
    return {"status": exc.status, "title": exc.title, "detail": exc.detail,
            "violations": violations}  # fmt: skip


def invalid(view: View, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    violations = [
        {"rule": f, "message": view.t("%(field)s: not a number.",
                                     field=view.t(labels.POLICY_FIELDS.get(f, f)))}
        for f in fields or []
    ]  # fmt: skip
    return {"status": 422, "title": "Unprocessable request", "detail": message,
            "violations": violations}  # fmt: skip


async def _hours_page(
    view: ViewDep, db: DB, instrument_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    actor = view.actor()
    hours = await opening_hours.get_opening_hours(db, actor, instrument_id)
    closures = await closure_days.list_closures(db, actor, instrument_id)
    instrument = await instruments.get_instrument(db, instrument_id, True)
    by_day: dict[int, list[tuple[str, str]]] = {d: [] for d in labels.WEEKDAYS}
    for h in hours.intervals:
        by_day[h.weekday].append((h.opens, h.closes))
    texts = {d: hours_text(v) for d, v in by_day.items()}
    values: dict[str, Any] = {
        "problem": None,
        "texts": texts,
        "closure_form": ClosureForm(),
        "closure_displaced": None,
        "sharing": await sharing.sharing_candidates(db, actor, instrument_id),
    }
    return view.render(
        "manage_hours.html", status=status, instrument=instrument, hours=hours,
        closures=closures, tab="hours", **{**values, **extra},
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}/hours", name="page-hours")
async def hours_page(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _hours_page(view, db, instrument_id)


@post("/manage/instruments/{instrument_id:int}/hours", name="page-hours-post", status_code=303)
async def hours_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, instrument_id: PathId
) -> Response[Any]:
    """Seven text fields, one per weekday, or the explicit choice of being open around the
    clock: seven empty fields alone are refused, since a manager who cleared them by mistake
    would otherwise open the instrument day and night without knowing it."""
    texts = {
        d: (await form_strings(request, f"day{d}", 1) or [""])[0][:200] for d in labels.WEEKDAYS
    }
    always = (await form_strings(request, "mode", 1) or [""])[0] == "always"
    intervals: list[dict[str, Any]] = []
    bad: list[str] = []
    for day, text in texts.items():
        found, wrong = parse_hours_text(day, text)
        intervals += found
        bad += wrong
    if always and any(t.strip() for t in texts.values()):
        message = view.t(
            "Choose either the weekly hours or around the clock: empty the days to be open "
            "around the clock."
        )
        return await _hours_page(
            view, db, instrument_id, 422, problem=invalid(view, message), texts=texts
        )
    if not always and not intervals and not bad:
        message = view.t(
            "Give the hours of at least one day, or choose to be open around the clock."
        )
        return await _hours_page(
            view, db, instrument_id, 422, problem=invalid(view, message), texts=texts
        )
    if bad:
        message = view.t("Write hours like 08:30-12:00, 13:30-17:30. Not understood: %(parts)s",
                         parts=", ".join(bad))  # fmt: skip
        return await _hours_page(
            view, db, instrument_id, 422, problem=invalid(view, message), texts=texts
        )
    try:
        data = msgspec.convert({"intervals": intervals}, OpeningHoursIn)
        await opening_hours.replace_opening_hours(db, view.actor(), instrument_id, data)
    except msgspec.ValidationError as exc:
        return await _hours_page(
            view, db, instrument_id, 422, problem=invalid(view, str(exc)), texts=texts
        )
    except Unprocessable as exc:
        return await _hours_page(
            view, db, instrument_id, 422, problem=problem_of(exc, view), texts=texts
        )
    return view.redirect(f"/manage/instruments/{instrument_id}/hours", ok="hours-saved")


@post(
    "/manage/instruments/{instrument_id:int}/closures",
    name="page-closure-post",
    status_code=303,
)
async def closure_submit(
    view: ViewDep, db: DB, instrument_id: PathId, data: URLEncodedBody[ClosureForm]
) -> Response[Any]:
    """First the preview (bookings it would leave outside the hours), then an explicit
    confirmation to cancel them, as for a maintenance block."""
    fields: dict[str, Any] = {"day": data.day, "reason": data.reason}
    if data.opens or data.closes:
        fields |= {"opens": data.opens or None, "closes": data.closes or None}
    fields["on_conflict"] = "cancel" if data.confirm == "cancel" else "fail"
    try:
        closure = msgspec.convert(fields, ClosureIn)
        if data.confirm != "cancel":
            displaced = await closure_days.add_closure(
                db, view.actor(), instrument_id, closure, now=utcnow(), dry_run=True
            )
            if displaced:
                return await _hours_page(
                    view, db, instrument_id, 200, closure_displaced=displaced, closure_form=data
                )
        await closure_days.add_closure(db, view.actor(), instrument_id, closure, now=utcnow())
    except msgspec.ValidationError:
        problem = invalid(view, view.t("Give a date; special hours need both times."))
        return await _hours_page(view, db, instrument_id, 422, problem=problem, closure_form=data)
    except (Conflict, Unprocessable) as exc:
        return await _hours_page(
            view, db, instrument_id, exc.status, problem=problem_of(exc, view), closure_form=data
        )
    return view.redirect(f"/manage/instruments/{instrument_id}/hours", ok="closure-added")


@post(
    "/manage/instruments/{instrument_id:int}/shared-calendar",
    name="page-shared-calendar-post",
    status_code=303,
)
async def shared_calendar_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, instrument_id: PathId
) -> Response[Any]:
    """The ticked instruments are the same physical resource: one calendar for all."""
    data = SharedCalendarIn(shared_with=await form_ints(request, "shared_with", 20))
    try:
        await sharing.set_shared_calendar(db, view.actor(), instrument_id, data)
    except Conflict as exc:
        return await _hours_page(view, db, instrument_id, exc.status, problem=problem_of(exc, view))
    return view.redirect(f"/manage/instruments/{instrument_id}/hours", ok="calendar-shared")


@post(
    "/manage/instruments/{instrument_id:int}/closures/{closure_id:int}/delete",
    name="page-closure-delete",
    status_code=303,
)
async def closure_delete(
    view: ViewDep, db: DB, instrument_id: PathId, closure_id: PathId
) -> Response[Any]:
    await closure_days.delete_closure(db, view.actor(), instrument_id, closure_id)
    return view.redirect(f"/manage/instruments/{instrument_id}/hours", ok="closure-deleted")


async def _policy_page(
    view: ViewDep, db: DB, instrument_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    policy = await policies.get_instrument_policy(db, view.actor(), instrument_id)
    instrument = await instruments.get_instrument(db, instrument_id, True)
    values: dict[str, Any] = {"problem": None, "form": None}
    return view.render(
        "manage_policy.html", status=status, instrument=instrument, policy=policy,
        ways=WAYS, tab="policy", action=f"/manage/instruments/{instrument_id}/policy",
        **{**values, **extra},
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}/policy", name="page-policy")
async def policy_page(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _policy_page(view, db, instrument_id)


async def read_policy(
    request: Request[Any, Any, Any], view: View, form: PolicyForm
) -> tuple[PolicyIn | None, dict[str, Any] | None]:
    """The submitted policy, or the problem to show beside the form."""
    ways = [w for w in await form_strings(request, "service_ways", 8) if w in WAYS]
    relaxed = [
        r for r in await form_strings(request, "relaxed_rules", 8) if r in labels.RELAXABLE_RULES
    ]
    values, bad = policy_values(form, ways, relaxed)
    if bad:
        return None, invalid(view, view.t("Some values are not numbers."), bad)
    try:
        return msgspec.convert(values, PolicyIn, strict=False), None
    except msgspec.ValidationError as exc:
        return None, invalid(view, str(exc))


@post("/manage/instruments/{instrument_id:int}/policy", name="page-policy-post", status_code=303)
async def policy_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    instrument_id: PathId,
    *,
    data: URLEncodedBody[PolicyForm],
) -> Response[Any]:
    policy, problem = await read_policy(request, view, data)
    if policy is not None:
        try:
            await policies.put_instrument_policy(
                db, view.actor(), instrument_id, policy, now=utcnow()
            )
        except Unprocessable as exc:
            problem = problem_of(exc, view)
    if problem is not None:
        return await _policy_page(view, db, instrument_id, 422, problem=problem, form=data)
    return view.redirect(f"/manage/instruments/{instrument_id}/policy", ok="policy-saved")


ROUTES = [
    hours_page,
    hours_submit,
    closure_submit,
    shared_calendar_submit,
    closure_delete,
    policy_page,
    policy_submit,
]
