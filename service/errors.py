"""Domain errors and their single mapping to RFC 9457 problem details.

Services raise `ProblemError` subclasses; nothing else in the code builds error responses, so
every failure, including framework validation, 404/405 and database outages, has one shape.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.exceptions import NotFoundException as LitestarNotFound

PROBLEM_JSON = "application/problem+json"
_RESERVED = frozenset({"type", "title", "status", "detail", "instance"})
TYPE_BASE = "https://instrument-share.org/problems/"

log = logging.getLogger("service.errors")


class ProblemError(Exception):
    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}
        if title:
            self.title = title


class BadRequest(ProblemError):
    pass


class MalformedBody(ProblemError):
    """A body that cannot be decoded at all (bad JSON, bad UTF-8, nesting beyond limits)."""

    title, slug = "Malformed request body", "malformed-body"


class Unauthorized(ProblemError):
    status, title, slug = 401, "Authentication required", "unauthorized"


class Forbidden(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(ProblemError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class Unprocessable(ProblemError):
    status, title, slug = 422, "Unprocessable request", "unprocessable"


class PreconditionRequired(ProblemError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class TooManyRequests(ProblemError):
    status, title, slug = 429, "Too many requests", "too-many-requests"


class ServiceUnavailable(ProblemError):
    status, title, slug = 503, "Service unavailable", "unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str,
    slug: str,
    *,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    # Extra members never replace the RFC 9457 ones (a domain "status" is not the HTTP status).
    body.update({k: v for k, v in (extra or {}).items() if k not in _RESERVED})
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_HTTP_TITLES = {
    400: ("Bad request", "bad-request"),
    401: ("Authentication required", "unauthorized"),
    403: ("Forbidden", "forbidden"),
    404: ("Not found", "not-found"),
    405: ("Method not allowed", "method-not-allowed"),
    413: ("Request body too large", "payload-too-large"),
    415: ("Unsupported media type", "unsupported-media-type"),
    429: ("Too many requests", "too-many-requests"),
}


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if isinstance(item, dict):
            errors.append({k: v for k, v in item.items() if k in {"key", "message", "source"}})
    return errors


def handle_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[dict[str, Any]]:
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        exc.slug,
        instance=request.url.path,
        extra=exc.extra,
        headers=exc.headers,
    )


def handle_validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    detail = str(exc.detail or "Request validation failed")
    errors = _validation_errors(exc)
    if "malformed" in detail.lower() or ("json" in detail.lower() and not errors):
        return problem_response(
            400, "Malformed request body", detail, "malformed-body", instance=request.url.path
        )
    return problem_response(
        422,
        "Invalid request",
        detail,
        "validation",
        instance=request.url.path,
        extra={"errors": errors},
    )


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    title, slug = _HTTP_TITLES.get(status, ("Error", f"http-{status}"))
    detail = str(exc.detail or title)
    if status >= 500:
        log.error("http error %s on %s: %s", status, request.url.path, detail)
        title, slug, detail = (
            "Server error",
            "server-error",
            "The server could not complete the request.",
        )
    headers = dict(exc.headers or {})
    return problem_response(status, title, detail, slug, instance=request.url.path, headers=headers)


_UNAVAILABLE = (
    OSError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
    # A pooled connection left mid-protocol by a server restart (a known asyncpg state error).
    asyncpg.exceptions.InternalClientError,
    TimeoutError,
)


def handle_database(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Database trouble is the server's, but never a 500: outages and lost races are 503."""
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.exceptions.DataError):
        # Class 22 "data exception": a value the database (or asyncpg, before sending) cannot
        # take, such as an id beyond 64 bits taken from the path. The input is at fault.
        return problem_response(
            422,
            "Invalid value",
            "A value is out of range or malformed.",
            "invalid-value",
            instance=request.url.path,
        )
    if isinstance(exc, _UNAVAILABLE) or sqlstate in {"40P01", "40001", "57P01", "57P03", "55P03"}:
        log.warning("database unavailable on %s: %r", request.url.path, exc)
        return problem_response(
            503,
            "Service unavailable",
            "The database is unavailable or busy; retry shortly.",
            "unavailable",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )
    if sqlstate in {"22008", "22007", "22P02", "22003", "23514", "22001"}:
        return problem_response(
            422,
            "Invalid value",
            "A value is out of range or malformed.",
            "invalid-value",
            instance=request.url.path,
        )
    log.exception("unexpected database error on %s", request.url.path, exc_info=exc)
    return problem_response(
        500,
        "Server error",
        "The server could not complete the request.",
        "server-error",
        instance=request.url.path,
    )


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if isinstance(
        exc,
        asyncpg.PostgresError
        | asyncpg.InterfaceError
        | asyncpg.InternalClientError
        | OSError
        | TimeoutError,
    ):
        return handle_database(request, exc)
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem_response(
        500,
        "Server error",
        "The server could not complete the request.",
        "server-error",
        instance=request.url.path,
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ProblemError: handle_problem,
    ValidationException: handle_validation,
    NotAuthorizedException: handle_http,
    PermissionDeniedException: handle_http,
    LitestarNotFound: handle_http,
    HTTPException: handle_http,
    asyncpg.PostgresError: handle_database,
    asyncpg.InterfaceError: handle_database,
    Exception: handle_unexpected,
}
