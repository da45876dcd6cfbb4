"""HTTP routes of single sign-on configuration. The sign-on itself is a browser flow (pages
under /sso/, see `service.web.pages_sso`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from service.accounts.client_address import client_address
from service.accounts.principal import Principal
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.db import Database
from service.settings import Settings
from service.sso import configure
from service.sso.schemas import IdentityProviderIn, IdentityProviderOut, Protocol, SignOnChoiceOut

_TAGS = ["single sign-on"]
_BASE = "/api/v1/institutions/{institution_id:int}/identity-providers"
_ADMIN = {403: problem("Only administrators of the institution may do this."),
          404: problem("No such institution, or it has no provider of this protocol.")}  # fmt: skip


@get("/api/v1/sso/providers", operation_id="listSignOnChoices", tags=_TAGS, security=[{}])
async def list_choices(db: NamedDependency[Database]) -> list[SignOnChoiceOut]:
    """The institutions whose own login can be used here ("log in with …")."""
    return await configure.sign_on_choices(db)


@get(_BASE, operation_id="listIdentityProviders", tags=_TAGS, responses=_ADMIN)
async def list_providers(
    institution_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> list[IdentityProviderOut]:
    return await configure.list_providers(db, settings, user, institution_id)


@put(
    _BASE + "/{protocol:str}",
    operation_id="saveIdentityProvider",
    tags=_TAGS,
    responses={**_ADMIN, 201: ResponseSpec(IdentityProviderOut, description="Created."),
               422: problem("Not an https issuer, a missing client id or secret, a bad domain.")},
)  # fmt: skip
async def save_provider(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    protocol: FromPath[Protocol],
    data: JSONBody[IdentityProviderIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[IdentityProviderOut]:
    """Create (201) or replace (200) the institution's OpenID Connect or CAS provider. The
    client secret is stored encrypted and never returned; leave it out to keep the stored one.
    Register `redirect_uri` at the provider (for CAS: allow service URLs starting with it)."""
    saved, created = await configure.save_provider(
        db,
        settings,
        user,
        institution_id,
        protocol=protocol,
        data=data,
        address=client_address(request),
    )
    return Response(saved, status_code=201 if created else 200)


@delete(
    _BASE + "/{protocol:str}", operation_id="deleteIdentityProvider", tags=_TAGS, responses=_ADMIN
)
async def delete_provider(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    protocol: FromPath[Protocol],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await configure.delete_provider(
        db, user, institution_id, protocol, address=client_address(request)
    )


ROUTES: list[Any] = [list_choices, list_providers, save_provider, delete_provider]
