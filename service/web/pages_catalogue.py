"""The catalogue (search and filters, htmx-refreshed results) and the instrument page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get
from litestar.params import Parameter
from litestar.response import Redirect

from service.availability import read as availability
from service.availability.schemas import FreeOut
from service.catalog import directory, instruments
from service.catalog.schemas import PolicySummaryOut
from service.common import labels as code_labels
from service.common.params import PathId
from service.common.time import utcnow
from service.errors import Unprocessable
from service.search import suggest
from service.web import labels
from service.web.forms import parse_local
from service.web.pages_bookings import may_book
from service.web.view import DB, ViewDep

PAGE_SIZE = 20
Opt = Annotated[str | None, Parameter(max_length=40)]


class CatalogueQuery(msgspec.Struct):
    q: str = ""
    region: str = ""
    institution: str = ""
    category: str = ""
    share_mode: str = ""
    free_from: str = ""
    free_to: str = ""
    page: int = 1
    #: Where distances are measured from in the free-time search (a region's seat); the
    #: viewer's own region when not chosen.
    near: str = ""


@get("/", name="page-home")
async def home() -> Redirect:
    return Redirect("/instruments", status_code=303)


def _reference(near: str) -> str | None:
    """The reference region chosen, or none (`-`: the viewer asked for no ordering by place)."""
    return None if near in ("", "-") else near


async def _results(view: ViewDep, db: DB, query: CatalogueQuery) -> dict[str, Any]:
    """Registry search, or, with a window, the instruments free for all of it."""
    zone = ZoneInfo(view.viewer_zone)
    start, end = parse_local(query.free_from, zone), parse_local(query.free_to, zone)
    if start and end:
        free = await availability.search_available(
            db, start, end, category=query.category or None, region=_reference(query.near),
            page=query.page, page_size=PAGE_SIZE, q=query.q or None, within=query.region or None,
        )  # fmt: skip
        return {"free_page": free, "page": None, "window": (start, end)}
    params: dict[str, Any] = {
        "q": query.q or None,
        "region": query.region or None,
        "institution": int(query.institution) if query.institution.isdigit() else None,
        "category": query.category or None,
        "share_mode": query.share_mode or None,
    }
    page = await instruments.list_instruments(db, params, query.page, PAGE_SIZE)
    return {"page": page, "free_page": None}


@get("/instruments", name="page-catalogue")
async def catalogue(
    view: ViewDep,
    db: DB,
    q: Annotated[str, Parameter(max_length=200)] = "",
    region: Opt = "",
    *,
    institution: Opt = "",
    category: Opt = "",
    share_mode: Opt = "",
    free_from: Opt = "",
    free_to: Opt = "",
    page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    near: Opt = "",
) -> Response[Any]:
    """The region box filters in both modes (registry search and free-time search); the
    free-time search orders the instruments nearest first from `near`, by default the
    viewer's own region."""
    own_region = view.principal.region_code if view.principal else ""
    query = CatalogueQuery(
        q, region or "", institution or "", category or "", share_mode or "",
        free_from or "", free_to or "", page, near or own_region,
    )  # fmt: skip
    try:
        results = await _results(view, db, query)
        error = None
    except Unprocessable as exc:
        results, error = {"page": None, "free_page": None}, exc
    if view.is_htmx:
        return view.render("_catalogue_results.html", query=query, error=error, **results)
    regions = await directory.list_regions(db)
    categories = await directory.category_tree(db)
    region = None if error else query.region or None
    institutions = await directory.list_institutions(db, region, None, None, page=1, page_size=200)
    return view.render(
        "catalogue.html",
        query=query,
        error=error,
        regions=regions,
        categories=categories,
        institutions=institutions.items,
        share_modes=code_labels.SHARE_MODES,
        **results,
    )


@get("/instruments/suggest", name="page-catalogue-suggest")
async def suggest_fragment(
    view: ViewDep, db: DB, q: Annotated[str, Parameter(max_length=200)] = ""
) -> Response[Any]:
    """The search box's suggestion list (an htmx fragment; empty when nothing fits)."""
    try:
        found = await suggest.suggestions(db, q)
    except Unprocessable:
        found = []
    return view.render("_suggestions.html", suggestions=found)


def searched_window(start: str, end: str, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The window a free-time search asked for, carried to the instrument page (instants with
    their offset, so a viewer in another zone than the instrument's keeps the same times)."""
    begin, finish = parse_local(start, zone), parse_local(end, zone)
    if begin is None or finish is None or finish <= begin:
        return None
    return begin, finish


@get("/instruments/{instrument_id:int}", name="page-instrument")
async def instrument_page(
    view: ViewDep,
    db: DB,
    instrument_id: PathId,
    start: Opt = "",
    *,
    end: Opt = "",
) -> Response[Any]:
    """The instrument, its rules and week calendar; coming from a free-time search, the
    calendar opens on the searched week and the booking form is filled with its times."""
    instrument = await instruments.get_instrument(db, instrument_id, view.principal is not None)
    can_manage = view.principal is not None and view.principal.can_manage_instrument(
        instrument.id, instrument.institution_id
    )
    zone = ZoneInfo(instrument.timezone)
    window = searched_window(start or "", end or "", zone)
    book_query = (
        "?" + urlencode({"start": window[0].isoformat(), "end": window[1].isoformat()})
        if window
        else ""
    )
    now = utcnow()
    week = await availability.get_availability(db, instrument.id, now, now + timedelta(days=7))
    return view.render(
        "instrument.html",
        instrument=instrument,
        policy=instrument.policy,
        can_manage=can_manage,
        bookable=view.principal is not None and may_book(view.principal, instrument),
        window=window,
        initial_date=window[0].astimezone(zone).date().isoformat() if window else "",
        book_query=book_query,
        busy_labels={k: view.t(v) for k, v in labels.BUSY_KINDS.items()},
        free_times=free_times(week.free, instrument.policy, ZoneInfo(instrument.timezone)),
    )


@dataclass(frozen=True)
class FreeTime:
    start: datetime
    end: datetime
    #: The booking form's prefilled start and end (instrument-local `datetime-local` values).
    book_start: str
    book_end: str


def free_times(
    free: list[FreeOut], policy: PolicySummaryOut, zone: ZoneInfo, limit: int = 40
) -> list[FreeTime]:
    """The week's free periods as a list of links to the booking form: the keyboard's and the
    screen reader's way to pick a time, beside the calendar that needs a pointer. Each starts on
    the policy's time grid and is offered with the shortest allowed booking."""
    step = timedelta(minutes=max(1, policy.granularity_minutes))
    shortest = timedelta(minutes=policy.min_minutes)
    out: list[FreeTime] = []
    for period in free:
        local = period.start.astimezone(zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight + -((midnight - local) // step) * step
        if start + shortest > period.end:
            continue
        end = start + shortest
        out.append(
            FreeTime(
                start, period.end, start.strftime("%Y-%m-%dT%H:%M"),
                end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            )
        )  # fmt: skip
        if len(out) == limit:
            break
    return out


ROUTES = [home, catalogue, suggest_fragment, instrument_page]
