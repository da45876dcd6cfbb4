"""Error pages: the same status, title and detail as the API's problem details, as HTML.

A visitor who needs to log in is sent to the login page instead (GET only: a form post
that lost its session gets the 401 page, since re-posting blindly would be surprising).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import HTTPException
from litestar.exceptions import NotFoundException as LitestarNotFound

from service.errors import (
    EXCEPTION_HANDLERS,
    ProblemError,
    handle_http,
    handle_problem,
)
from service.web import nav
from service.web.i18n import LANG_COOKIE, choose_language, environment
from service.web.view import SECURITY_HEADERS, login_redirect

log = logging.getLogger("service.web")


def _language(request: Request[Any, Any, Any]) -> str:
    principal = request.scope.get("state", {}).get("principal")
    return choose_language(
        request.cookies.get(LANG_COOKIE),
        getattr(principal, "language", None),
        request.headers.get("accept-language"),
    )


def _html(request: Request[Any, Any, Any], problem: Response[Any]) -> Response[Any]:
    body: dict[str, Any] = problem.content
    language = _language(request)
    is_htmx = request.headers.get("hx-request") == "true"
    template = "_error_fragment.html" if is_htmx else "error.html"
    html = (
        environment(language)
        .get_template(template)
        .render(
            problem=body,
            violations=body.get("violations", []),
            lang=language,
            user=request.scope.get("state", {}).get("principal"),
            view=None,
            csrf_token="",
            path=request.url.path,
            raw_query="",
            flash=None,
            nav_links=nav.links(request.scope.get("state", {}).get("principal")),
        )
    )
    headers = {**SECURITY_HEADERS, **dict(problem.headers)}
    headers.pop("content-type", None)
    return Response(
        html, status_code=problem.status_code, media_type=MediaType.HTML, headers=headers
    )


def page_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Any]:
    if (
        exc.status == 401
        and request.method == "GET"
        and request.headers.get("hx-request") != "true"
    ):
        return login_redirect(request.url.path)
    return _html(request, handle_problem(request, exc))


def _as_page(api_handler: Any) -> Any:
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return _html(request, api_handler(request, exc))

    return handler


#: The API's mapping, each entry rendered as a page with the same status, title and detail.
PAGE_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    **{key: _as_page(api_handler) for key, api_handler in EXCEPTION_HANDLERS.items()},
    ProblemError: page_problem,
}


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page (not the API, whose clients keep problem JSON)."""
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/health/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def browser_aware_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Unknown addresses and wrong methods outside the page router: an HTML page for a browser
    (a mistyped link in Chinese, not raw JSON), problem JSON for everyone else."""
    problem = handle_http(request, exc)
    return _html(request, problem) if wants_html(request) else problem


#: The application-wide mapping: the API's, with 404/405 rendered as pages for browsers.
APP_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    **EXCEPTION_HANDLERS,
    LitestarNotFound: browser_aware_http,
    HTTPException: browser_aware_http,
}
