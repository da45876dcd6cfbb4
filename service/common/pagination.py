"""Page parameters with limits, shared by every list endpoint."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_PAGE_SIZE = 200

PageNumber = Annotated[int, Parameter(ge=1, le=100_000, default=1, description="1-based page")]
PageSize = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE_SIZE, default=20, description=f"at most {MAX_PAGE_SIZE}")
]


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size
