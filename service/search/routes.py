"""HTTP routes of search: suggestions while typing, and the synonym dictionary."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.db import Database
from service.search import index, suggest, synonyms
from service.search.schemas import (
    SearchDictionaryOut,
    SearchSuggestionOut,
    SynonymEntryIn,
    SynonymEntryOut,
)

TAGS = ["search"]
DB = NamedDependency[Database]
User = NamedDependency[Principal]
MAX_QUERY = 200
Q = Annotated[
    str,
    QueryParameter(max_length=MAX_QUERY, description=f"what is typed so far (≤ {MAX_QUERY})"),
]


@get(
    "/api/v1/search/suggestions",
    operation_id="suggestSearches",
    tags=TAGS,
    responses={422: problem(f"q longer than {MAX_QUERY} characters or with too many terms")},
)
async def get_suggestions(db: DB, q: Q = "") -> list[SearchSuggestionOut]:
    """Up to 8 instrument names and classes for the text typed so far (the last word may be
    incomplete); abbreviations and colloquial names work as in search."""
    return await suggest.suggestions(db, q)


@get("/api/v1/search/synonyms", operation_id="getSearchDictionary", tags=TAGS)
async def get_dictionary(db: DB) -> SearchDictionaryOut:
    """Every concept search knows (shipped, classes, admin entries) and the admins' entries."""
    return await synonyms.dictionary(db)


@post(
    "/api/v1/search/synonyms",
    operation_id="addSearchSynonyms",
    tags=TAGS,
    responses={
        403: problem("Platform admins only"),
        422: problem("Bad concept key, empty terms, or an unknown broader concept"),
    },
)
async def add_synonyms(
    db: DB, user: User, data: JSONBody[SynonymEntryIn]
) -> Response[SynonymEntryOut]:
    """Add terms to a concept (or create one). The index is rebuilt right after the answer
    (and by the `search_index_pending` job), so searches use the terms within moments."""
    entry = await synonyms.add_entry(db, user, data)
    return Response(entry, status_code=201, background=BackgroundTask(index.rebuild_stale, db))


@delete(
    "/api/v1/search/synonyms/{entry_id:int}",
    operation_id="removeSearchSynonyms",
    tags=TAGS,
    status_code=204,
    responses={403: problem("Platform admins only"), 404: problem("No such entry")},
)
async def remove_synonyms(db: DB, user: User, entry_id: PathId) -> Response[None]:
    """Remove an admin entry (shipped terms cannot be removed); the index follows as above."""
    await synonyms.remove_entry(db, user, entry_id)
    return Response(None, status_code=204, background=BackgroundTask(index.rebuild_stale, db))


ROUTES: list[Any] = [get_suggestions, get_dictionary, add_synonyms, remove_synonyms]
