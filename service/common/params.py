"""The HTTP parameter types every route shares: one definition of an id, a page and a page
size, so limits and documentation agree across the API.

Use as `page: PageNumber = 1, page_size: PageSize = 20` (Litestar wants defaults on the
parameter, not inside `Annotated`).
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from service.common.pagination import MAX_PAGE_SIZE

#: A row id in a path: a positive PostgreSQL bigint.
PathId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]
#: An optional row id in a query string (a filter).
QueryId = Annotated[int | None, QueryParameter(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}"),
]
