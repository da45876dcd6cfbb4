"""Platform admins add and edit regions (the province's and partner regions) from the
directory pages, through the same use cases as `POST/PATCH /api/v1/regions`."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.params import PathParameter, URLEncodedBody

from service.catalog import directory, regions
from service.catalog.schemas import RegionIn, RegionPatchIn
from service.errors import ProblemError
from service.web.pages_onboarding import page_problem
from service.web.view import DB, View, ViewDep

Code = Annotated[str, PathParameter(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]
Short = Annotated[str, msgspec.Meta(max_length=200)]


class RegionForm(msgspec.Struct):
    code: Short = ""
    name_zh: Short = ""
    name_en: Short = ""
    timezone: Short = ""
    latitude: Short = ""
    longitude: Short = ""
    parent_code: Short = ""
    partner: Short = ""
    csrf_token: Short = ""


def _fields(form: RegionForm) -> dict[str, Any]:
    def number(text: str) -> Any:
        try:
            return float(text)
        except ValueError:
            return text  # msgspec reports it as not a number

    return {
        "name_zh": form.name_zh.strip(), "name_en": form.name_en.strip(),
        "timezone": form.timezone.strip(), "latitude": number(form.latitude),
        "longitude": number(form.longitude), "parent_code": form.parent_code or None,
        "partner": form.partner == "on",
    }  # fmt: skip


async def _edit_page(
    view: View, db: DB, form: RegionForm, *, new: bool, status: int = 200, problem: Any = None
) -> Response[Any]:
    view.require(view.require_user().is_platform_admin)
    parents = [r for r in await directory.list_regions(db) if r.code != form.code]
    return view.render("admin_region_edit.html", status=status, form=form, new=new,
                       parents=parents, problem=problem, section="regions")  # fmt: skip


def _problem(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ProblemError):
        return page_problem(exc)
    return {"status": 422, "title": "Unprocessable request", "detail": str(exc)}


@get("/admin/regions/new", name="page-region-new")
async def new_region_page(view: ViewDep, db: DB) -> Response[Any]:
    return await _edit_page(view, db, RegionForm(timezone="Asia/Shanghai"), new=True)


@post("/admin/regions/new", name="page-region-create", status_code=303)
async def create_region_submit(
    view: ViewDep, db: DB, data: URLEncodedBody[RegionForm]
) -> Response[Any]:
    try:
        body = msgspec.convert({"code": data.code.strip(), **_fields(data)}, RegionIn)
        await regions.create_region(db, view.actor(), body)
    except (msgspec.ValidationError, ProblemError) as exc:
        return await _edit_page(view, db, data, new=True, status=422 if isinstance(exc, msgspec.ValidationError) else exc.status, problem=_problem(exc))  # fmt: skip
    return view.redirect("/admin/regions", ok="region-saved")


@get("/admin/regions/{code:str}", name="page-region-edit")
async def edit_region_page(view: ViewDep, db: DB, code: Code) -> Response[Any]:
    view.require(view.require_user().is_platform_admin)
    region = await regions.get_region(db, code)
    form = RegionForm(
        code=region.code, name_zh=region.name_zh, name_en=region.name_en,
        timezone=region.timezone, latitude=str(region.latitude), longitude=str(region.longitude),
        parent_code=region.parent_code or "", partner="on" if region.partner else "",
    )  # fmt: skip
    return await _edit_page(view, db, form, new=False)


@post("/admin/regions/{code:str}", name="page-region-update", status_code=303)
async def update_region_submit(
    view: ViewDep, db: DB, code: Code, data: URLEncodedBody[RegionForm]
) -> Response[Any]:
    form = msgspec.structs.replace(data, code=code)
    try:
        await regions.update_region(
            db, view.actor(), code, msgspec.convert(_fields(form), RegionPatchIn)
        )
    except (msgspec.ValidationError, ProblemError) as exc:
        return await _edit_page(view, db, form, new=False, status=422 if isinstance(exc, msgspec.ValidationError) else exc.status, problem=_problem(exc))  # fmt: skip
    return view.redirect("/admin/regions", ok="region-saved")


ROUTES = [new_region_page, create_region_submit, edit_region_page, update_region_submit]
