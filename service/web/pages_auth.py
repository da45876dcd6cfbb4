"""Log in, register, log out and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery

from service.accounts import login as login_use_case
from service.accounts import users
from service.accounts.client_address import client_address
from service.accounts.http import cleared_cookies, session_cookies
from service.accounts.principal import SESSION_COOKIE
from service.accounts.schemas import LoginIn, MePatchIn, RegisterIn
from service.catalog import directory
from service.errors import Conflict, TooManyRequests, Unauthorized, Unprocessable
from service.sso.configure import sign_on_choices
from service.web.forms import LanguageForm, LoginForm, RegisterForm, safe_next
from service.web.i18n import LANG_COOKIE
from service.web.view import DB, SettingsDep, ViewDep

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
YEAR = 365 * 24 * 3600


@get("/login", name="page-login")
async def login_page(view: ViewDep, db: DB, next: FromQuery[str] = "") -> Response[Any]:  # noqa: A002
    return await _login(view, db, next=safe_next(next), email="", error=None)


async def _login(view: ViewDep, db: DB, status: int = 200, **values: Any) -> Response[Any]:
    """The login form and the institutions whose own sign-on can be used."""
    providers = await sign_on_choices(db)
    return view.render("login.html", status=status, providers=providers, **values)


@post("/login", name="page-login-post", status_code=303)
async def login_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    *,
    data: Annotated[LoginForm, Form],
) -> Response[Any]:
    target = safe_next(data.next)
    try:
        credentials = msgspec.convert({"email": data.email, "password": data.password}, LoginIn)
        result = await login_use_case.login(
            db,
            settings,
            credentials,
            request.cookies.get(SESSION_COOKIE),
            address=client_address(request),
        )
    except (msgspec.ValidationError, Unauthorized, TooManyRequests) as exc:
        status = getattr(exc, "status", 401)
        error = view.t("The email address or the password is wrong.") if status == 401 else str(exc)
        return await _login(view, db, status, next=target, email=data.email, error=error)
    view.cookies.extend(
        session_cookies(
            settings, result.session_id, result.body.csrf_token, result.session_expires_at
        )
    )
    return view.redirect(target, ok="logged-in")


async def _register_page(view: ViewDep, db: DB, status: int = 200, **values: Any) -> Response[Any]:
    institutions = await directory.list_institutions(db, None, None, None, page=1, page_size=200)
    defaults: dict[str, Any] = {"form": RegisterForm(), "errors": []}
    return view.render(
        "register.html", status=status, institutions=institutions.items, **{**defaults, **values}
    )


@get("/register", name="page-register")
async def register_page(view: ViewDep, db: DB) -> Response[Any]:
    return await _register_page(view, db)


@post("/register", name="page-register-post", status_code=303)
async def register_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, data: Annotated[RegisterForm, Form]
) -> Response[Any]:
    fields = msgspec.to_builtins(data)
    fields.pop("csrf_token")
    fields["language"] = view.language
    try:
        await users.register(
            db, msgspec.convert(fields, RegisterIn), request.headers.get("accept-language")
        )
    except msgspec.ValidationError as exc:
        return await _register_page(view, db, 422, form=data, errors=[str(exc)])
    except Unprocessable as exc:
        messages = [v["message"] for v in exc.extra.get("violations", [])] or [exc.detail]
        return await _register_page(view, db, 422, form=data, errors=messages)
    except Conflict as exc:
        return await _register_page(view, db, 409, form=data, errors=[exc.detail])
    return view.redirect("/login", ok="registered")


@post("/logout", name="page-logout", status_code=303)
async def logout_submit(
    request: Request[Any, Any, Any], view: ViewDep, db: DB, settings: SettingsDep
) -> Response[Any]:
    await login_use_case.logout(db, request.cookies.get(SESSION_COOKIE), None)
    view.cookies.extend(cleared_cookies(settings))
    return view.redirect("/login", ok="logged-out")


@post("/language", name="page-language", status_code=303)
async def language_submit(
    view: ViewDep, db: DB, settings: SettingsDep, data: Annotated[LanguageForm, Form]
) -> Response[Any]:
    """The cookie makes the choice stick for visitors; a signed-in user's setting follows it."""
    view.cookies.append(
        Cookie(
            key=LANG_COOKIE,
            value=data.language,
            max_age=YEAR,
            samesite="lax",
            secure=settings.secure_cookies,
            httponly=True,
        )
    )
    if view.principal is not None:
        await users.update_me(
            db,
            view.principal,
            MePatchIn(language=data.language),
            None,
            settings=settings,
            address=client_address(view.request),
        )
    return view.redirect(safe_next(data.next))


ROUTES = [login_page, login_submit, register_page, register_submit, logout_submit, language_submit]
