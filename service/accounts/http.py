"""HTTP helpers of the accounts routes: cookies, credentials from headers, documented errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from service.accounts.principal import SESSION_COOKIE
from service.common.time import utcnow
from service.settings import Settings

#: Readable by page scripts, which copy it into the X-CSRF-Token header of API writes.
CSRF_COOKIE = "is_csrf"


def session_cookies(
    settings: Settings, session_id: str, csrf_token: str, expires_at: datetime
) -> list[Cookie]:
    max_age = max(0, int((expires_at - utcnow()).total_seconds()))
    secure = settings.secure_cookies
    return [
        Cookie(
            key=SESSION_COOKIE,
            value=session_id,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=secure,
        ),
        Cookie(
            key=CSRF_COOKIE,
            value=csrf_token,
            max_age=max_age,
            httponly=False,
            samesite="lax",
            secure=secure,
        ),
    ]


def cleared_cookies(settings: Settings) -> list[Cookie]:
    secure = settings.secure_cookies
    return [
        Cookie(key=name, value="", max_age=0, expires=0, httponly=httponly, secure=secure)
        for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False))
    ]


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
