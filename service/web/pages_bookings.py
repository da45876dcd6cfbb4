"""Researchers: book (from the calendar or the form), see refusals with alternatives, list,
cancel and reschedule their bookings."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from service.accounts.lookups import active_user_id_by_email
from service.accounts.principal import Principal
from service.bookings import create, fees, read, reschedule, rules, transitions
from service.bookings.detail import series_occurrences
from service.bookings.read import BookingFilter
from service.bookings.schemas import BookingIn, BookingOut, BookingPatchIn, SeriesOut
from service.catalog import instruments
from service.catalog.lookups import instruments_by_id
from service.catalog.schemas import InstrumentOut
from service.common import labels as code_labels
from service.common.params import PathId, QueryId
from service.common.time import instant_dec_hook, parse_instant, utcnow
from service.errors import Conflict, NotFound, Unprocessable
from service.notifications.displaced import displaced_bookings
from service.surveys.lookups import rated_booking_ids
from service.web import outcomes
from service.web.forms import BookingForm, ReasonForm, parse_local
from service.web.view import DB, ViewDep

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
Iso = Annotated[str, Parameter(max_length=40)]


async def _form_page(
    view: ViewDep, db: DB, instrument_id: int, form: BookingForm, *, status: int = 200, **extra: Any
) -> Response[Any]:
    instrument = await instruments.get_instrument(db, instrument_id, True)
    user = view.require_user()
    if not may_book(user, instrument):
        return view.render("book_refused.html", status=403, instrument=instrument)
    fee_class, rate = await fees.fee_terms(db, user, instrument_id, utcnow())
    values: dict[str, Any] = {
        "problem": None,
        "conflicts": [],
        "alternatives": None,
        "violations": [],
    }
    manager = view.actor().can_manage_instrument(instrument.id, instrument.institution_id)
    return view.render(
        "book.html", status=status, instrument=instrument, policy=instrument.policy, form=form,
        manager=manager, fee_class=fee_class, rate=rate,
        estimate=_estimate(form, rate, ZoneInfo(instrument.timezone)), **{**values, **extra},
    )  # fmt: skip


def may_book(user: Principal, instrument: InstrumentOut) -> bool:
    """A non-shared instrument is booked by its own managers only (the engine's `share_mode`
    rule); everyone else gets a page that says so instead of a form that cannot succeed."""
    return instrument.share_mode != "none" or user.can_manage_instrument(
        instrument.id, instrument.institution_id
    )


def _estimate(form: BookingForm, rate: Decimal, zone: ZoneInfo) -> tuple[str, Decimal] | None:
    """Hours and cost of one occurrence as the form stands, before any script runs (the
    script then keeps the figure up to date as the times change)."""
    start, end = parse_local(form.start, zone), parse_local(form.end, zone)
    if start is None or end is None or end <= start:
        return None
    hours = f"{round((end - start).total_seconds() / 3600, 2):g}"
    return hours, rules.estimated_cost(rate, start, end)


@get("/instruments/{instrument_id:int}/book", name="page-book")
async def book_page(
    view: ViewDep, db: DB, instrument_id: PathId, start: Iso = "", *, end: Iso = ""
) -> Response[Any]:
    view.require_user()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    zone = ZoneInfo(instrument.timezone)
    begin, finish = parse_local(start, zone), parse_local(end, zone)
    form = BookingForm()
    if begin is not None:
        local = begin.astimezone(zone)
        finish = (
            finish
            if finish and finish > begin
            else begin + timedelta(minutes=instrument.policy.min_minutes)
        )
        form = BookingForm(
            start=local.strftime("%Y-%m-%dT%H:%M"),
            end=finish.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        )
    return await _form_page(view, db, instrument_id, form)


def _booking_in(
    instrument_id: int, form: BookingForm, zone: ZoneInfo, for_user: int | None = None
) -> BookingIn:
    start, end = parse_local(form.start, zone), parse_local(form.end, zone)
    recurrence = None
    if form.repeat and form.count > 1:
        recurrence = {"rrule": f"FREQ={form.repeat};COUNT={form.count}", "mode": form.repeat_mode}
    return msgspec.convert(
        {"instrument_id": instrument_id, "start": start, "end": end, "purpose": form.purpose,
         "service_way": form.service_way, "recurrence": recurrence, "on_behalf_of": for_user,
         "override_reason": form.override_reason.strip() or None},
        BookingIn,
        dec_hook=instant_dec_hook,
    )  # fmt: skip


@post("/instruments/{instrument_id:int}/book", name="page-book-post", status_code=303)
async def book_submit(
    view: ViewDep, db: DB, instrument_id: PathId, data: Annotated[BookingForm, Form]
) -> Response[Any]:
    actor = view.actor()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    if not may_book(actor, instrument):
        return view.render("book_refused.html", status=403, instrument=instrument)
    for_user = None
    if data.for_email.strip():
        if not actor.can_manage_instrument(instrument.id, instrument.institution_id):
            # Refused before the lookup: whether an address has an account is not the
            # business of someone who may not book for others.
            problem = {"status": 403, "title": "Forbidden", "detail": view.t(
                "Only the instrument's managers may book for someone else.")}  # fmt: skip
            return await _form_page(view, db, instrument_id, data, status=403, problem=problem)
        for_user = await active_user_id_by_email(db, data.for_email)
        if for_user is None:
            problem = {"status": 422, "title": "Unprocessable request",
                       "detail": view.t("There is no active user with this e-mail address.")}  # fmt: skip
            return await _form_page(view, db, instrument_id, data, status=422, problem=problem)
    try:
        booking = _booking_in(instrument_id, data, ZoneInfo(instrument.timezone), for_user)
    except msgspec.ValidationError:
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Give a start and an end time.")}  # fmt: skip
        return await _form_page(view, db, instrument_id, data, status=422, problem=problem)
    try:
        created = await create.create(db, actor, booking, None, now=utcnow())
    except Conflict as exc:
        return await _form_page(
            view, db, instrument_id, data, status=409, problem=_problem(exc),
            conflicts=exc.extra.get("conflicts", []), alternatives=exc.extra.get("alternatives"),
        )  # fmt: skip
    except Unprocessable as exc:
        return await _form_page(
            view, db, instrument_id, data, status=422, problem=_problem(exc),
            violations=exc.extra.get("violations", []),
        )  # fmt: skip
    body = created.body
    if for_user is not None and isinstance(body, BookingOut):
        return view.redirect(f"/bookings/{body.id}", ok="booked-for")
    if isinstance(body, SeriesOut):
        skipped = outcomes.encode_skipped(body, ZoneInfo(instrument.timezone))
        return view.redirect(f"/bookings?series={body.series_id}&skip={skipped}")
    ok = "requested" if body.status == "pending" else "booked"
    return view.redirect(f"/bookings?ok={ok}&booking={body.id}")


def _problem(exc: Conflict | Unprocessable) -> dict[str, Any]:
    return {"status": exc.status, "title": exc.title, "detail": exc.detail}


#: Past bookings per page, and the most recent unrated ones shown in the block on top.
HISTORY_PAGE = 20
TO_RATE_SHOWN = 5
#: The history's filters: a booking status, or "to_rate" (completed, not rated yet).
HistoryShow = Annotated[str, Parameter(max_length=20, pattern=r"^[a-z_]*$")]


def history_filter(show: str, now: datetime) -> BookingFilter:
    """The past bookings a filter value selects, newest first; an unknown value selects all."""
    if show == "to_rate":
        return BookingFilter(scope="mine", end=now, unrated=True, newest_first=True)
    status = show if show in code_labels.BOOKING_STATUSES else None
    return BookingFilter(scope="mine", end=now, status=status, newest_first=True)


@get("/bookings", name="page-my-bookings")
async def my_bookings(
    view: ViewDep,
    db: DB,
    show: HistoryShow = "",
    page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    *,
    series: QueryId = None,
    booking: QueryId = None,
    skip: Annotated[str, Parameter(max_length=1200)] = "",
) -> Response[Any]:
    """Upcoming bookings, the completed ones still to rate, and the history newest first (a
    researcher with hundreds of bookings looks for last week's, not last year's)."""
    user = view.require_user()
    now = utcnow()
    upcoming = await read.list_bookings(
        db, user, BookingFilter(scope="mine", start=now), 1, page_size=100
    )
    to_rate = await read.list_bookings(
        db, user, history_filter("to_rate", now), 1, page_size=TO_RATE_SHOWN
    )
    past = await read.list_bookings(
        db, user, history_filter(show, now), page, page_size=HISTORY_PAGE
    )
    just_booked = await _own_booking(db, user, booking)
    shown = upcoming.items + past.items + to_rate.items + ([just_booked] if just_booked else [])
    ids = {b.instrument_id for b in shown}
    displaced = await displaced_bookings(db, user.user_id, now)
    ids |= {d["instrument_id"] for d in displaced}
    ids |= {i["id"] for d in displaced for i in d["instruments"]}
    completed = [b.id for b in past.items if b.status == "completed"]
    rated = await rated_booking_ids(db, user.user_id, completed)
    return view.render(
        "bookings.html",
        upcoming=upcoming.items,
        to_rate=to_rate,
        past=past,
        page=past,
        show=show if show == "to_rate" or show in code_labels.BOOKING_STATUSES else "",
        instruments=await instruments_by_id(db, ids),
        rateable={i for i in completed if i not in rated} | {b.id for b in to_rate.items},
        rated=rated,
        series_outcome=await _series_outcome(view, db, series, skip),
        just_booked=just_booked,
        displaced=displaced,
    )


async def _own_booking(db: DB, user: Principal, booking_id: int | None) -> BookingOut | None:
    """The booking just made, for its confirmation (its cost); only the booker's own."""
    if booking_id is None:
        return None
    try:
        found = await read.get_booking(db, user, booking_id)
    except NotFound:
        return None
    return found if found.user_id == user.user_id else None


