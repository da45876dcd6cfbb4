"""Process-wide Prometheus counters and histograms (prometheus_client), rendered at `/metrics`.

With several uvicorn workers each process would count only its own share, and a scrape reads
whichever worker answers; so `serve --workers N` gives them a shared directory
(prometheus_client's multiprocess mode) and a scrape sums all of them.

HTTP responses are counted by `ResponseMetrics`, which wraps the whole application (so 404s
for unknown paths and 405s count too) and labels each response with the route *template*,
never the raw path, so the number of series stays bounded whatever clients send.
"""

from __future__ import annotations

import os
import time
from typing import Any

import asyncpg
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

from service.bookings import create as booking_create
from service.errors import ProblemError
from service.ops.asgi import TrackedSend

REGISTRY = CollectorRegistry(auto_describe=True)
#: prometheus_client's switch to shared, file-backed values; read when it is first imported.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The text format every Prometheus version reads; it already names its charset.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
#: Route label of requests that matched no route (kept to one series on purpose).
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_RESPONSES = Counter(
    "instrument_share_http_responses",
    "HTTP responses by route template, method and status class",
    ["route", "method", "status_class"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "instrument_share_http_request_duration_seconds",
    "Time from the request's arrival to the last byte of its response",
    ["route", "method"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "instrument_share_job_runs",
    "Scheduled job runs by job and outcome",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_ITEMS = Counter(
    "instrument_share_job_items",
    "Items processed by scheduled jobs",
    ["job", "what"],
    registry=REGISTRY,
)
BOOKING_OUTCOMES = Counter(
    "instrument_share_booking_attempts",
    "Booking attempts (API and web) by outcome",
    ["outcome"],
    registry=REGISTRY,
)
_BOOKING_BY_STATUS = {
    400: "invalid",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "refused",
    429: "throttled",
    503: "unavailable",
}


def render() -> tuple[bytes, str]:
    """This process's figures, or, under several uvicorn workers (`MULTIPROC_ENV` set by
    `serve`), the sum over every worker, whichever one answers the scrape."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE
    return generate_latest(REGISTRY), CONTENT_TYPE


def booking_outcome(error: BaseException | None, *, replayed: bool = False) -> str:
    """The outcome label of one booking attempt, from the error it ended with (if any)."""
    if error is None:
        return "replayed" if replayed else "created"
    if isinstance(error, ProblemError):
        return _BOOKING_BY_STATUS.get(error.status, "invalid" if error.status < 500 else "error")
    if isinstance(error, asyncpg.DataError):
        return "invalid"
    if isinstance(error, asyncpg.PostgresError | asyncpg.InterfaceError | OSError | TimeoutError):
        return "unavailable"
    return "error"


def count_booking_attempt(outcome: str) -> None:
    BOOKING_OUTCOMES.labels(outcome).inc()


def _count_booking(error: BaseException | None, replayed: bool) -> None:
    count_booking_attempt(booking_outcome(error, replayed=replayed))


# Booking attempts are counted where they are made (`bookings.create`), which cannot import
# this module (it sits below it), so the counter subscribes.
booking_create.ATTEMPT_OBSERVERS.append(_count_booking)


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


class ResponseMetrics:
    """ASGI wrapper: one count and one duration per HTTP response. A request whose handler
    died without answering counts as a 5xx (the server would send 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        finally:
            route, method = _labels(scope)
            status = tracked.status or 500
            HTTP_RESPONSES.labels(route, method, _status_class(status)).inc()
            HTTP_DURATION.labels(route, method).observe(time.perf_counter() - started)


def _labels(scope: Any) -> tuple[str, str]:
    method = str(scope.get("method", "")).upper()
    return scope.get("path_template") or UNMATCHED, method if method in _METHODS else "OTHER"
