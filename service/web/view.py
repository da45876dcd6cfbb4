"""What every page handler gets as `view`: the viewer, their language and zone, the CSRF token,
and the one way to turn a template into a response (security headers included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.response import Redirect

from service.accounts.principal import Principal, provide_principal
from service.catalog.lookups import region_zone
from service.common import labels as code_labels
from service.common.catalogues import gettext
from service.db import Database
from service.errors import Forbidden, Unauthorized
from service.settings import Settings
from service.web import csrf, formatting, labels, nav
from service.web.i18n import LANG_COOKIE, choose_language, environment

#: Scripts only from this origin (no inline code, no CDN); FullCalendar injects its own styles.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class View:
    request: Request[Any, Any, Any]
    settings: Settings
    language: str
    principal: Principal | None
    viewer_zone: str
    csrf_token: str
    cookies: list[Cookie] = field(default_factory=list)

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def t(self, message: str, **params: Any) -> str:
        return gettext(self.language, message, **params)

    def require_user(self) -> Principal:
        if self.principal is None:
            raise Unauthorized("Log in to see this page.")
        return self.principal

    def actor(self) -> Principal:
        """The signed-in user, speaking the page's language, so service messages match it."""
        user = self.require_user()
        return msgspec.structs.replace(user, language=self.language)

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden("You may not use this page.")

    def pick(self, zh: str, en: str) -> str:
        return (en or zh) if self.language == "en" else (zh or en)

    def context(self) -> dict[str, Any]:
        return {
            "view": self,
            "user": self.principal,
            "lang": self.language,
            "csrf_token": self.csrf_token,
            "viewer_zone": self.viewer_zone,
            "fmt": formatting.Formatter(self.language),
            "labels": labels,
            "code_labels": code_labels,
            "pick": self.pick,
            "path": self.request.url.path,
            "raw_query": self.request.url.query,
            "flash": labels.flash(self.request.query_params.get("ok")),
            "query_string": self.query_string,
            "iso": _iso,
            "nav_links": nav.links(self.principal),
        }

    def query_string(self, **overrides: Any) -> str:
        """This page's query with some parameters replaced (pagination links)."""
        params = {k: v for k, v in self.request.query_params.items() if k != "ok"}
        params.update({k: str(v) for k, v in overrides.items()})
        return urlencode(params)

    def render(self, template: str, status: int = 200, **values: Any) -> Response[str]:
        html = (
            environment(self.language).get_template(template).render({**self.context(), **values})
        )
        return Response(
            html,
            status_code=status,
            media_type=MediaType.HTML,
            headers=SECURITY_HEADERS,
            cookies=self.cookies,
        )

    def redirect(self, path: str, ok: str | None = None) -> Response[Any]:
        """After a successful form post (303, so a reload does not post again)."""
        target = path if ok is None else f"{path}{'&' if '?' in path else '?'}ok={quote(ok)}"
        if self.is_htmx:
            return Response(
                "", status_code=200, headers={"HX-Redirect": target}, cookies=self.cookies
            )
        return Redirect(target, status_code=303, cookies=self.cookies)


def _iso(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


async def viewer_zone(db: Database, principal: Principal | None) -> str:
    """The zone of the viewer's institution's region; the province's zone for visitors."""
    if principal is None:
        return formatting.DEFAULT_ZONE
    zone = await region_zone(db, principal.region_code)
    return zone or formatting.DEFAULT_ZONE


async def provide_view(
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> View:
    principal = await provide_principal(request)
    language = choose_language(
        request.cookies.get(LANG_COOKIE),
        principal.language if principal else None,
        request.headers.get("accept-language"),
    )
    cookies: list[Cookie] = []
    seed = request.cookies.get(csrf.ANON_COOKIE)
    if principal is None and not seed:
        seed = csrf.new_anonymous_seed()
        cookies.append(
            Cookie(
                key=csrf.ANON_COOKIE,
                value=seed,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
        )
    token = csrf.expected_token(settings, principal, seed) or ""
    zone = await viewer_zone(db, principal)
    return View(request, settings, language, principal, zone, token, cookies)


def login_redirect(path: str) -> Redirect:
    return Redirect(f"/login?next={quote(path)}", status_code=303)


#: Handler parameter types: the app's dependencies, named explicitly.
ViewDep = NamedDependency[View]
DB = NamedDependency[Database]
SettingsDep = NamedDependency[Settings]
