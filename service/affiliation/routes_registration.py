"""HTTP route of self-registration. It lives above `accounts` because a new account whose
address is in one of its institution's e-mail domains is offered the affiliation proof at once."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts import users
from service.accounts.schemas import MeOut, RegisterIn
from service.affiliation import confirm
from service.common.openapi import problem_spec as problem
from service.db import Database
from service.settings import Settings

_AUTH = ["auth"]


@post(
    "/api/v1/auth/register",
    operation_id="register",
    tags=_AUTH,
    status_code=201,
    security=[{}],  # no credentials needed
    responses={
        409: problem("An account with this email address exists."),
        422: problem("Invalid email, weak password or unknown institution (see violations)."),
    },
)
async def register(
    *,
    request: Request[Any, Any, Any],
    data: JSONBody[RegisterIn],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> MeOut:
    """Self-registration of a researcher. It does not log in: the client calls the login
    endpoint next, so every session starts through the one throttled path. The institution
    is a claim (`affiliation.state` = `claimed`) until proven; when the address is in one of
    the institution's e-mail domains a confirmation link is mailed to it at once."""
    me = await users.register(db, data, request.headers.get("accept-language"))
    await confirm.offer_on_registration(db, settings, me.id)
    return me


ROUTES: list[Any] = [register]
