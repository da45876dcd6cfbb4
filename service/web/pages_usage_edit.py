"""Managers correct or delete a usage session, with a reason; the page shows its history.

The page calls the same use cases as `PATCH`/`DELETE /api/v1/usage/{id}`: times are read in the
instrument's zone, and the figures of the old and the new days follow at the next roll-up.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get, post
from litestar.params import URLEncodedBody

from service.catalog import instruments
from service.common.params import PathId
from service.common.time import instant_dec_hook, utcnow
from service.errors import Conflict, NotFound, Unprocessable
from service.usage import correct
from service.usage.schemas import UsageCorrectionIn
from service.web.forms import Token, parse_local
from service.web.pages_calendar import invalid, problem_of
from service.web.view import DB, ViewDep

Reason = Annotated[str, msgspec.Meta(max_length=1000)]


class CorrectionForm(msgspec.Struct):
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    service_way: Annotated[str, msgspec.Meta(max_length=20)] = ""
    samples: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    amount: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    reason: Reason = ""
    csrf_token: Token = ""


class DeletionForm(msgspec.Struct):
    reason: Reason = ""
    csrf_token: Token = ""


def _local(value: Any, zone: str) -> str:
    return "" if value is None else value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


async def _page(
    view: ViewDep, db: DB, session_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    actor = view.actor()
    session = await correct.get_session(db, actor, session_id)
    instrument = await instruments.get_instrument(db, session.instrument_id, True)
    form = CorrectionForm(
        start=_local(session.start, instrument.timezone),
        end=_local(session.end, instrument.timezone),
        service_way=session.service_way, samples=session.samples, amount=str(session.amount),
        note=session.note,
    )  # fmt: skip
    values: dict[str, Any] = {"problem": None, "form": form}
    return view.render(
        "manage_usage_edit.html", status=status, instrument=instrument, session=session,
        history=await correct.history(db, actor, session_id), tab="usage",
        can_edit=actor.can_manage_instrument(instrument.id, instrument.institution_id),
        **{**values, **extra},
    )  # fmt: skip


@get("/manage/usage/{session_id:int}", name="page-usage-edit")
async def edit_page(view: ViewDep, db: DB, session_id: PathId) -> Response[Any]:
    return await _page(view, db, session_id)


@post("/manage/usage/{session_id:int}", name="page-usage-edit-post", status_code=303)
async def edit_submit(
    view: ViewDep, db: DB, session_id: PathId, data: URLEncodedBody[CorrectionForm]
) -> Response[Any]:
    actor = view.actor()
    session = await correct.get_session(db, actor, session_id)
    zone = ZoneInfo((await instruments.get_instrument(db, session.instrument_id, True)).timezone)
    fields = {
        "reason": data.reason.strip(), "start": parse_local(data.start, zone),
        "end": parse_local(data.end, zone), "service_way": data.service_way or None,
        "samples": data.samples, "amount": data.amount or "0", "note": data.note,
    }  # fmt: skip
    try:
        change = msgspec.convert(fields, UsageCorrectionIn, strict=False, dec_hook=instant_dec_hook)
    except msgspec.ValidationError:
        problem = invalid(view, view.t("Give a reason, a start, an end and a valid amount."))
        return await _page(view, db, session_id, 422, problem=problem, form=data)
    try:
        await correct.correct_session(db, actor, session_id, change, now=utcnow())
    except (Conflict, Unprocessable) as exc:
        return await _page(
            view, db, session_id, exc.status, problem=problem_of(exc, view), form=data
        )
    return view.redirect(f"/manage/instruments/{session.instrument_id}/usage", ok="usage-corrected")


@post("/manage/usage/{session_id:int}/delete", name="page-usage-delete", status_code=303)
async def delete_submit(
    view: ViewDep, db: DB, session_id: PathId, data: URLEncodedBody[DeletionForm]
) -> Response[Any]:
    actor = view.actor()
    session = await correct.get_session(db, actor, session_id)
    if not data.reason.strip():
        problem = invalid(view, view.t("Say why the record is deleted."))
        return await _page(view, db, session_id, 422, problem=problem)
    try:
        await correct.delete_session(db, actor, session_id, data.reason, now=utcnow())
    except NotFound as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _page(view, db, session_id, exc.status, problem=problem)
    return view.redirect(f"/manage/instruments/{session.instrument_id}/usage", ok="usage-deleted")


ROUTES = [edit_page, edit_submit, delete_submit]
