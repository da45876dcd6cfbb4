"""Requests cut short by a shutdown get a 503, not a bare 500.

On SIGTERM uvicorn stops accepting connections and waits `SHUTDOWN_GRACE_SECONDS` for the
requests in flight; then it cancels them. A cancelled request would be answered with uvicorn's
plain-text 500 and an "Exception in ASGI application" traceback in the log. This wrapper
answers it instead with the problem every client already knows from database outages: 503
with `Retry-After` (the restarted process, or another instance, will serve the retry). The
cancellation is not propagated further: uvicorn does not wait for the task, and the answer is
the task's last act. A request whose response had already started is simply cut.
"""

from __future__ import annotations

import asyncio
import json
import logging

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from service.errors import PROBLEM_JSON, TYPE_BASE
from service.ops.asgi import TrackedSend

log = logging.getLogger("service.shutdown")

_BODY = json.dumps(
    {
        "type": TYPE_BASE + "unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The server is shutting down; retry shortly.",
    }
).encode()
_HEADERS = [
    (b"content-type", PROBLEM_JSON.encode()),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", b"2"),
    (b"connection", b"close"),
]


class AnswerCancelledRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except asyncio.CancelledError:
            if tracked.status is not None:
                raise
            log.info("request to %s cancelled by shutdown: 503", scope.get("path", ""))
            start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": 503,
                "headers": _HEADERS,
            }
            body: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": _BODY,
                "more_body": False,
            }
            await send(start)
            await send(body)
