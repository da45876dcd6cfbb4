"""HTTP routes of accounts: login, logout, the caller's profile and API tokens (registration,
which offers the affiliation proof at once, is in `service.affiliation.routes_registration`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts import login as login_use_case
from service.accounts import tokens, users
from service.accounts.client_address import client_address
from service.accounts.http import (
    bearer_token,
    cleared_cookies,
    session_cookies,
)
from service.accounts.principal import SESSION_COOKIE, Principal
from service.accounts.routes_admin import ADMIN_ROUTES
from service.accounts.routes_audit import ROUTES as AUDIT_ROUTES
from service.accounts.routes_reset import ROUTES as RESET_ROUTES
from service.accounts.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    MePatchIn,
    MeUpdatedOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.db import Database
from service.settings import Settings

_AUTH = ["auth"]
_UNAUTHENTICATED = {401: problem("Not logged in, or the token is unknown, expired or revoked.")}


@post(
    "/api/v1/auth/login",
    operation_id="login",
    tags=_AUTH,
    status_code=200,
    security=[{}],  # no credentials needed
    responses={
        401: problem("Wrong email or password, or the account is deactivated."),
        429: problem("Too many failed attempts from this address; see Retry-After."),
    },
)
async def login(
    request: Request[Any, Any, Any],
    data: JSONBody[LoginIn],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[LoginOut]:
    """Returns a new bearer token named "login" and starts a browser session: the session
    cookie is HttpOnly; the CSRF token comes in the body and in a readable cookie, and must be
    echoed in `X-CSRF-Token` on every session-authenticated API write."""
    result = await login_use_case.login(
        db, settings, data, request.cookies.get(SESSION_COOKIE), address=client_address(request)
    )
    cookies = session_cookies(
        settings, result.session_id, result.body.csrf_token, result.session_expires_at
    )
    return Response(result.body, cookies=cookies)


@post(
    "/api/v1/auth/logout",
    operation_id="logout",
    tags=_AUTH,
    status_code=204,
    responses={403: problem("Session logout without the X-CSRF-Token header.")},
)
async def logout(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
    principal: NamedDependency[Principal | None],
) -> Response[None]:
    """Ends the session of the cookie and revokes the bearer token the request carries.

    `principal` is resolved only for its side effects: an unknown bearer token is a 401 and a
    session logout is CSRF-checked like every other session write."""
    await login_use_case.logout(db, request.cookies.get(SESSION_COOKIE), bearer_token(request))
    return Response(None, status_code=204, cookies=cleared_cookies(settings))


@get("/api/v1/me", operation_id="getMe", tags=_AUTH, responses=_UNAUTHENTICATED)
async def get_me(user: NamedDependency[Principal], db: NamedDependency[Database]) -> MeOut:
    return await users.load_me(db, user.user_id)


@patch(
    "/api/v1/me",
    operation_id="updateMe",
    tags=_AUTH,
    responses={
        **_UNAUTHENTICATED,
        422: problem("Invalid value or wrong current password."),
        429: problem("Too many wrong current passwords from this address; see Retry-After."),
    },
)
async def update_me(
    *,
    request: Request[Any, Any, Any],
    data: JSONBody[MePatchIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> MeUpdatedOut:
    """A password change needs `current_password` (its checks are throttled like logins),
    ends every other session and revokes every API token of the user, this request's token
    included; `credentials_revoked` says what was ended."""
    return await users.update_me(
        db,
        user,
        data,
        request.cookies.get(SESSION_COOKIE),
        settings=settings,
        address=client_address(request),
    )


@post(
    "/api/v1/tokens",
    operation_id="createToken",
    tags=_AUTH,
    status_code=201,
    responses=_UNAUTHENTICATED,
)
async def create_token(
    request: Request[Any, Any, Any],
    data: JSONBody[TokenIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> TokenCreatedOut:
    """The plain token is in this response only; the server keeps its SHA-256 digest."""
    return await tokens.create_token(db, user, data, client_address(request))


@get("/api/v1/tokens", operation_id="listTokens", tags=_AUTH, responses=_UNAUTHENTICATED)
async def list_tokens(
    user: NamedDependency[Principal], db: NamedDependency[Database]
) -> list[TokenOut]:
    return await tokens.list_tokens(db, user)


@delete(
    "/api/v1/tokens/{token_id:int}",
    operation_id="revokeToken",
    tags=_AUTH,
    responses={**_UNAUTHENTICATED, 404: problem("No such token of yours.")},
)
async def revoke_token(
    request: Request[Any, Any, Any],
    token_id: PathId,
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> None:
    await tokens.revoke_token(db, user, token_id, client_address(request))


ROUTES: list[Any] = [
    login,
    logout,
    get_me,
    update_me,
    create_token,
    list_tokens,
    revoke_token,
    *ADMIN_ROUTES,
    *RESET_ROUTES,
    *AUDIT_ROUTES,
]
