"""Suggestions while typing: up to eight instrument names and classes for what is typed so far.

The text is planned like a search, the last word also as a prefix (`透射电` offers the
transmission electron microscopes, `XR` the X-ray diffractometers through the abbreviation
that their suggestion document carries). Names carried by more instruments come first, a
whole-word match before a prefix-only one.
"""

from __future__ import annotations

from service.db import Database
from service.search import store
from service.search.query import plan_for
from service.search.schemas import SearchSuggestionOut

LIMIT = 8


async def suggestions(db: Database, text: str, limit: int = LIMIT) -> list[SearchSuggestionOut]:
    if not text.strip():
        return []
    async with db.connection() as conn:
        plan = await plan_for(conn, text)
        if plan.empty:
            return []
        rows = await store.suggest(conn, plan.prefix_match, plan.match, limit)
    return [
        SearchSuggestionOut(
            kind=r["kind"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            category_code=r["category_code"],
            instruments=r["instruments"],
        )
        for r in rows
    ]