async def _series_outcome(
    view: ViewDep, db: DB, series: int | None, skip: str
) -> dict[str, Any] | None:
    """The sentence on a series just requested and its total estimated cost (only the
    caller's own series is read)."""
    if series is None:
        return None
    user = view.require_user()
    occurrences = await series_occurrences(db, user.user_id, series)
    if not occurrences:
        return None  # not the caller's series (or an address edited by hand)
    statuses = [status for status, _ in occurrences]
    chinese = view.language == "zh-CN"
    return {
        "text": outcomes.series_summary(statuses, outcomes.decode_skipped(skip), view.t, chinese),
        "cost": sum((cost for _, cost in occurrences), Decimal(0)),
        "booked": len(occurrences),
    }


@post("/bookings/{booking_id:int}/cancel", name="page-cancel", status_code=303)
async def cancel_submit(
    view: ViewDep, db: DB, booking_id: PathId, data: Annotated[ReasonForm, Form]
) -> Response[Any]:
    await transitions.cancel(db, view.actor(), booking_id, data.reason, scope="one", now=utcnow())
    return view.redirect("/bookings", ok="cancelled")


class RescheduleForm(msgspec.Struct):
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    version: Annotated[int, msgspec.Meta(ge=0, le=2**31)] = 0
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


async def _reschedule_page(
    view: ViewDep, db: DB, booking: BookingOut, status: int = 200, *, problem: Any = None,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:  # fmt: skip
    info = (await instruments_by_id(db, {booking.instrument_id}))[booking.instrument_id]
    return view.render(
        "reschedule.html", status=status, booking=booking, instrument=info, problem=problem,
        alternatives=(extra or {}).get("alternatives"), conflicts=(extra or {}).get("conflicts", []),
    )  # fmt: skip


@get("/bookings/{booking_id:int}/reschedule", name="page-reschedule")
async def reschedule_page(view: ViewDep, db: DB, booking_id: PathId) -> Response[Any]:
    booking = await read.get_booking(db, view.actor(), booking_id)
    return await _reschedule_page(view, db, booking)


@post("/bookings/{booking_id:int}/reschedule", name="page-reschedule-post", status_code=303)
async def reschedule_submit(
    view: ViewDep, db: DB, booking_id: PathId, data: Annotated[RescheduleForm, Form]
) -> Response[Any]:
    actor = view.actor()
    booking = await read.get_booking(db, actor, booking_id)
    zone = ZoneInfo(
        (await instruments_by_id(db, {booking.instrument_id}))[booking.instrument_id]["timezone"]
    )
    start, end = parse_local(data.start, zone), parse_local(data.end, zone)
    if start is None or end is None:
        problem = {
            "status": 422,
            "title": "Unprocessable request",
            "detail": view.t("Give a start and an end time."),
        }
        return await _reschedule_page(view, db, booking, 422, problem=problem)
    try:
        await reschedule.reschedule(
            db,
            actor,
            booking_id,
            data.version,
            data=BookingPatchIn(start=parse_instant(start), end=parse_instant(end)),
            now=utcnow(),
        )
    except (Conflict, Unprocessable) as exc:
        return await _reschedule_page(
            view, db, booking, exc.status, problem=_problem(exc), extra=exc.extra
        )
    return view.redirect("/bookings", ok="rescheduled")


ROUTES = [book_page, book_submit, my_bookings, cancel_submit, reschedule_page, reschedule_submit]
