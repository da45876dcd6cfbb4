"""An instrument's registry record: the fields the national registry asks for beyond the
catalogue's own (asset number, affiliation, 小类, source, customs, country, disciplines,
service content, achievements, address parts), with what is still missing. Managers and the
institution's admins save it through the same use case as `PATCH /api/v1/instruments/{id}`."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post

from service.catalog import directory, instruments
from service.catalog.reference_lists import codes
from service.catalog.schemas import InstrumentPatchIn
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import ProblemError
from service.registry import check, vocab
from service.web.pages_onboarding import page_problem
from service.web.view import DB, View, ViewDep

TEXT_FIELDS = ("inner_id", "belongs_type", "belongs_name", "service_content", "achievement",
               "county", "street", "postal_code")  # fmt: skip


async def _page(
    view: View, db: DB, instrument_id: int, status: int = 200, *, problem: Any = None
) -> Response[Any]:
    instrument = await instruments.get_instrument(db, instrument_id, True)
    view.require(view.actor().can_manage_instrument(instrument.id, instrument.institution_id))
    report = await check.completeness(db, [instrument.institution_id])
    gaps = next((i.gaps for i in report.items if i.id == instrument_id), [])
    small = [
        c for top in await directory.category_tree(db) for mid in top.children for c in mid.children
    ]
    return view.render(
        "manage_registry.html", status=status, instrument=instrument, tab="registry",
        gaps=gaps, problem=problem, classes=small, countries=await codes(db, "country"),
        disciplines=await codes(db, "discipline"), sources=vocab.SOURCE,
    )  # fmt: skip


@get("/manage/instruments/{instrument_id:int}/registry", name="page-instrument-registry")
async def registry_page(view: ViewDep, db: DB, instrument_id: PathId) -> Response[Any]:
    return await _page(view, db, instrument_id)


def _patch(form: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}
    fields["source"] = str(form.get("source") or "")
    fields["customs_supervised"] = form.get("customs_supervised") == "on"
    fields["country_code"] = str(form.get("country_code") or "") or None
    fields["subject_codes"] = [str(s) for s in form.getall("subject_codes", [])]
    category = str(form.get("category_code") or "")
    if category:
        fields["category_code"] = category
    return fields


@post(
    "/manage/instruments/{instrument_id:int}/registry",
    name="page-instrument-registry-post",
    status_code=303,
)
async def registry_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, instrument_id: PathId
) -> Response[Any]:
    form = await request.form()
    try:
        patch = msgspec.convert(_patch(form), InstrumentPatchIn)
        await instruments.update_instrument(
            db, view.actor(), instrument_id, patch, if_match=None, today=utcnow().date()
        )
    except msgspec.ValidationError as exc:
        problem = {"status": 422, "title": "Unprocessable request", "detail": str(exc)}
        return await _page(view, db, instrument_id, 422, problem=problem)
    except ProblemError as exc:
        return await _page(view, db, instrument_id, exc.status, problem=page_problem(exc))
    return view.redirect(f"/manage/instruments/{instrument_id}/registry", ok="registry-saved")


ROUTES = [registry_page, registry_submit]
