"""The two guarantees of the evaluator role, at the edge of the app:

- `refuse_evaluator_writes` (an app-wide `before_request` hook, which runs before the request
  body is even read): an evaluator's unsafe request is refused with 403 unless it concerns its
  own account (`rules.may_write`);
- `audit_evaluator_reads` (middleware): every read by an evaluator is written to the audit log
  (`evaluator.read`, one row per assigned institution it concerns, with the path, the query and
  the status) before the response leaves; if the row cannot be written, the reader gets an error
  and no data.

The principal is the one the request resolved (`provide_principal` caches it in the scope), so
auditing costs no extra lookup.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl

from litestar import Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.accounts.principal import Principal, provide_principal
from service.audit import store as audit
from service.db import Database
from service.errors import Forbidden, ProblemError
from service.evaluators import rules

_FAILED = "evaluator_audit_failed"


async def refuse_evaluator_writes(request: Request[Any, Any, Any]) -> None:
    if request.method not in rules.UNSAFE:
        return
    try:
        principal = await provide_principal(request)
    except ProblemError:
        return  # a bad token or a missing CSRF header: the handler answers it, if it needs a user
    evaluator = principal is not None and principal.is_evaluator
    if evaluator and not rules.may_write(request.method, request.url.path):
        raise Forbidden("An evaluator reads and changes nothing.")


def _principal(scope: dict[str, Any]) -> Principal | None:
    state = scope.get("state")
    found = state.get("principal") if isinstance(state, dict) else None
    return found if isinstance(found, Principal) else None


async def _record(scope: dict[str, Any], user: Principal, status: int) -> None:
    db: Database = scope["app"].state.db
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    client = scope.get("client") or ("", 0)
    institutions = rules.institutions_read(user.evaluates, scope.get("path_params", {}), query)
    detail = {"method": scope["method"], "path": scope["path"], "query": query, "status": status}
    async with db.transaction() as conn:
        for institution_id in institutions:
            await audit.record(
                conn,
                "evaluator.read",
                actor_user_id=user.user_id,
                institution_id=institution_id,
                client_address=str(client[0]),
                detail=detail,
            )


def audit_evaluator_reads(app: ASGIApp) -> ASGIApp:
    async def middleware(asgi_scope: Scope, receive: Receive, send: Send) -> None:
        scope = cast("dict[str, Any]", asgi_scope)
        if scope["type"] != "http" or not rules.audited(scope["method"], scope["path"]):
            await app(asgi_scope, receive, send)
            return

        async def audited_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not scope.get(_FAILED):
                user = _principal(scope)
                if user is not None and user.is_evaluator:
                    try:
                        await _record(scope, user, int(message["status"]))
                    except Exception:
                        scope[_FAILED] = True
                        raise
            await send(message)

        await app(asgi_scope, receive, audited_send)

    return middleware
