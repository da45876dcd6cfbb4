"""One booking on one page: where the links of calendar feeds and mails lead.

Who may see it follows the booking API (the booker, the instrument's managers, its institution's
admins, platform admins; anyone else gets 404). Maintenance blocks live in the same table but are
the managers' business only. The booker sees the history without names ("you", "a manager"): who
at the owning institution decided is not theirs to know.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from service.accounts.lookups import people_by_id
from service.bookings import transitions
from service.bookings.detail import booking_with_history
from service.bookings.schemas import BookingOut, EventOut
from service.catalog import instruments
from service.common import labels as code_labels
from service.common.codes import CANCELLABLE
from service.common.i18n import N_
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import NotFound
from service.policies.read import effective_policy
from service.surveys.lookups import rated_booking_ids
from service.web.forms import ReasonForm
from service.web.view import DB, View, ViewDep

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
FLASH: dict[str, str] = {
    "cancel": "cancelled",
    "approve": "approved",
    "reject": "rejected",
    "no_show": "no-show",
    "undo_no_show": "no-show-undone",
}
#: States from which a booking can still be cancelled or moved (as `transitions.MOVES` says).

FEE_CLASSES = code_labels.FEE_CLASSES
#: The `booking_event.action` codes the services write.
ACTIONS = {
    "created": N_("Booked"),
    "cancel": N_("Cancelled"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "check_in": N_("Checked in"),
    "check_out": N_("Checked out"),
    "no_show": N_("Marked as a no-show"),
    "expired": N_("Expired without an answer"),
    "completed": N_("Completed"),
    "rescheduled": N_("Moved"),
    "displaced": N_("Cancelled for maintenance"),
    "usage_recorded": N_("Usage recorded"),
    "block_removed": N_("Maintenance removed"),
    "undo_no_show": N_("No-show undone"),
}


def _who(view: View, event: EventOut, manager: bool, people: dict[int, dict[str, Any]]) -> str:
    if event.actor_user_id is None:
        return view.t("Automatic")
    if manager:
        person = people.get(event.actor_user_id)
        return str(person["display_name"]) if person else str(event.actor_user_id)
    user = view.require_user()
    return view.t("You") if event.actor_user_id == user.user_id else view.t("A manager")


def history_rows(
    view: View, events: list[EventOut], manager: bool, people: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "who": _who(view, e, manager, people),
            "action": view.t(ACTIONS.get(e.action, e.action)),
            "to_status": e.to_status,
            "reason": e.reason,
        }
        for e in events
    ]


@get("/bookings/{booking_id:int}", name="page-booking")
async def booking_page(view: ViewDep, db: DB, booking_id: PathId) -> Response[Any]:
    user = view.actor()
    booking, events = await booking_with_history(db, user, booking_id)
    instrument = await instruments.get_instrument(db, booking.instrument_id, True)
    manager = user.can_manage_instrument(instrument.id, instrument.institution_id)
    ids = {booking.user_id, *(e.actor_user_id for e in events if e.actor_user_id is not None)}
    ids |= {booking.booked_by} if booking.booked_by is not None else set()
    people = await people_by_id(db, ids) if manager else {}
    is_booker = booking.user_id == user.user_id and booking.kind == "booking"
    rateable = (
        is_booker
        and booking.status == "completed"
        and not await rated_booking_ids(db, user.user_id, [booking.id])
    )
    now = utcnow()
    policy = await effective_policy(db, instrument.id)
    ended = now >= booking.end
    return view.render(
        "booking.html", booking=booking, instrument=instrument, manager=manager,
        is_booker=is_booker, booker=people.get(booking.user_id), rateable=rateable,
        history=history_rows(view, events, manager, people), fee_classes=FEE_CLASSES,
        minutes=int((booking.end - booking.start).total_seconds() // 60),
        can_cancel=booking.kind == "booking" and booking.status in CANCELLABLE and (manager or not ended),
        cancel_needs_reason=manager and (not is_booker or ended),
        no_show_from=no_show_from(booking, policy.no_show_grace_minutes) if manager else None,
        undo_until=undo_until(booking, events, now) if manager else None, now=now,
        booked_by=booked_by_name(view, booking, manager, people),
    )  # fmt: skip


def booked_by_name(
    view: View, booking: BookingOut, manager: bool, people: dict[int, dict[str, Any]]
) -> str:
    """Who booked it for the user: named for managers, "a manager" for the booker (as in the
    history, who at the owning institution acted is not the booker's to know)."""
    if booking.booked_by is None:
        return ""
    person = people.get(booking.booked_by) if manager else None
    return str(person["display_name"]) if person else view.t("A manager")


def no_show_from(booking: BookingOut, grace_minutes: int) -> datetime | None:
    """When a manager may declare the booking a no-show (the instrument's grace after the
    start, as the no-show job waits), or None if it is not a confirmed booking."""
    if booking.kind != "booking" or booking.status != "confirmed":
        return None
    return booking.start + timedelta(minutes=grace_minutes)


def undo_until(booking: BookingOut, events: list[EventOut], now: datetime) -> datetime | None:
    """Until when the booking's no-show can be undone, if it is one and still can be."""
    if booking.status != "no_show":
        return None
    marked = [e.at for e in events if e.action == "no_show"]
    until = max(marked) + transitions.UNDO_NO_SHOW_WITHIN if marked else None
    return until if until is not None and now <= until else None


@post(
    "/bookings/{booking_id:int}/actions/{action:str}", name="page-booking-action", status_code=303
)
async def booking_action(
    view: ViewDep, db: DB, booking_id: PathId, action: FromPath[str], *, data: Annotated[ReasonForm, Form]
) -> Response[Any]:  # fmt: skip
    """Cancel, approve, reject, mark a no-show or undo it from this page, then come back to it to see the history grow;
    the services decide who may (a booker approving gets 403, a stranger 404)."""
    if action not in FLASH:
        raise NotFound("Unknown action.")
    actor = view.actor()
    if action == "cancel":
        await transitions.cancel(db, actor, booking_id, data.reason, scope="one", now=utcnow())
    elif action == "undo_no_show":
        await transitions.undo_no_show(db, actor, booking_id, data.reason, now=utcnow())
    else:
        await transitions.transition(
            db, actor, booking_id, action, reason=data.reason, now=utcnow()
        )
    return view.redirect(f"/bookings/{booking_id}", ok=FLASH[action])


ROUTES = [booking_page, booking_action]
