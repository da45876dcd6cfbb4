"""HTTP routes of the booking engine: thin handlers over the booking services."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.bookings import create, read, reschedule, transitions
from service.bookings.idempotency import check_key
from service.bookings.read import BookingFilter
from service.bookings.routes_blocks import ROUTES as BLOCK_ROUTES
from service.bookings.routes_closures import ROUTES as CLOSURE_ROUTES
from service.bookings.schemas import (
    ApprovalOut,
    BookingIn,
    BookingOut,
    BookingPatchIn,
    BookingRefusal,
    CancelIn,
    CancelledOut,
    CheckOutIn,
    EventOut,
    ReasonIn,
    RejectIn,
    SeriesOut,
    Status,
)
from service.bookings.window import aware
from service.common.params import (
    OptionalInstantFrom,
    OptionalInstantTo,
    PageNumber,
    PageSize,
    PathId,
    QueryId,
)
from service.common.schemas import Page, Problem
from service.common.time import utcnow
from service.db import Database

DB = NamedDependency[Database]
User = NamedDependency[Principal]

TAGS = ["bookings"]
CREATE_ERRORS = {
    409: ResponseSpec(Problem, description="Taken: `conflicts` and `alternatives`"),
    422: ResponseSpec(
        BookingRefusal,
        description="Rules broken: `violations` (rule, message; for a series each rule once, "
        "with the local dates of the `occurrences` that break it, and `skipped`)",
    ),
    503: ResponseSpec(Problem, description="Busy; retry after `Retry-After` seconds"),
}
ACTION_ERRORS = {
    403: ResponseSpec(Problem, description="Only managers may do this"),
    404: ResponseSpec(Problem, description="No such booking visible to the caller"),
    409: ResponseSpec(Problem, description="Not allowed in the booking's current state"),
    422: ResponseSpec(
        Problem,
        description="Rules broken: `violations` (rule, message), e.g. `reason_required`, "
        "`booking_ended`",
    ),
}


@post(
    "/api/v1/bookings",
    operation_id="createBooking",
    tags=TAGS,
    responses=CREATE_ERRORS,
    status_code=201,
)
async def create_booking(
    data: JSONBody[BookingIn],
    user: User,
    db: DB,
    idempotency_key: Annotated[
        str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
    ] = None,
) -> Response[BookingOut | SeriesOut]:
    """A single booking, or a series when `recurrence` is given (the answer is then a `SeriesOut`)."""
    result = await create.create(db, user, data, check_key(idempotency_key), now=utcnow())
    return Response(result.body, status_code=result.status)


@get("/api/v1/bookings", operation_id="listBookings", tags=TAGS)
async def list_bookings(
    user: User,
    db: DB,
    which: Annotated[Literal["mine", "managed"], QueryParameter(name="scope")] = "mine",
    instrument_id: QueryId = None,
    *,
    status: Annotated[Status | None, QueryParameter()] = None,
    start: OptionalInstantFrom = None,
    end: OptionalInstantTo = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> Page[BookingOut]:
    filters = BookingFilter(
        scope=which,
        instrument_id=instrument_id,
        status=status,
        start=aware(start, "from"),
        end=aware(end, "to"),
    )
    return await read.list_bookings(db, user, filters, page, page_size=page_size)


@get("/api/v1/bookings/{booking_id:int}", operation_id="getBooking", tags=TAGS)
async def get_booking(booking_id: PathId, user: User, db: DB) -> Response[BookingOut]:
    booking = await read.get_booking(db, user, booking_id)
    return Response(booking, headers={"ETag": reschedule.etag(booking.id, booking.version)})


@get("/api/v1/bookings/{booking_id:int}/history", operation_id="getBookingHistory", tags=TAGS)
async def booking_history(booking_id: PathId, user: User, db: DB) -> list[EventOut]:
    return await read.history(db, user, booking_id)


@patch(
    "/api/v1/bookings/{booking_id:int}",
    operation_id="rescheduleBooking",
    tags=TAGS,
    responses={
        **CREATE_ERRORS,
        412: ResponseSpec(Problem, description="If-Match names an older version"),
        428: ResponseSpec(Problem, description="If-Match missing"),
    },
)
async def reschedule_booking(
    booking_id: PathId,
    data: JSONBody[BookingPatchIn],
    user: User,
    db: DB,
    *,
    if_match: Annotated[str | None, HeaderParameter(name="If-Match", max_length=200)] = None,
) -> Response[BookingOut]:
    expected = reschedule.parse_if_match(if_match, booking_id, user.language)
    booking = await reschedule.reschedule(db, user, booking_id, expected, data=data, now=utcnow())
    return Response(booking, headers={"ETag": reschedule.etag(booking.id, booking.version)})


@post(
    "/api/v1/bookings/{booking_id:int}/cancel",
    operation_id="cancelBooking",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def cancel_booking(
    booking_id: PathId, user: User, db: DB, data: JSONBody[CancelIn | None] = None
) -> CancelledOut:
    """The booker or a manager; `scope` following/all also cancels later occurrences of a series."""
    body = data or CancelIn()
    booking, others = await transitions.cancel(
        db, user, booking_id, body.reason, scope=body.scope, now=utcnow()
    )
    return CancelledOut(
        **{f: getattr(booking, f) for f in BookingOut.__struct_fields__}, also_cancelled=others
    )


async def _move(db: DB, user: User, booking_id: int, action: str, *, reason: str) -> BookingOut:
    return await transitions.transition(db, user, booking_id, action, reason=reason, now=utcnow())


@post(
    "/api/v1/bookings/{booking_id:int}/approve",
    operation_id="approveBooking",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def approve_booking(
    booking_id: PathId, user: User, db: DB, data: JSONBody[ReasonIn | None] = None
) -> BookingOut:
    return await _move(db, user, booking_id, "approve", reason=(data or ReasonIn()).reason)


@post(
    "/api/v1/bookings/{booking_id:int}/reject",
    operation_id="rejectBooking",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def reject_booking(
    booking_id: PathId, data: JSONBody[RejectIn], user: User, db: DB
) -> BookingOut:
    return await _move(db, user, booking_id, "reject", reason=data.reason)


@post(
    "/api/v1/series/{series_id:int}/approve",
    operation_id="approveSeries",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def approve_series(
    series_id: PathId, user: User, db: DB, data: JSONBody[ReasonIn | None] = None
) -> list[BookingOut]:
    """Every occurrence of a recurring request still waiting for an answer, approved in one
    transaction: all of them or, if one cannot be (a rule, the caller's rights), none."""
    reason = (data or ReasonIn()).reason
    return await transitions.decide_series(
        db, user, series_id, "approve", reason=reason, now=utcnow()
    )


@post(
    "/api/v1/series/{series_id:int}/reject",
    operation_id="rejectSeries",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def reject_series(
    series_id: PathId, data: JSONBody[RejectIn], user: User, db: DB
) -> list[BookingOut]:
    """Every waiting occurrence of a recurring request rejected at once, with one reason."""
    return await transitions.decide_series(
        db, user, series_id, "reject", reason=data.reason, now=utcnow()
    )


@post(
    "/api/v1/bookings/{booking_id:int}/check-in",
    operation_id="checkInBooking",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def check_in(booking_id: PathId, user: User, db: DB) -> BookingOut:
    return await _move(db, user, booking_id, "check_in", reason="")


@post(
    "/api/v1/bookings/{booking_id:int}/check-out",
    operation_id="checkOutBooking",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def check_out(
    booking_id: PathId, user: User, db: DB, data: JSONBody[CheckOutIn | None] = None
) -> BookingOut:
    body = data or CheckOutIn()
    return await transitions.transition(
        db, user, booking_id, "check_out", reason="", now=utcnow(), usage=(body.samples, body.note),
        amount=body.amount, service_way=body.service_way,
    )  # fmt: skip


@post(
    "/api/v1/bookings/{booking_id:int}/no-show",
    operation_id="markNoShow",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def no_show(
    booking_id: PathId, user: User, db: DB, data: JSONBody[ReasonIn | None] = None
) -> BookingOut:
    return await _move(db, user, booking_id, "no_show", reason=(data or ReasonIn()).reason)


@post(
    "/api/v1/bookings/{booking_id:int}/undo-no-show",
    operation_id="undoNoShow",
    tags=TAGS,
    status_code=200,
    responses=ACTION_ERRORS,
)
async def undo_no_show(
    booking_id: PathId, user: User, db: DB, data: JSONBody[ReasonIn | None] = None
) -> BookingOut:
    """A manager takes back a no-show within 24 hours, with a reason: the booking gets its
    previous status back and the no-show job leaves it alone."""
    return await transitions.undo_no_show(
        db, user, booking_id, (data or ReasonIn()).reason, now=utcnow()
    )


@get("/api/v1/approvals", operation_id="listApprovals", tags=TAGS)
async def list_approvals(
    user: User, db: DB, page: PageNumber = 1, page_size: PageSize = 20
) -> Page[ApprovalOut]:
    """Pending requests on the instruments the caller manages or whose institution they administer."""
    return await read.approvals(db, user, page, page_size)


ROUTES: list[Any] = [
    create_booking,
    list_bookings,
    get_booking,
    booking_history,
    reschedule_booking,
    cancel_booking,
    approve_booking,
    reject_booking,
    approve_series,
    reject_series,
    check_in,
    check_out,
    no_show,
    undo_no_show,
    list_approvals,
    *BLOCK_ROUTES,
    *CLOSURE_ROUTES,
]
