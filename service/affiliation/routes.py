"""HTTP routes of affiliation: e-mail domains, confirmation by mail, the admins' queue."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from service.accounts.client_address import client_address
from service.accounts.principal import Principal
from service.affiliation import confirm, decide, domains
from service.affiliation.routes_registration import ROUTES as REGISTRATION_ROUTES
from service.affiliation.schemas import (
    ConfirmationIn,
    ConfirmationSentOut,
    ConfirmIn,
    DecisionIn,
    EmailDomainOut,
    MembershipOut,
    MembershipPatchIn,
    MembershipState,
)
from service.common.openapi import problem_spec as problem
from service.common.params import PageNumber, PageSize, PathId
from service.common.schemas import Page
from service.db import Database
from service.settings import Settings

_TAGS = ["affiliation"]
_ADMIN = {403: problem("Only administrators of the institution may do this."),
          404: problem("No such institution, or no such membership of it.")}  # fmt: skip
_Domain = Annotated[str, PathParameter(min_length=3, max_length=253)]
_BASE = "/api/v1/institutions/{institution_id:int}"
_MEMBER = _BASE + "/memberships/{user_id:int}"


@get(_BASE + "/email-domains", operation_id="listEmailDomains", tags=_TAGS, responses=_ADMIN)
async def list_domains(
    institution_id: PathId, user: NamedDependency[Principal], db: NamedDependency[Database]
) -> list[EmailDomainOut]:
    return await domains.list_domains(db, user, institution_id)


@put(
    _BASE + "/email-domains/{domain:str}",
    operation_id="addEmailDomain",
    tags=_TAGS,
    responses={**_ADMIN, 409: problem("The domain belongs to another institution."),
               422: problem("Not a domain name, or a public mail provider's.")},
)  # fmt: skip
async def add_domain(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    domain: _Domain,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> EmailDomainOut:
    """A confirmation link sent to an address in this domain (or a subdomain) proves
    membership of the institution."""
    return await domains.add_domain(
        db, user, institution_id, domain, address=client_address(request)
    )


@delete(
    _BASE + "/email-domains/{domain:str}",
    operation_id="removeEmailDomain",
    tags=_TAGS,
    responses=_ADMIN,
)
async def remove_domain(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    domain: _Domain,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await domains.remove_domain(db, user, institution_id, domain, address=client_address(request))


@post(
    "/api/v1/me/affiliation/confirmation",
    operation_id="sendAffiliationConfirmation",
    tags=_TAGS,
    status_code=202,
    responses={409: problem("Verified already, or a link was sent a moment ago."),
               422: problem("The address is not in one of the institution's domains.")},
)  # fmt: skip
async def send_confirmation(
    data: JSONBody[ConfirmationIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> ConfirmationSentOut:
    """Mails a single-use link (48 hours) to an address at the caller's stated institution."""
    return await confirm.send_link(db, settings, user.user_id, data.email)


@post(
    "/api/v1/affiliation/confirm",
    operation_id="confirmAffiliation",
    tags=_TAGS,
    status_code=200,
    security=[{}],
    responses={422: problem("Unknown, used or expired link.")},
)
async def confirm_link(
    request: Request[Any, Any, Any], data: JSONBody[ConfirmIn], db: NamedDependency[Database]
) -> MembershipOut:
    """The token of a mailed link verifies the membership it was sent for (once)."""
    return await confirm.confirm(db, data.token, client_address(request))


@get(_BASE + "/memberships", operation_id="listMemberships", tags=_TAGS, responses=_ADMIN)
async def list_memberships(
    *,
    institution_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    state_filter: Annotated[
        MembershipState | None, QueryParameter(name="state", description="claimed: the queue")
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[MembershipOut]:
    """Everyone who states the institution, with their latest membership; `state=claimed` is
    the approval queue (oldest first)."""
    items, total = await decide.list_memberships(
        db, user, institution_id, state_filter, page=page, size=page_size
    )
    return Page(items=items, total=total, page=page, page_size=page_size)


def _decision(name: str, operation: str, doc: str) -> Any:
    @post(
        _MEMBER + f"/{name}",
        operation_id=operation,
        tags=_TAGS,
        status_code=200,
        responses={**_ADMIN, 409: problem("The membership is not in a state for this.")},
        description=doc,
    )
    async def handler(
        *,
        request: Request[Any, Any, Any],
        institution_id: PathId,
        user_id: PathId,
        data: JSONBody[DecisionIn],
        user: NamedDependency[Principal],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
    ) -> MembershipOut:
        return await decide.decide(
            db, settings, user, institution_id, user_id=user_id,
            decision=name, reason=data.reason, address=client_address(request),
        )  # fmt: skip

    return handler


approve = _decision("approve", "approveMembership", "Verify a claim; the claimant is mailed.")
reject = _decision("reject", "rejectMembership", "Refuse a claim; the claimant is mailed.")
revoke = _decision("revoke", "revokeMembership", "End a verified membership now.")


@patch(_MEMBER, operation_id="updateMembership", tags=_TAGS,
       responses={**_ADMIN, 409: problem("Only a verified membership can end.")})  # fmt: skip
async def update_membership(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    user_id: PathId,
    data: JSONBody[MembershipPatchIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> MembershipOut:
    """Set or clear the date-time the membership ends."""
    return await decide.set_end(
        db, user, institution_id, user_id, ends_at=data.ends_at, address=client_address(request)
    )


ROUTES: list[Any] = [
    list_domains, add_domain, remove_domain, send_confirmation, confirm_link,
    list_memberships, approve, reject, revoke, update_membership, *REGISTRATION_ROUTES,
]  # fmt: skip
