"""Identity pages: an institution admin's queue of membership claims (approve, reject) and the
audit log, for institution admins (their people) and platform admins (everyone). They call the
same use cases as the API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.params import URLEncodedBody

from service.accounts.audit_log import read_events
from service.accounts.client_address import client_address
from service.affiliation import decide
from service.audit.filters import AuditFilter
from service.catalog import directory
from service.common.params import PageNumber, PathId
from service.errors import Conflict, NotFound
from service.web.view import DB, SettingsDep, View, ViewDep


class DecisionForm(msgspec.Struct):
    user_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    decision: Literal["approve", "reject"]
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    csrf_token: Annotated[str, msgspec.Meta(max_length=200)] = ""


def _administered(view: View, institution_id: int) -> None:
    if not view.require_user().is_admin_of(institution_id):
        raise NotFound("No such institution among those you administer.")


async def _members_page(
    view: View, db: DB, institution_id: int, status: int = 200, *, problem: Any = None
) -> Response[Any]:
    _administered(view, institution_id)
    institution = await directory.get_institution(db, institution_id)
    queue, waiting = await decide.list_memberships(
        db, view.actor(), institution_id, "claimed", page=1, size=200
    )
    return view.render(
        "institution_members.html", status=status, institution=institution, queue=queue,
        waiting=waiting, section="members", problem=problem,
    )  # fmt: skip


@get("/institution/{institution_id:int}/members", name="page-institution-members")
async def members_page(view: ViewDep, db: DB, institution_id: PathId) -> Response[Any]:
    return await _members_page(view, db, institution_id)


@post(
    "/institution/{institution_id:int}/members",
    name="page-institution-members-post",
    status_code=303,
)
async def members_submit(
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    institution_id: PathId,
    *,
    data: URLEncodedBody[DecisionForm],
) -> Response[Any]:
    _administered(view, institution_id)
    try:
        await decide.decide(
            db, settings, view.actor(), institution_id, user_id=data.user_id, decision=data.decision,
            reason=data.reason, address=client_address(view.request),
        )  # fmt: skip
    except (NotFound, Conflict) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _members_page(view, db, institution_id, exc.status, problem=problem)
    flash = "membership-approved" if data.decision == "approve" else "membership-rejected"
    return view.redirect(f"/institution/{institution_id}/members", ok=flash)


async def _audit(view: View, db: DB, institution: int | None, page: int) -> Any:
    return await read_events(
        db, view.actor(), AuditFilter(institution_id=institution), page, page_size=50
    )


@get("/institution/{institution_id:int}/audit", name="page-institution-audit")
async def institution_audit_page(
    view: ViewDep, db: DB, institution_id: PathId, page: PageNumber = 1
) -> Response[Any]:
    _administered(view, institution_id)
    institution = await directory.get_institution(db, institution_id)
    events = await _audit(view, db, institution_id, page)
    return view.render("audit.html", institution=institution, page=events, section="audit")


@get("/admin/audit", name="page-admin-audit")
async def admin_audit_page(view: ViewDep, db: DB, page: PageNumber = 1) -> Response[Any]:
    view.require(view.require_user().is_platform_admin)
    events = await _audit(view, db, None, page)
    return view.render("audit.html", institution=None, page=events, section="audit")


ROUTES = [members_page, members_submit, institution_audit_page, admin_audit_page]
