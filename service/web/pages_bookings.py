"""Researchers: book (from the calendar or the form), see refusals with alternatives, list,
cancel and reschedule their bookings."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from service.bookings import queries, reschedule, service, transitions
from service.bookings.queries import BookingFilter
from service.bookings.schemas import BookingIn, BookingOut, BookingPatchIn
from service.catalog import instruments
from service.common.time import instant_dec_hook, parse_instant, utcnow
from service.errors import Conflict, Unprocessable
from service.web import lookups
from service.web.forms import BookingForm, ReasonForm, parse_local
from service.web.view import DB, ViewDep

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
InstrumentId = Annotated[int, Parameter(ge=1, le=2**62)]
BookingId = Annotated[int, Parameter(ge=1, le=2**62)]
Iso = Annotated[str, Parameter(max_length=40)]


async def _form_page(
    view: ViewDep, db: DB, instrument_id: int, form: BookingForm, status: int = 200, **extra: Any
) -> Response[Any]:
    instrument = await instruments.get_instrument(db, instrument_id, True)
    values: dict[str, Any] = {
        "problem": None,
        "conflicts": [],
        "alternatives": None,
        "violations": [],
    }
    return view.render(
        "book.html", status=status, instrument=instrument, policy=instrument.policy, form=form,
        **{**values, **extra},
    )  # fmt: skip


@get("/instruments/{instrument_id:int}/book", name="page-book")
async def book_page(
    view: ViewDep, db: DB, instrument_id: InstrumentId, start: Iso = "", end: Iso = ""
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


def _booking_in(instrument_id: int, form: BookingForm, zone: ZoneInfo) -> BookingIn:
    start, end = parse_local(form.start, zone), parse_local(form.end, zone)
    recurrence = None
    if form.repeat and form.count > 1:
        recurrence = {"rrule": f"FREQ={form.repeat};COUNT={form.count}", "mode": form.repeat_mode}
    return msgspec.convert(
        {"instrument_id": instrument_id, "start": start, "end": end, "purpose": form.purpose,
         "service_way": form.service_way, "recurrence": recurrence},
        BookingIn,
        dec_hook=instant_dec_hook,
    )  # fmt: skip


@post("/instruments/{instrument_id:int}/book", name="page-book-post", status_code=303)
async def book_submit(
    view: ViewDep, db: DB, instrument_id: InstrumentId, data: Annotated[BookingForm, Form]
) -> Response[Any]:
    actor = view.actor()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    try:
        booking = _booking_in(instrument_id, data, ZoneInfo(instrument.timezone))
    except msgspec.ValidationError:
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Give a start and an end time.")}  # fmt: skip
        return await _form_page(view, db, instrument_id, data, 422, problem=problem)
    try:
        created = await service.create(db, actor, booking, None, utcnow())
    except Conflict as exc:
        return await _form_page(
            view, db, instrument_id, data, 409, problem=_problem(exc),
            conflicts=exc.extra.get("conflicts", []), alternatives=exc.extra.get("alternatives"),
        )  # fmt: skip
    except Unprocessable as exc:
        return await _form_page(
            view, db, instrument_id, data, 422, problem=_problem(exc),
            violations=exc.extra.get("violations", []),
        )  # fmt: skip
    body = created.body
    pending = isinstance(body, BookingOut) and body.status == "pending"
    return view.redirect("/bookings", ok="requested" if pending else "booked")


def _problem(exc: Conflict | Unprocessable) -> dict[str, Any]:
    return {"status": exc.status, "title": exc.title, "detail": exc.detail}


@get("/bookings", name="page-my-bookings")
async def my_bookings(view: ViewDep, db: DB) -> Response[Any]:
    user = view.require_user()
    now = utcnow()
    upcoming = await queries.list_bookings(db, user, BookingFilter(scope="mine", start=now), 1, 100)
    past = await queries.list_bookings(db, user, BookingFilter(scope="mine", end=now), 1, 100)
    displaced = await lookups.displaced_bookings(db, user.user_id, now)
    ids = {b.instrument_id for b in upcoming.items + past.items}
    ids |= {d["instrument_id"] for d in displaced}
    ids |= {i["id"] for d in displaced for i in d["instruments"]}
    completed = [b.id for b in past.items if b.status == "completed"]
    rated = await lookups.rated_booking_ids(db, user.user_id, completed)
    return view.render(
        "bookings.html",
        upcoming=upcoming.items,
        past=list(reversed(past.items)),
        instruments=await lookups.instruments_by_id(db, ids),
        rateable={i for i in completed if i not in rated},
        rated=rated,
        displaced=displaced,
    )


@post("/bookings/{booking_id:int}/cancel", name="page-cancel", status_code=303)
async def cancel_submit(
    view: ViewDep, db: DB, booking_id: BookingId, data: Annotated[ReasonForm, Form]
) -> Response[Any]:
    await transitions.cancel(db, view.actor(), booking_id, data.reason, "one", utcnow())
    return view.redirect("/bookings", ok="cancelled")


class RescheduleForm(msgspec.Struct):
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    version: Annotated[int, msgspec.Meta(ge=0, le=2**31)] = 0
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


async def _reschedule_page(
    view: ViewDep, db: DB, booking: BookingOut, status: int = 200, problem: Any = None,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:  # fmt: skip
    info = (await lookups.instruments_by_id(db, {booking.instrument_id}))[booking.instrument_id]
    return view.render(
        "reschedule.html", status=status, booking=booking, instrument=info, problem=problem,
        alternatives=(extra or {}).get("alternatives"), conflicts=(extra or {}).get("conflicts", []),
    )  # fmt: skip


@get("/bookings/{booking_id:int}/reschedule", name="page-reschedule")
async def reschedule_page(view: ViewDep, db: DB, booking_id: BookingId) -> Response[Any]:
    booking = await queries.get_booking(db, view.actor(), booking_id)
    return await _reschedule_page(view, db, booking)


@post("/bookings/{booking_id:int}/reschedule", name="page-reschedule-post", status_code=303)
async def reschedule_submit(
    view: ViewDep, db: DB, booking_id: BookingId, data: Annotated[RescheduleForm, Form]
) -> Response[Any]:
    actor = view.actor()
    booking = await queries.get_booking(db, actor, booking_id)
    zone = ZoneInfo(
        (await lookups.instruments_by_id(db, {booking.instrument_id}))[booking.instrument_id][
            "timezone"
        ]
    )
    start, end = parse_local(data.start, zone), parse_local(data.end, zone)
    if start is None or end is None:
        problem = {
            "status": 422,
            "title": "Unprocessable request",
            "detail": view.t("Give a start and an end time."),
        }
        return await _reschedule_page(view, db, booking, 422, problem)
    try:
        await reschedule.reschedule(
            db,
            actor,
            booking_id,
            data.version,
            BookingPatchIn(start=parse_instant(start), end=parse_instant(end)),
            utcnow(),
        )
    except (Conflict, Unprocessable) as exc:
        return await _reschedule_page(view, db, booking, exc.status, _problem(exc), exc.extra)
    return view.redirect("/bookings", ok="rescheduled")


ROUTES = [book_page, book_submit, my_bookings, cancel_submit, reschedule_page, reschedule_submit]
