"""Shapes shared by every domain."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class Violation(msgspec.Struct):
    rule: str
    message: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details (documentation of the error shape)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
