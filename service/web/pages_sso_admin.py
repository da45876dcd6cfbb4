"""The institution's single sign-on settings page, for its admins and platform admins: one
OpenID Connect and one CAS provider, with the redirect URI to register at the provider. It
calls the same use cases as the API; the client secret is write-only here too."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.params import URLEncodedBody

from service.accounts.client_address import client_address
from service.catalog import directory
from service.common.i18n import N_
from service.common.params import PathId
from service.errors import NotFound, ProblemError
from service.sso import configure
from service.sso.begin import callback_url
from service.sso.schemas import IdentityProviderIn
from service.web.forms import Short, Token
from service.web.view import DB, SettingsDep, View, ViewDep

#: Messages of other packages this page shows (translated through the catalogues).
SHOWN = [
    N_("The domain is not a valid DNS name."),
    N_("A public mail provider's domain proves no membership."),
    N_("Unprocessable request"),
]


class ProviderForm(msgspec.Struct):
    protocol: Literal["oidc", "cas"] = "oidc"
    issuer: Annotated[str, msgspec.Meta(max_length=500)] = ""
    client_id: Annotated[str, msgspec.Meta(max_length=200)] = ""
    client_secret: Annotated[str, msgspec.Meta(max_length=500)] = ""
    email_claim: Annotated[str, msgspec.Meta(max_length=100)] = "email"
    name_claim: Annotated[str, msgspec.Meta(max_length=100)] = "name"
    staff_number_claim: Annotated[str, msgspec.Meta(max_length=100)] = ""
    allowed_domains: Short = ""
    enabled: str = ""
    action: Literal["save", "delete"] = "save"
    csrf_token: Token = ""


def _config(form: ProviderForm) -> IdentityProviderIn:
    """A blank secret keeps the stored one; domains are separated by commas or spaces."""
    domains = [d for d in re.split(r"[\s,，]+", form.allowed_domains) if d]
    return msgspec.convert(
        {"issuer": form.issuer.strip(), "client_id": form.client_id.strip(),
         "client_secret": form.client_secret or None, "email_claim": form.email_claim.strip() or "email",
         "name_claim": form.name_claim.strip(), "staff_number_claim": form.staff_number_claim.strip(),
         "allowed_domains": domains, "enabled": bool(form.enabled)},
        IdentityProviderIn,
    )  # fmt: skip


async def _page(
    view: View, db: DB, institution_id: int, status: int = 200, *, problem: Any = None,
    form: ProviderForm | None = None,
) -> Response[Any]:  # fmt: skip
    actor = view.actor()
    institution = await directory.get_institution(db, institution_id)
    providers = await configure.list_providers(db, view.settings, actor, institution_id)
    by_protocol = {p.protocol: p for p in providers}
    return view.render(
        "institution_sso.html", status=status, institution=institution, section="sso",
        providers=by_protocol, redirect_uri=callback_url(view.settings), problem=problem,
        form=form,
    )  # fmt: skip


@get("/institution/{institution_id:int}/sso", name="page-institution-sso")
async def sso_page(view: ViewDep, db: DB, institution_id: PathId) -> Response[Any]:
    if not view.require_user().is_admin_of(institution_id):
        raise NotFound("No such institution among those you administer.")
    return await _page(view, db, institution_id)


@post("/institution/{institution_id:int}/sso", name="page-institution-sso-post", status_code=303)
async def sso_submit(
    view: ViewDep, db: DB, settings: SettingsDep, institution_id: PathId,
    *, data: URLEncodedBody[ProviderForm],
) -> Response[Any]:  # fmt: skip
    if not view.require_user().is_admin_of(institution_id):
        raise NotFound("No such institution among those you administer.")
    address = client_address(view.request)
    try:
        if data.action == "delete":
            await configure.delete_provider(
                db, view.actor(), institution_id, data.protocol, address=address
            )
        else:
            await configure.save_provider(
                db, settings, view.actor(), institution_id, protocol=data.protocol, data=_config(data),
                address=address,
            )  # fmt: skip
    except msgspec.ValidationError as exc:
        problem = {"status": 422, "title": "Unprocessable request", "detail": str(exc)}
        return await _page(view, db, institution_id, 422, problem=problem, form=data)
    except ProblemError as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail,
                   "violations": exc.extra.get("violations", [])}  # fmt: skip
        return await _page(view, db, institution_id, exc.status, problem=problem, form=data)
    return view.redirect(f"/institution/{institution_id}/sso", ok="saved")


ROUTES = [sso_page, sso_submit]
