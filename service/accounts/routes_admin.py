"""HTTP routes of user administration and role grants."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, delete, get, patch, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from service.accounts import roles, user_admin
from service.accounts.client_address import client_address
from service.accounts.principal import Principal
from service.accounts.schemas import InstrumentManagerOut, UserOut, UserPatchIn
from service.common.openapi import problem_spec as problem
from service.common.params import PageNumber, PageSize, PathId, QueryId
from service.common.schemas import Page
from service.db import Database

_USERS = ["users"]
_FORBIDDEN = {403: problem("Your roles do not allow this.")}
_HIDDEN = {404: problem("The object does not exist or is not visible to you.")}


@get(
    "/api/v1/users",
    operation_id="listUsers",
    tags=_USERS,
    responses=_FORBIDDEN,
)
async def list_users(
    *,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    institution: QueryId = None,
    q: Annotated[
        str | None, QueryParameter(max_length=100, description="part of the email or name")
    ] = None,
    active: Annotated[
        bool | None, QueryParameter(description="only active or inactive users")
    ] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> Page[UserOut]:
    """Platform admins list everyone; institution admins the users of their institutions."""
    return await user_admin.list_users(
        db, user, institution=institution, q=q, active=active, page=page, page_size=page_size
    )


@get("/api/v1/users/{user_id:int}", operation_id="getUser", tags=_USERS, responses=_HIDDEN)
async def get_user(
    user_id: PathId, user: NamedDependency[Principal], db: NamedDependency[Database]
) -> UserOut:
    return await user_admin.get_user(db, user, user_id)


@patch(
    "/api/v1/users/{user_id:int}",
    operation_id="updateUser",
    tags=_USERS,
    responses={**_HIDDEN, **_FORBIDDEN, 409: problem("You cannot deactivate yourself.")},
)
async def update_user(
    *,
    request: Request[Any, Any, Any],
    user_id: PathId,
    data: JSONBody[UserPatchIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> UserOut:
    """Activate or deactivate, rename; only platform admins grant platform admin."""
    return await user_admin.patch_user(db, user, user_id, data, address=client_address(request))


@put(
    "/api/v1/institutions/{institution_id:int}/admins/{user_id:int}",
    operation_id="grantInstitutionAdmin",
    tags=_USERS,
    status_code=204,
    responses={**_FORBIDDEN, 404: problem("No such institution or user.")},
)
async def grant_institution_admin(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    user_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await roles.set_institution_admin(
        db, user, institution_id, user_id, granted=True, address=client_address(request)
    )


@delete(
    "/api/v1/institutions/{institution_id:int}/admins/{user_id:int}",
    operation_id="revokeInstitutionAdmin",
    tags=_USERS,
    responses={**_FORBIDDEN, 404: problem("No such institution or user.")},
)
async def revoke_institution_admin(
    *,
    request: Request[Any, Any, Any],
    institution_id: PathId,
    user_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await roles.set_institution_admin(
        db, user, institution_id, user_id, granted=False, address=client_address(request)
    )


@get(
    "/api/v1/instruments/{instrument_id:int}/managers",
    operation_id="listInstrumentManagers",
    tags=_USERS,
    responses={**_FORBIDDEN, 404: problem("No such instrument.")},
)
async def list_managers(
    instrument_id: PathId, user: NamedDependency[Principal], db: NamedDependency[Database]
) -> list[InstrumentManagerOut]:
    return await roles.list_instrument_managers(db, user, instrument_id)


@put(
    "/api/v1/instruments/{instrument_id:int}/managers/{user_id:int}",
    operation_id="grantInstrumentManager",
    tags=_USERS,
    status_code=204,
    responses={
        **_FORBIDDEN,
        404: problem("No such instrument, or no such user in its institution."),
        422: problem("The user is deactivated."),
    },
)
async def grant_manager(
    *,
    request: Request[Any, Any, Any],
    instrument_id: PathId,
    user_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    """Institution admins appoint members of the instrument's institution; platform admins
    may appoint anyone."""
    await roles.set_instrument_manager(
        db, user, instrument_id, user_id, granted=True, address=client_address(request)
    )


@delete(
    "/api/v1/instruments/{instrument_id:int}/managers/{user_id:int}",
    operation_id="revokeInstrumentManager",
    tags=_USERS,
    responses={**_FORBIDDEN, 404: problem("No such instrument.")},
)
async def revoke_manager(
    *,
    request: Request[Any, Any, Any],
    instrument_id: PathId,
    user_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await roles.set_instrument_manager(
        db, user, instrument_id, user_id, granted=False, address=client_address(request)
    )


ADMIN_ROUTES: list[Any] = [
    list_users,
    get_user,
    update_user,
    grant_institution_admin,
    revoke_institution_admin,
    list_managers,
    grant_manager,
    revoke_manager,
]
