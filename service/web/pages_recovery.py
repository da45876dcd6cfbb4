"""Pages the account mails link to: "forgot password" (ask for a link), setting a new password
through the mailed link, and confirming an institutional address. Each link opens a page with
a form, not an action on GET (mail scanners open links too); an unknown, used or expired link
says so and offers the way to a new one."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.params import QueryParameter, URLEncodedBody

from service.accounts import password_reset
from service.accounts.client_address import client_address
from service.affiliation import confirm
from service.common.i18n import N_
from service.errors import NotFound, ProblemError, Unprocessable
from service.web.forms import Token
from service.web.view import DB, SettingsDep, View, ViewDep

TokenParam = Annotated[str, QueryParameter(max_length=200)]
MISMATCH = N_("The two passwords differ.")
#: Messages of the account services these pages show (translated through the catalogues).
SHOWN = [
    N_("The reset link is unknown, already used or expired; ask for a new one."),
    N_("The confirmation link is unknown, already used or expired; ask for a new one."),
    N_("The password needs at least 10 characters."),
    N_("The password must not be the email address."),
    N_("If the address belongs to an account, a mail with a reset link is on its way."),
]


class ForgotForm(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    csrf_token: Token = ""


class ResetForm(msgspec.Struct):
    token: Token = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    password_again: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    csrf_token: Token = ""


class TokenForm(msgspec.Struct):
    token: Token = ""
    csrf_token: Token = ""


def _messages(exc: ProblemError) -> list[str]:
    return [v["message"] for v in exc.extra.get("violations", [])] or [exc.detail]


@get("/password/forgot", name="page-password-forgot")
async def forgot_page(view: ViewDep) -> Response[Any]:
    return view.render("password_forgot.html", sent=False, email="")


@post("/password/forgot", name="page-password-forgot-post", status_code=200)
async def forgot_submit(
    view: ViewDep, db: DB, settings: SettingsDep, data: URLEncodedBody[ForgotForm]
) -> Response[Any]:
    """The same page whether or not the address has an account."""
    await password_reset.request_reset(db, settings, data.email, client_address(view.request))
    return view.render("password_forgot.html", sent=True, email=data.email)


async def _reset_page(
    view: View, db: DB, token: str, errors: list[str], *, status: int = 200
) -> Response[Any]:
    live = await password_reset.token_is_live(db, token)
    if not live:
        errors, status = [password_reset.INVALID], 400
    return view.render("password_reset.html", status=status, token=token, live=live, errors=errors)


@get("/password/reset", name="page-password-reset")
async def reset_page(view: ViewDep, db: DB, token: TokenParam = "") -> Response[Any]:
    return await _reset_page(view, db, token, [])


@post("/password/reset", name="page-password-reset-post", status_code=303)
async def reset_submit(view: ViewDep, db: DB, data: URLEncodedBody[ResetForm]) -> Response[Any]:
    if data.password != data.password_again:
        return await _reset_page(view, db, data.token, [MISMATCH], status=422)
    try:
        await password_reset.reset_password(
            db, data.token, data.password, client_address(view.request)
        )
    except Unprocessable as exc:
        return await _reset_page(view, db, data.token, _messages(exc), status=422)
    return view.redirect("/login", ok="password-reset")


@get("/affiliation/confirm", name="page-affiliation-confirm")
async def affiliation_page(view: ViewDep, db: DB, token: TokenParam = "") -> Response[Any]:
    live = await confirm.link_is_live(db, token)
    errors = [] if live else [confirm.INVALID]
    return view.render(
        "affiliation_confirm.html", status=200 if live else 400, token=token, live=live,
        errors=errors,
    )  # fmt: skip


@post("/affiliation/confirm", name="page-affiliation-confirm-post", status_code=303)
async def affiliation_submit(
    view: ViewDep, db: DB, data: URLEncodedBody[TokenForm]
) -> Response[Any]:
    try:
        await confirm.confirm(db, data.token, client_address(view.request))
    except (Unprocessable, NotFound) as exc:
        return view.render(
            "affiliation_confirm.html", status=exc.status, token=data.token, live=False,
            errors=_messages(exc),
        )  # fmt: skip
    target = "/account" if view.principal else "/login"
    return view.redirect(target, ok="membership-confirmed")


ROUTES = [
    forgot_page,
    forgot_submit,
    reset_page,
    reset_submit,
    affiliation_page,
    affiliation_submit,
]
