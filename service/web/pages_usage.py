"""Managers record what really happened (usage sessions, with or without a booking) and import
an `.ics` file as maintenance blocks: first a dry run that lists what would be created and what
conflicts, then the import itself of the very same file."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import URLEncodedBody

from service.bookings import read, usage
from service.bookings.read import BookingFilter
from service.bookings.schemas import UsageIn
from service.calendars import importer
from service.catalog import directory, instruments
from service.common.codes import LATE_RECORDABLE
from service.common.params import PathId
from service.common.time import instant_dec_hook, utcnow
from service.errors import Conflict, NotFound, Unprocessable
from service.web import labels
from service.web.forms import UsageForm, parse_local, usage_who
from service.web.pages_calendar import invalid, problem_of
from service.web.view import DB, SettingsDep, ViewDep

#: The API refuses larger calendars too.
MAX_ICS_BYTES = 1024 * 1024
RECENT = timedelta(days=30)


#: Bookings a late entry may be recorded on.
RECORDABLE = LATE_RECORDABLE


async def _usage_page(
    view: ViewDep, db: DB, instrument_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    actor = view.actor()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    sessions = await usage.list_usage(
        db, actor, instrument_id, None, end=None, page=1, page_size=50
    )
    now = utcnow()
    recent = await read.list_bookings(
        db,
        actor,
        BookingFilter("managed", instrument_id, None, now - RECENT, now),
        1,
        page_size=100,
    )
    used = {s.booking_id for s in sessions.items}
    open_bookings = [b for b in recent.items if b.status in RECORDABLE and b.id not in used]
    found = await directory.list_institutions(db, None, None, None, page=1, page_size=200)
    values: dict[str, Any] = {"problem": None, "form": UsageForm()}
    return view.render(
        "manage_usage.html", status=status, instrument=instrument, sessions=sessions,
        bookings=open_bookings, institutions=found.items, tab="usage", **{**values, **extra},
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}/usage", name="page-usage")
async def usage_page(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _usage_page(view, db, instrument_id)


@post("/manage/instruments/{instrument_id:int}/usage", name="page-usage-post", status_code=303)
async def usage_submit(
    view: ViewDep, db: DB, instrument_id: PathId, data: URLEncodedBody[UsageForm]
) -> Response[Any]:
    """Times are read in the instrument's zone; a booking, when chosen, gives the user and (unless
    another is chosen) the service way. Who used it must be said: no silent own-group default."""
    actor = view.actor()
    instrument = await instruments.get_instrument(db, instrument_id, True)
    zone = ZoneInfo(instrument.timezone)
    person = usage_who(data)
    if person is None:
        problem = invalid(
            view,
            view.t(
                "Say who used the instrument: a booking, your own group, or another user or institution."
            ),
        )
        return await _usage_page(view, db, instrument_id, 422, problem=problem, form=data)
    fields = {
        "start": parse_local(data.start, zone), "end": parse_local(data.end, zone),
        "service_way": data.service_way or None, "samples": data.samples,
        "amount": data.amount or "0", "note": data.note, **person,
    }  # fmt: skip
    try:
        entry = msgspec.convert(fields, UsageIn, strict=False, dec_hook=instant_dec_hook)
    except msgspec.ValidationError:
        problem = invalid(view, view.t("Give a start, an end and a valid amount."))
        return await _usage_page(view, db, instrument_id, 422, problem=problem, form=data)
    try:
        await usage.record_usage(db, actor, instrument_id, entry, now=utcnow())
    except (Conflict, Unprocessable, NotFound) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _usage_page(view, db, instrument_id, exc.status, problem=problem, form=data)
    return view.redirect(f"/manage/instruments/{instrument_id}/usage", ok="usage-saved")


async def _import_page(
    view: ViewDep, db: DB, instrument_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    await importer.load_managed_instrument(db, view.actor(), instrument_id)
    instrument = await instruments.get_instrument(db, instrument_id, True)
    values: dict[str, Any] = {"problem": None, "report": None, "ics_b64": "", "days": 180,
                              "kind": "maintenance"}  # fmt: skip
    return view.render(
        "manage_import.html", status=status, instrument=instrument, tab="import",
        **{**values, **extra},
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}/import", name="page-import")
async def import_page(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _import_page(view, db, instrument_id)


async def _uploaded(request: Request[Any, Any, Any]) -> bytes:
    """The chosen file, or the previewed file carried back by the confirmation form."""
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        content = await upload.read(MAX_ICS_BYTES + 1)
        if content:
            return content
    carried = form.get("ics_b64")
    if isinstance(carried, str) and carried:
        try:
            return base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            return b""
    return b""


@post("/manage/instruments/{instrument_id:int}/import", name="page-import-post", status_code=200)
async def import_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    *,
    instrument_id: PathId,
) -> Response[Any]:
    form = await request.form()
    confirm = form.get("mode") == "import"
    kind_text = str(form.get("kind") or "")
    kind: importer.ImportKind = (
        kind_text if kind_text in ("maintenance", "internal", "closed") else "maintenance"  # type: ignore[assignment]
    )
    days_text = str(form.get("days") or "180")
    days = int(days_text) if days_text.isdigit() and 1 <= int(days_text) <= 366 else 180
    body = await _uploaded(request)
    if not body or len(body) > MAX_ICS_BYTES:
        message = view.t("Choose an .ics file of at most 1 MB.")
        return await _import_page(view, db, instrument_id, 422, problem=invalid(view, message))
    try:
        report = await importer.import_calendar(
            db, view.actor(), instrument_id, body, dry_run=not confirm, days=days, now=utcnow(),
            limits=importer.limits_for(settings), kind=kind,
        )  # fmt: skip
    except Unprocessable as exc:
        return await _import_page(view, db, instrument_id, 422, problem=problem_of(exc, view))
    return await _import_page(
        view, db, instrument_id, report=report, days=days, kind=kind,
        ics_b64="" if confirm else base64.b64encode(body).decode(),
        flash=labels.flash("imported") if confirm else None,
    )  # fmt: skip


ROUTES = [usage_page, usage_submit, import_page, import_submit]
