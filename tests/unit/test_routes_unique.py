"""Every (method, path) of the app is served by exactly one handler, and every route name is
unique. Litestar lets a later handler silently replace an earlier one on the same method and
path, so this is checked on the handlers the packages declare, before the app merges them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from litestar import Router
from litestar.handlers import HTTPRouteHandler

from service.app import _routes
from service.web.routes import PAGE_HANDLERS


def _declared() -> Iterator[HTTPRouteHandler]:
    items: list[Any] = [h for h in _routes() if not isinstance(h, Router)] + PAGE_HANDLERS
    yield from (h for h in items if isinstance(h, HTTPRouteHandler))


def _normal(path: str) -> str:
    return "/" + path.strip("/")


def test_no_two_handlers_share_a_method_and_path() -> None:
    seen = Counter(
        (method, _normal(path))
        for handler in _declared()
        for method in handler.http_methods
        for path in handler.paths
    )
    assert {key: n for key, n in seen.items() if n > 1} == {}


def test_route_names_are_unique() -> None:
    names = Counter(handler.name for handler in _declared() if handler.name)
    assert {name: n for name, n in names.items() if n > 1} == {}
