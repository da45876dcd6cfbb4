"""HTTP routes of the password reset by mail."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts import password_reset
from service.accounts.client_address import client_address
from service.accounts.schemas import Email, NewPassword, RevokedOut
from service.common.openapi import problem_spec as problem
from service.db import Database
from service.settings import Settings

_AUTH = ["auth"]


class ResetRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class ResetRequestedOut(msgspec.Struct):
    detail: str


class ResetIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    password: NewPassword


SENT = "If the address belongs to an account, a mail with a reset link is on its way."


@post(
    "/api/v1/auth/password-reset",
    operation_id="requestPasswordReset",
    tags=_AUTH,
    status_code=202,
    security=[{}],
)
async def request_reset(
    request: Request[Any, Any, Any],
    data: JSONBody[ResetRequestIn],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[ResetRequestedOut]:
    """Mails a single-use reset link valid for an hour. The answer is the same whether or not
    the address belongs to an account."""
    await password_reset.request_reset(db, settings, data.email, client_address(request))
    return Response(ResetRequestedOut(SENT), status_code=202)


@post(
    "/api/v1/auth/password-reset/confirm",
    operation_id="resetPassword",
    tags=_AUTH,
    status_code=200,
    security=[{}],
    responses={422: problem("Unknown, used or expired token, or a weak password.")},
)
async def reset(
    request: Request[Any, Any, Any], data: JSONBody[ResetIn], db: NamedDependency[Database]
) -> RevokedOut:
    """Sets the new password; every session ends and every API token is revoked (the answer
    says how many)."""
    return await password_reset.reset_password(
        db, data.token, data.password, client_address(request)
    )


ROUTES: list[Any] = [request_reset, reset]
