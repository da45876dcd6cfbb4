"""CSRF protection of the pages.

A signed-in browser's forms carry the token stored with its session (`user_session.csrf_token`);
an anonymous browser's forms (log in, register, language) carry an HMAC of a random cookie, so a
forged cross-site form can carry neither. Bearer-token callers are not cookie-authenticated and
need no token. Every unsafe page route is guarded; a test enumerates them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.accounts.principal import CSRF_HEADER, UNSAFE_METHODS, Principal, provide_principal
from service.errors import Forbidden
from service.settings import Settings

#: Random value behind the anonymous token; the token itself is its HMAC under the secret key.
ANON_COOKIE = "is_form"
FIELD = "csrf_token"


def new_anonymous_seed() -> str:
    return secrets.token_urlsafe(24)


def anonymous_token(settings: Settings, seed: str) -> str:
    mac = hmac.new(settings.secret_key.encode(), b"form-csrf:" + seed.encode(), hashlib.sha256)
    return mac.hexdigest()


def expected_token(settings: Settings, principal: Principal | None, seed: str | None) -> str | None:
    if principal is not None and principal.via_session:
        return principal.csrf_token
    return anonymous_token(settings, seed) if seed else None


async def _sent_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type, _ = request.content_type
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def requires_csrf(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard for every page route: unsafe methods need the token of this browser."""
    request: Request[Any, Any, Any] = connection  # type: ignore[assignment]
    if request.method not in UNSAFE_METHODS:
        return
    principal = await provide_principal(request)
    if principal is not None and not principal.via_session:
        return
    settings: Settings = request.app.state.settings
    expected = expected_token(settings, principal, request.cookies.get(ANON_COOKIE))
    sent = await _sent_token(request)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            "The form is missing its security token or it has expired; reload the page and try again."
        )
