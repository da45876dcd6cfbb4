"""Platform admins: the search dictionary (shipped concepts, classes, their own entries)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.params import URLEncodedBody

from service.common.params import PathId
from service.errors import Unprocessable
from service.search import index, synonyms
from service.search.schemas import SynonymEntryIn
from service.web.forms import Token
from service.web.view import DB, ViewDep


class SynonymForm(msgspec.Struct):
    concept: Annotated[str, msgspec.Meta(max_length=63)] = ""
    #: one term per line (or separated by commas)
    terms: Annotated[str, msgspec.Meta(max_length=6000)] = ""
    broader: Annotated[str, msgspec.Meta(max_length=700)] = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    csrf_token: Token = ""


def _split(text: str) -> list[str]:
    return [t.strip() for line in text.splitlines() for t in line.split(",") if t.strip()]


async def _page(view: ViewDep, db: DB, status: int = 200, **values: Any) -> Response[Any]:
    view.require(view.require_user().is_platform_admin)
    data = await synonyms.dictionary(db)
    return view.render(
        "admin_search.html", status=status, data=data, section="search",
        form=values.pop("form", SynonymForm()), problem=values.pop("problem", None),
    )  # fmt: skip


@get("/admin/search", name="page-admin-search")
async def search_page(view: ViewDep, db: DB) -> Response[Any]:
    return await _page(view, db)


@post("/admin/search/synonyms", name="page-admin-search-add", status_code=303)
async def add_submit(view: ViewDep, db: DB, data: URLEncodedBody[SynonymForm]) -> Response[Any]:
    actor = view.actor()
    try:
        entry = msgspec.convert(
            {"concept": data.concept.strip().lower(), "terms": _split(data.terms),
             "broader": _split(data.broader), "note": data.note},
            SynonymEntryIn,
        )  # fmt: skip
        await synonyms.add_entry(db, actor, entry)
    except (msgspec.ValidationError, Unprocessable) as exc:
        detail = exc.detail if isinstance(exc, Unprocessable) else str(exc)
        return await _page(view, db, 422, form=data, problem=detail)
    await index.rebuild_stale(db)
    return view.redirect("/admin/search", ok="saved")


@post(
    "/admin/search/synonyms/{entry_id:int}/delete", name="page-admin-search-delete", status_code=303
)
async def delete_submit(view: ViewDep, db: DB, entry_id: PathId) -> Response[Any]:
    await synonyms.remove_entry(db, view.actor(), entry_id)
    await index.rebuild_stale(db)
    return view.redirect("/admin/search", ok="saved")


ROUTES = [search_page, add_submit, delete_submit]
