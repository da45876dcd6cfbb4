"""Single sign-on in the browser: start at the institution's identity provider, come back to
the callback, and (for an address that has an account already) prove the account before the
sign-on is linked to it. Failures are pages in the viewer's language, never 500s."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect

from service.accounts.client_address import client_address
from service.accounts.http import session_cookies
from service.accounts.principal import SESSION_COOKIE
from service.common.params import PathId
from service.errors import Conflict, ProblemError, TooManyRequests, Unprocessable
from service.sso import begin as sso_begin
from service.sso import link
from service.sso.account import LinkNeeded, SignedIn
from service.sso.complete import Callback, complete
from service.web.forms import Short, Token, safe_next
from service.web.view import DB, SettingsDep, View, ViewDep

#: Holds the state of the sign-on this browser started, for the callback to match. It is left
#: to expire (ten minutes): the state is used up at the callback, and a replay then hears so.
STATE_COOKIE = "is_sso"
Param = Annotated[str, QueryParameter(max_length=2000)]
#: `state` is a reserved parameter name in Litestar.
StateParam = Annotated[str, QueryParameter(name="state", max_length=2000)]


class LinkForm(msgspec.Struct):
    token: Token = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    csrf_token: Token = ""


def _state_cookie(view: View, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=STATE_COOKIE, value=value, max_age=max_age, path="/sso", httponly=True,
        samesite="lax", secure=view.settings.secure_cookies,
    )  # fmt: skip


def _refused(view: View, exc: ProblemError) -> Response[Any]:
    return view.render("sso_problem.html", status=exc.status, problem=exc)


def _signed_in(view: View, done: SignedIn) -> Response[Any]:
    s = done.session
    view.cookies.extend(session_cookies(view.settings, s.session_id, s.csrf_token, s.expires_at))
    return view.redirect(safe_next(done.next_path), ok="logged-in")


@get("/sso/{provider_id:int}/start", name="page-sso-start")
async def start(view: ViewDep, db: DB, provider_id: PathId, next: Param = "") -> Response[Any]:  # noqa: A002
    try:
        started = await sso_begin.begin(db, view.settings, provider_id, safe_next(next))
    except ProblemError as exc:
        return _refused(view, exc)
    cookie = _state_cookie(view, started.state, int(sso_begin.LIFETIME.total_seconds()))
    return Redirect(started.redirect_to, status_code=303, cookies=[*view.cookies, cookie])


@get("/sso/callback", name="page-sso-callback")
async def callback(
    view: ViewDep, db: DB, sso_state: StateParam = "", code: Param = "", *, ticket: Param = "",
    error: Param = "",
) -> Response[Any]:  # fmt: skip
    answer = Callback(
        state=sso_state, cookie_state=view.request.cookies.get(STATE_COOKIE, ""), code=code,
        ticket=ticket, error=error,
    )  # fmt: skip
    try:
        done = await complete(
            db, view.settings, answer, language=view.language,
            old_session_id=view.request.cookies.get(SESSION_COOKIE),
            address=client_address(view.request),
        )  # fmt: skip
    except ProblemError as exc:
        return _refused(view, exc)
    if isinstance(done, LinkNeeded):
        return view.redirect(f"/sso/link?token={done.token}")
    return _signed_in(view, done)


async def _link_page(
    view: View, db: DB, token: str, status: int = 200, **values: Any
) -> Response[Any]:
    try:
        waiting = await link.pending(db, token)
    except ProblemError as exc:
        return _refused(view, exc)
    defaults: dict[str, Any] = {"error": None, "mailed_to": None}
    return view.render(
        "sso_link.html", status=status, token=token, waiting=waiting, **{**defaults, **values}
    )


@get("/sso/link", name="page-sso-link")
async def link_page(view: ViewDep, db: DB, token: Param = "") -> Response[Any]:
    return await _link_page(view, db, token)


@post("/sso/link", name="page-sso-link-post", status_code=303)
async def link_submit(
    view: ViewDep, db: DB, settings: SettingsDep, data: URLEncodedBody[LinkForm]
) -> Response[Any]:
    try:
        done = await link.link_with_password(
            db, settings, data.token, data.password,
            old_session_id=view.request.cookies.get(SESSION_COOKIE),
            address=client_address(view.request),
        )  # fmt: skip
    except (Unprocessable, TooManyRequests, Conflict) as exc:
        return await _link_page(view, db, data.token, exc.status, error=exc.detail)
    except ProblemError as exc:
        return _refused(view, exc)
    return _signed_in(view, done)


@post("/sso/link/mail", name="page-sso-link-mail", status_code=200)
async def link_mail(
    view: ViewDep, db: DB, settings: SettingsDep, data: URLEncodedBody[LinkForm]
) -> Response[Any]:
    try:
        mailed_to = await link.mail_link(db, settings, data.token)
    except Conflict as exc:
        return await _link_page(view, db, data.token, exc.status, error=exc.detail)
    except ProblemError as exc:
        return _refused(view, exc)
    return await _link_page(view, db, data.token, mailed_to=mailed_to)


@get("/sso/link/confirm", name="page-sso-link-confirm")
async def link_confirm_page(view: ViewDep, token: Param = "") -> Response[Any]:
    """A page with a button, not an action on GET: mail scanners open links too."""
    return view.render("sso_link_confirm.html", token=token)


class ConfirmForm(msgspec.Struct):
    token: Token = ""
    csrf_token: Token = ""
    next: Short = ""


@post("/sso/link/confirm", name="page-sso-link-confirm-post", status_code=303)
async def link_confirm(view: ViewDep, db: DB, data: URLEncodedBody[ConfirmForm]) -> Response[Any]:
    try:
        done = await link.confirm_mailed(
            db, data.token, old_session_id=view.request.cookies.get(SESSION_COOKIE),
            address=client_address(view.request),
        )  # fmt: skip
    except ProblemError as exc:
        return _refused(view, exc)
    return _signed_in(view, done)


ROUTES = [start, callback, link_page, link_submit, link_mail, link_confirm_page, link_confirm]
