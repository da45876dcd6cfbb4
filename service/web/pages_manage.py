"""Instrument managers (and institution/platform admins): pending requests to approve or
reject (htmx row updates), each managed instrument's calendar, bookings and maintenance blocks
with the displaced-bookings preview, check-in/out and no-shows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from service.accounts.lookups import people_by_id
from service.bookings import blocks, read, transitions
from service.bookings.read import BookingFilter
from service.bookings.schemas import ApprovalOut, BlockIn, DisplacedOut
from service.catalog import instruments
from service.common import labels as code_labels
from service.common.i18n import pick
from service.common.params import PathId
from service.common.time import instant_dec_hook, utcnow
from service.errors import Conflict, NotFound, Unprocessable
from service.policies.read import effective_policy
from service.web.forms import parse_local
from service.web.view import DB, ViewDep

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
FLASH = {"approve": "approved", "reject": "rejected", "check_in": "checked-in",
         "check_out": "checked-out", "no_show": "no-show"}  # fmt: skip


def _can_manage_any(view: ViewDep) -> bool:
    user = view.require_user()
    return bool(user.manages or user.admin_of or user.is_platform_admin)


async def _managed_instruments(view: ViewDep, db: DB) -> list[Any]:
    user = view.require_user()
    if user.is_platform_admin:
        return []
    ids = set(user.manages)
    found = []
    for institution in sorted(user.admin_of):
        page = await instruments.list_instruments(db, {"institution": institution}, 1, 200)
        found += page.items
    known = {i.id for i in found}
    for instrument_id in sorted(ids - known):
        found.append(await instruments.get_instrument(db, instrument_id, True))
    return found


@dataclass
class QueueRow:
    """One row of the approval queue: a single request, or every pending occurrence of a
    series (answered together)."""

    first: ApprovalOut
    occurrences: list[ApprovalOut]

    @property
    def series_id(self) -> int | None:
        return self.first.booking.series_id if len(self.occurrences) > 1 else None

    @property
    def row_id(self) -> str:
        sid = self.series_id
        return f"series-{sid}" if sid else str(self.first.booking.id)

    @property
    def action_base(self) -> str:
        sid = self.series_id
        return f"/manage/series/{sid}" if sid else f"/manage/bookings/{self.first.booking.id}"


def group_requests(items: list[ApprovalOut]) -> list[QueueRow]:
    """Occurrences of one series become one row, placed where its first occurrence is."""
    rows: list[QueueRow] = []
    by_series: dict[int, QueueRow] = {}
    for item in items:
        sid = item.booking.series_id
        if sid is not None and sid in by_series:
            by_series[sid].occurrences.append(item)
            continue
        row = QueueRow(item, [item])
        rows.append(row)
        if sid is not None:
            by_series[sid] = row
    return rows


@get("/manage", name="page-manage")
async def manage_home(view: ViewDep, db: DB) -> Response[Any]:
    view.require(_can_manage_any(view))
    pending = await read.approvals(db, view.actor(), 1, 200)
    people = await people_by_id(db, {a.booking.user_id for a in pending.items})
    return view.render(
        "manage.html", requests=group_requests(pending.items), people=people,
        instruments=await _managed_instruments(view, db),
    )  # fmt: skip


@post("/manage/series/{series_id:int}/{action:str}", name="page-manage-series", status_code=303)
async def series_action(
    view: ViewDep,
    db: DB,
    series_id: PathId,
    action: FromPath[str],
    *,
    data: Annotated[ActionForm, Form],
) -> Response[Any]:
    """Approve or reject every pending occurrence of a series: htmx gets the updated row."""
    if action not in {"approve", "reject"}:
        raise NotFound("Unknown action.")
    actor = view.actor()
    done = await transitions.decide_series(
        db, actor, series_id, action, reason=data.reason, now=utcnow()
    )
    if view.is_htmx:
        return view.render(
            "_approval_done.html", booking=done[0], action=action, row_id=f"series-{series_id}",
            count=len(done),
        )  # fmt: skip
    return view.redirect("/manage", ok=FLASH[action])


class ActionForm(msgspec.Struct):
    """A manager's move on a booking; check-out also says what happened (samples, the fee
    charged, the way the instrument was served, a note)."""

    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    samples: Annotated[str, msgspec.Meta(max_length=10)] = ""
    amount: Annotated[str, msgspec.Meta(max_length=20)] = ""
    service_way: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


def checkout_values(data: ActionForm, language: str) -> tuple[int, Decimal | None, str | None]:
    """Samples, fee and service way as typed at check-out; a 422 naming the field otherwise."""
    samples_text = unicodedata.normalize("NFKC", data.samples).strip() or "0"
    amount_text = unicodedata.normalize("NFKC", data.amount).strip()
    problems = []
    if not samples_text.isdigit() or int(samples_text) > 1_000_000:
        problems.append(
            ("samples", pick(language, "样品数应为非负整数。", "Samples: a whole number."))
        )
    amount: Decimal | None = None
    if amount_text:
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            problems.append(("amount", pick(language, "费用应为不小于 0 的金额。",
                                            "Fee: an amount of at least 0.")))  # fmt: skip
    way = data.service_way if data.service_way in code_labels.SERVICE_WAYS else None
    if problems:
        detail = pick(language, "请检查签退信息。", "Check the check-out details.")
        raise Unprocessable(
            detail, extra={"violations": [{"rule": f, "message": m} for f, m in problems]}
        )
    return int(samples_text), amount, way


@post("/manage/bookings/{booking_id:int}/{action:str}", name="page-manage-action", status_code=303)
async def booking_action(
    view: ViewDep,
    db: DB,
    booking_id: PathId,
    action: FromPath[str],
    *,
    data: Annotated[ActionForm, Form],
) -> Response[Any]:
    """Approve/reject answer htmx with the updated row; other moves redirect back (a refusal
    shown in place by htmx, next to the button, not on a page away from the instrument)."""
    if action not in FLASH:
        raise NotFound("Unknown action.")
    actor = view.actor()
    amount: Decimal | None = None
    way: str | None = None
    usage = (0, "")
    if action == "check_out":
        samples, amount, way = checkout_values(data, actor.language)
        usage = (samples, data.note.strip())
    booking = await transitions.transition(
        db,
        actor,
        booking_id,
        action,
        reason=data.reason,
        now=utcnow(),
        usage=usage,
        amount=amount,
        service_way=way,
    )
    if view.is_htmx and action in {"approve", "reject"}:
        return view.render(
            "_approval_done.html", booking=booking, action=action, row_id=str(booking.id), count=1
        )
    referer = view.request.headers.get("referer", "")
    back = (
        f"/manage/instruments/{booking.instrument_id}"
        if "/manage/instruments/" in referer
        else "/manage"
    )
    return view.redirect(back, ok=FLASH[action])


async def _instrument_page(
    view: ViewDep, db: DB, instrument_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    instrument = await instruments.get_instrument(db, instrument_id, True)
    view.require(view.actor().can_manage_instrument(instrument.id, instrument.institution_id))
    now = utcnow()
    upcoming = await read.list_bookings(
        db,
        view.actor(),
        BookingFilter(scope="managed", instrument_id=instrument_id, start=now),
        1,
        page_size=100,
    )
    block_list = await blocks.list_blocks(db, instrument_id, now, None, include_cancelled=False)
    displaced = extra.get("displaced") or []
    people = await people_by_id(
        db, {b.user_id for b in upcoming.items} | {d.user_id for d in displaced}
    )
    policy = await effective_policy(db, instrument_id)
    values: dict[str, Any] = {"problem": None, "displaced": None, "block_form": None,
                              "people": people,
                              "check_in_from": {b.id: transitions.check_in_opens(b.start, policy)
                                                for b in upcoming.items}}  # fmt: skip
    grace = timedelta(minutes=policy.no_show_grace_minutes)
    return view.render(
        "manage_instrument.html", status=status, instrument=instrument, bookings=upcoming.items,
        blocks=block_list, now=now, tab="calendar", no_show_grace=grace,
        status_labels={k: view.t(v) for k, v in code_labels.BOOKING_STATUSES.items()} | {"maintenance": view.t("Maintenance")},
        **{**values, **extra},
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}", name="page-manage-instrument")
async def manage_instrument(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _instrument_page(view, db, instrument_id)


class BlockForm(msgspec.Struct):
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    confirm: Literal["", "preview", "cancel"] = ""
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


@post("/manage/instruments/{instrument_id:int}/blocks", name="page-block-post", status_code=303)
async def block_submit(
    view: ViewDep, db: DB, instrument_id: PathId, data: Annotated[BlockForm, Form]
) -> Response[Any]:
    """First the preview (which bookings would be displaced), then an explicit confirmation."""
    actor = view.actor()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    zone = ZoneInfo(instrument.timezone)
    try:
        block = msgspec.convert(
            {"start": parse_local(data.start, zone), "end": parse_local(data.end, zone),
             "reason": data.reason, "on_conflict": "cancel" if data.confirm == "cancel" else "fail"},
            BlockIn,
            dec_hook=instant_dec_hook,
        )  # fmt: skip
    except msgspec.ValidationError:
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Give a start, an end and a reason.")}  # fmt: skip
        return await _instrument_page(
            view, db, instrument_id, 422, problem=problem, block_form=data
        )
    try:
        if data.confirm != "cancel":
            displaced = await blocks.place_block(
                db, actor, instrument_id, block, now=utcnow(), dry_run=True
            )
            assert isinstance(displaced, list)
            if displaced:
                return await _instrument_page(
                    view, db, instrument_id, 200, displaced=_displaced(displaced), block_form=data
                )
        await blocks.place_block(db, actor, instrument_id, block, now=utcnow())
    except (Conflict, Unprocessable) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _instrument_page(
            view, db, instrument_id, exc.status, problem=problem, block_form=data
        )
    return view.redirect(f"/manage/instruments/{instrument_id}", ok="blocked")


def _displaced(items: list[DisplacedOut]) -> list[DisplacedOut]:
    return sorted(items, key=lambda d: d.start)


ROUTES = [manage_home, booking_action, series_action, manage_instrument, block_submit]
