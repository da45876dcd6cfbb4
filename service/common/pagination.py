"""Page parameters with limits, shared by every list endpoint.

Use as `page: PageNumber = 1, page_size: PageSize = 20` (Litestar 2.25 wants defaults on the
parameter, not inside `Annotated`).
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

MAX_PAGE_SIZE = 200

PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}"),
]


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size
