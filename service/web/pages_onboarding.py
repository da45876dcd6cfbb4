"""Onboarding pages: importing the registry's instrument file (admins), an institution's
registry page (completeness, exports, member list upload), and accepting an invitation.

They call the same use cases as the API; a page never holds SQL.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import PathParameter, URLEncodedBody

from service.catalog import directory
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import ProblemError
from service.onboarding import import_instruments, import_users, invite
from service.onboarding.routes import MAX_IMPORT_BYTES
from service.registry import check
from service.web.pages_institution import _administered
from service.web.view import DB, SettingsDep, View, ViewDep

Token = Annotated[str, PathParameter(max_length=200)]
#: A previewed file is carried back to the confirmation form up to this size; larger files
#: are chosen again (a hidden field of tens of megabytes would make the page unusable).
CARRY_BYTES = 4 * 1024 * 1024


def page_problem(exc: ProblemError) -> dict[str, Any]:
    """A problem as the pages show it: detail, violated rules and per-row import errors."""
    return {"status": exc.status, "title": exc.title, "detail": exc.detail,
            "violations": (exc.extra or {}).get("violations", []),
            "errors": (exc.extra or {}).get("errors", [])}  # fmt: skip


async def _upload(request: Request[Any, Any, Any]) -> tuple[bytes, str, str]:
    """(content, file name, media type) of the chosen file or of the carried preview."""
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        content = await upload.read(MAX_IMPORT_BYTES + 1)
        if content:
            return content, upload.filename or "upload", upload.content_type or ""
    carried = form.get("carried")
    if isinstance(carried, str) and carried:
        try:
            return base64.b64decode(carried, validate=True), str(form.get("name") or ""), ""
        except (binascii.Error, ValueError):
            pass
    return b"", "", ""


def _can_import(view: View) -> None:
    user = view.require_user()
    view.require(user.is_platform_admin or bool(user.admin_of))


@get("/imports", name="page-imports")
async def imports_page(view: ViewDep) -> Response[Any]:
    _can_import(view)
    return view.render("imports.html", report=None, problem=None, carried="", name="")


@post(
    "/imports",
    name="page-imports-post",
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES * 2,
)
async def imports_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, settings: SettingsDep
) -> Response[Any]:
    _can_import(view)
    form = await request.form()
    apply = form.get("mode") == "import"
    body, name, media = await _upload(request)
    if not body or len(body) > MAX_IMPORT_BYTES:
        problem = {"status": 422, "title": "Unprocessable request",
                   "detail": view.t("Choose a CSV or .xlsx file of at most 32 MB.")}  # fmt: skip
        return view.render(
            "imports.html", status=422, report=None, problem=problem, carried="", name=""
        )
    try:
        report = await import_instruments.import_instruments(
            db, view.actor(), body, name=name, media_type=media, dry_run=not apply,
            base_url=settings.base_url, now=utcnow(),
        )  # fmt: skip
    except ProblemError as exc:
        return view.render("imports.html", status=exc.status, report=None, problem=page_problem(exc),
                           carried="", name=name)  # fmt: skip
    carried = base64.b64encode(body).decode() if not apply and len(body) <= CARRY_BYTES else ""
    return view.render("imports.html", report=report, problem=None, carried=carried, name=name)


async def _registry_page(
    view: View, db: DB, institution_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    _administered(view, institution_id)
    institution = await directory.get_institution(db, institution_id)
    report = await check.completeness(db, [institution_id])
    values: dict[str, Any] = {"problem": None, "members": None}
    return view.render(
        "institution_registry.html", status=status, institution=institution, report=report,
        section="registry", **{**values, **extra},
    )  # fmt: skip


@get("/institution/{institution_id:int}/registry", name="page-institution-registry")
async def registry_page(view: ViewDep, db: DB, institution_id: PathId) -> Response[Any]:
    return await _registry_page(view, db, institution_id)


@post(
    "/institution/{institution_id:int}/members/import",
    name="page-institution-members-import",
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
)
async def members_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    *,
    institution_id: PathId,
) -> Response[Any]:
    _administered(view, institution_id)
    form = await request.form()
    body, name, _ = await _upload(request)
    try:
        result = await import_users.import_users(
            db, view.actor(), institution_id, body, name=name or "members.csv",
            dry_run=form.get("mode") != "import", base_url=settings.base_url, now=utcnow(),
        )  # fmt: skip
    except ProblemError as exc:
        return await _registry_page(view, db, institution_id, exc.status, problem=page_problem(exc))
    return await _registry_page(view, db, institution_id, members=result)


class PasswordForm(msgspec.Struct):
    password: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


@get("/invitations/{token:str}", name="page-invitation")
async def invitation_page(view: ViewDep, db: DB, token: Token) -> Response[Any]:
    async with db.connection() as conn:
        row = await invite.open_invitation(conn, token, utcnow())
    return view.render("invitation.html", email=row["email"], token=token, problem=None)


@post("/invitations/{token:str}", name="page-invitation-post", status_code=303)
async def invitation_submit(
    view: ViewDep, db: DB, token: Token, data: URLEncodedBody[PasswordForm]
) -> Response[Any]:
    try:
        await db.in_transaction(lambda conn: invite.accept(conn, token, data.password, utcnow()))
    except ProblemError as exc:
        if exc.status == 404:
            raise
        async with db.connection() as conn:
            row = await invite.open_invitation(conn, token, utcnow())
        return view.render("invitation.html", status=exc.status, email=row["email"], token=token,
                           problem=page_problem(exc))  # fmt: skip
    return view.redirect("/login", ok="password-set")


ROUTES = [
    imports_page, imports_submit, registry_page, members_submit, invitation_page,
    invitation_submit,
]  # fmt: skip
