"""HTTP routes of the calendars domain: feed tokens, feeds, downloads and `.ics` import."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.calendars import exports, feeds, importer, tokens
from service.calendars.schemas import FeedCreatedOut, FeedIn, FeedOut, ImportReportOut
from service.calendars.selection import (
    DEFAULT_FUTURE_DAYS,
    DEFAULT_PAST_DAYS,
    MAX_FUTURE_DAYS,
    MAX_PAST_DAYS,
)
from service.common.openapi import problem_spec as _problem
from service.common.time import utcnow
from service.db import Database
from service.errors import NotFound, Unprocessable
from service.settings import Settings

#: Litestar appends "; charset=utf-8" to text types itself.
ICS_MEDIA_TYPE = "text/calendar"
TAGS = ["calendars"]
PastDays = Annotated[
    int, QueryParameter(ge=0, le=MAX_PAST_DAYS, description="days of history to include")
]
FutureDays = Annotated[
    int, QueryParameter(ge=1, le=MAX_FUTURE_DAYS, description="days ahead to include")
]
ImportDays = Annotated[int, QueryParameter(ge=1, le=366, description="expand recurrences this far")]


@post(
    "/api/v1/feeds",
    operation_id="createFeed",
    tags=TAGS,
    responses={403: _problem("not allowed to see the target"), 404: _problem("no such target")},
)
async def create_feed(
    data: JSONBody[FeedIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> FeedCreatedOut:
    """The secret URL is in this response only; store it in the calendar client."""
    return await tokens.create_feed(db, user, data, settings.base_url)


@get("/api/v1/feeds", operation_id="listFeeds", tags=TAGS)
async def list_feeds(
    user: NamedDependency[Principal], db: NamedDependency[Database]
) -> list[FeedOut]:
    return await tokens.list_feeds(db, user)


@post(
    "/api/v1/feeds/{feed_id:int}/rotate",
    operation_id="rotateFeed",
    tags=TAGS,
    status_code=200,
    responses={404: _problem("no such active feed of yours")},
)
async def rotate_feed(
    feed_id: FromPath[int],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> FeedCreatedOut:
    """A new secret URL; the old one is 404 from now on."""
    return await tokens.rotate_feed(db, user, feed_id, settings.base_url)


@delete(
    "/api/v1/feeds/{feed_id:int}",
    operation_id="revokeFeed",
    tags=TAGS,
    responses={404: _problem("no such active feed of yours")},
)
async def revoke_feed(
    feed_id: FromPath[int], user: NamedDependency[Principal], db: NamedDependency[Database]
) -> None:
    await tokens.revoke_feed(db, user, feed_id)


def _ics_response(body: bytes, headers: dict[str, str], status: int = 200) -> Response[bytes]:
    return Response(body, status_code=status, media_type=ICS_MEDIA_TYPE, headers=headers)


@get(
    "/feeds/{filename:str}",
    operation_id="getFeed",
    tags=TAGS,
    security=[],
    media_type=ICS_MEDIA_TYPE,
    responses={
        304: ResponseSpec(None, description="Not modified: `If-None-Match` names the current ETag"),
        404: _problem("unknown or revoked token"),
    },
)
async def get_feed(
    filename: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
    *,
    past_days: PastDays = DEFAULT_PAST_DAYS,
    future_days: FutureDays = DEFAULT_FUTURE_DAYS,
) -> Response[bytes]:
    """An iCalendar feed addressed by its secret token (`/feeds/{token}.ics`)."""
    token = filename.removesuffix(".ics")
    if token == filename or not token:
        raise NotFound("No such calendar feed.")
    result = await feeds.serve_feed(
        db,
        token,
        past_days=past_days,
        future_days=future_days,
        if_none_match=request.headers.get("if-none-match"),
        base_url=settings.base_url,
        now=utcnow(),
    )
    headers = {
        "ETag": result.etag,
        "Last-Modified": result.last_modified,
        "Cache-Control": "private, max-age=300",
    }
    return _ics_response(result.body, headers, result.status)


def _download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-cache",
    }


@get(
    "/api/v1/bookings/{booking_id:int}/ics",
    operation_id="downloadBookingIcs",
    tags=TAGS,
    media_type=ICS_MEDIA_TYPE,
    responses={404: _problem("no such booking visible to you")},
)
async def booking_ics(
    booking_id: FromPath[int],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[bytes]:
    body = await exports.booking_download(db, user, booking_id, settings.base_url)
    return _ics_response(body, _download_headers(f"booking-{booking_id}.ics"))


@get(
    "/api/v1/instruments/{instrument_id:int}/calendar/export.ics",
    operation_id="exportInstrumentCalendar",
    tags=TAGS,
    media_type=ICS_MEDIA_TYPE,
    responses={403: _problem("not a manager"), 404: _problem("no such instrument")},
)
async def export_instrument(
    instrument_id: FromPath[int],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
    *,
    past_days: PastDays = DEFAULT_PAST_DAYS,
    future_days: FutureDays = DEFAULT_FUTURE_DAYS,
) -> Response[bytes]:
    body = await exports.instrument_export(
        db,
        user,
        instrument_id,
        past_days=past_days,
        future_days=future_days,
        base_url=settings.base_url,
        now=utcnow(),
    )
    return _ics_response(body, _download_headers(f"instrument-{instrument_id}.ics"))


async def _ics_body(request: Request[Any, Any, Any]) -> bytes:
    """A raw `text/calendar` body or the first file of a multipart form."""
    if request.content_type[0] == "multipart/form-data":
        form = await request.form()
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read()
        raise Unprocessable(
            "The form has no file.",
            extra={"violations": [{"rule": "file", "message": "attach an .ics file"}]},
        )
    return await request.body()


@post(
    "/api/v1/instruments/{instrument_id:int}/calendar/import",
    operation_id="importInstrumentCalendar",
    tags=TAGS,
    status_code=200,
    responses={
        403: _problem("not a manager"),
        404: _problem("no such instrument"),
        413: _problem("request body over MAX_BODY_BYTES"),
        422: _problem(
            "not a usable .ics file, or over a limit: `limit` names which "
            "(size, events, occurrences, seconds) and `maximum` its value"
        ),
    },
)
async def import_calendar(
    instrument_id: FromPath[int],
    request: Request[Any, Any, Any],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
    *,
    settings: NamedDependency[Settings],
    dry_run: FromQuery[bool] = False,
    days: ImportDays = 180,
    kind: FromQuery[importer.ImportKind] = "maintenance",
) -> ImportReportOut:
    """Import an `.ics` file (body `text/calendar`, or a multipart file) as maintenance blocks
    (`kind=maintenance`, the default: downtime, out of the available hours in the figures),
    internal use (`kind=internal`: confirmed bookings of the importer's own group, time that
    stays available) or closures (`kind=closed`: whole local days only; other events are
    reported `invalid`).

    Recurring events are expanded over the next `days`; events that overlap active bookings
    or blocks are reported with their conflicts and skipped. `dry_run=true` writes nothing.
    The file is read in a separate process within a time budget; a file over a limit is
    refused with 422 naming the limit.
    """
    body = await _ics_body(request)
    return await importer.import_calendar(
        db, user, instrument_id, body, dry_run=dry_run, days=days, now=utcnow(),
        limits=importer.limits_for(settings), kind=kind,
    )  # fmt: skip


ROUTES: list[Any] = [
    create_feed,
    list_feeds,
    rotate_feed,
    revoke_feed,
    get_feed,
    booking_ics,
    export_instrument,
    import_calendar,
]
