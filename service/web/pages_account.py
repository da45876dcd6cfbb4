"""A researcher's own settings: the calendar-feed link (shown once, copied, rotated), reminder
lead times, language and name; and rating a completed booking on the national scale."""

from __future__ import annotations

import unicodedata
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import URLEncodedBody

from service.accounts import users
from service.accounts.client_address import client_address
from service.accounts.schemas import MePatchIn
from service.bookings import read
from service.calendars import tokens
from service.calendars.schemas import FeedCreatedOut, FeedIn
from service.catalog.lookups import instruments_by_id
from service.common.params import PathId
from service.errors import Conflict, NotFound, Unprocessable
from service.metrics import ratings
from service.metrics.schemas import RatingIn
from service.web import labels
from service.web.forms import PreferencesForm, RatingForm, form_ints
from service.web.i18n import LANG_COOKIE
from service.web.pages_auth import YEAR
from service.web.view import DB, SettingsDep, ViewDep


async def _account_page(view: ViewDep, db: DB, status: int = 200, **extra: Any) -> Response[Any]:
    user = view.require_user()
    me = await users.load_me(db, user.user_id)
    feeds = [f for f in await tokens.list_feeds(db, user) if f.scope == "user"]
    leads = sorted(set(labels.REMINDER_LEADS) | set(me.reminder_lead_minutes))
    values: dict[str, Any] = {"created": None, "errors": []}
    return view.render(
        "account.html", status=status, me=me, feed=feeds[0] if feeds else None,
        lead_choices=leads, **{**values, **extra},
    )  # fmt: skip


@get("/account", name="page-account")
async def account_page(view: ViewDep, db: DB) -> Response[Any]:
    return await _account_page(view, db)


@post("/account/feed", name="page-account-feed", status_code=200)
async def feed_submit(view: ViewDep, db: DB, settings: SettingsDep) -> Response[Any]:
    """Creates the personal feed, or rotates it when one exists. The secret URL is shown in
    this response only (never put in a redirect URL, where it would land in logs)."""
    user = view.require_user()
    feeds = [f for f in await tokens.list_feeds(db, user) if f.scope == "user"]
    created: FeedCreatedOut
    if feeds:
        created = await tokens.rotate_feed(db, user, feeds[0].id, settings.base_url)
        note = "rotated"
    else:
        created = await tokens.create_feed(db, user, FeedIn(scope="user"), settings.base_url)
        note = "created"
    return await _account_page(view, db, created=created, feed_note=note)


@post("/account/preferences", name="page-account-preferences", status_code=303)
async def preferences_submit(
    request: Request[Any, Any, Any],
    view: ViewDep,
    db: DB,
    settings: SettingsDep,
    *,
    data: URLEncodedBody[PreferencesForm],
) -> Response[Any]:
    """Unticking every lead time turns reminders off (an empty list)."""
    actor = view.actor()
    leads = [] if data.reminders == "off" else await form_ints(request, "lead")
    try:
        patch = msgspec.convert(
            {"display_name": data.display_name, "language": data.language,
             "reminder_lead_minutes": leads,
             "phone": unicodedata.normalize("NFKC", data.phone).strip()},
            MePatchIn,
        )  # fmt: skip
        await users.update_me(
            db, actor, patch, None, settings=settings, address=client_address(request)
        )
    except msgspec.ValidationError as exc:
        wrong = str(exc)
        if "phone" in wrong:
            wrong = view.t("A telephone number has digits, spaces, +, - and parentheses only.")
        return await _account_page(view, db, 422, errors=[wrong])
    except Unprocessable as exc:
        found = [v["message"] for v in exc.extra.get("violations", [])] or [exc.detail]
        return await _account_page(view, db, 422, errors=found)
    view.cookies.append(
        Cookie(key=LANG_COOKIE, value=data.language, max_age=YEAR, samesite="lax",
               secure=settings.secure_cookies, httponly=True)
    )  # fmt: skip
    return view.redirect("/account", ok="saved")


async def _rate_page(
    view: ViewDep, db: DB, booking_id: int, status: int = 200, **extra: Any
) -> Response[Any]:
    actor = view.actor()
    booking = await read.get_booking(db, actor, booking_id)
    if booking.user_id != actor.user_id:
        raise NotFound("No such booking of yours.")
    info = (await instruments_by_id(db, {booking.instrument_id}))[booking.instrument_id]
    values: dict[str, Any] = {"problem": None, "form": RatingForm()}
    return view.render(
        "rate.html", status=status, booking=booking, instrument=info, scale=labels.RATINGS,
        **{**values, **extra},
    )  # fmt: skip


@get("/bookings/{booking_id:int}/rate", name="page-rate")
async def rate_page(view: ViewDep, db: DB, booking_id: PathId) -> Response[Any]:
    return await _rate_page(view, db, booking_id)


@post("/bookings/{booking_id:int}/rate", name="page-rate-post", status_code=303)
async def rate_submit(
    view: ViewDep, db: DB, booking_id: PathId, data: URLEncodedBody[RatingForm]
) -> Response[Any]:
    actor = view.actor()
    try:
        await ratings.rate(db, actor, booking_id, RatingIn(data.rating, data.comment))
    except (Conflict, Unprocessable) as exc:
        problem = {"status": exc.status, "title": exc.title, "detail": exc.detail}
        return await _rate_page(view, db, booking_id, exc.status, problem=problem, form=data)
    return view.redirect("/bookings", ok="rated")


ROUTES = [account_page, feed_submit, preferences_submit, rate_page, rate_submit]
