"""Paging arithmetic shared by every list: the largest page and a page's offset (the HTTP
parameter types are in `service.common.params`)."""

from __future__ import annotations

MAX_PAGE_SIZE = 200


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size
