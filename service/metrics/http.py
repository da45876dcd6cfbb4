"""HTTP plumbing shared by the metrics routes: dependency types, query parameters, the range
check and the language of labels."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from service.accounts.principal import Principal
from service.common.i18n import negotiate
from service.common.openapi import problem_spec
from service.db import Database
from service.errors import Unprocessable
from service.metrics.periods import check_range
from service.settings import Settings

TAGS = ["metrics"]
DB = NamedDependency[Database]
User = NamedDependency[Principal]
Conf = NamedDependency[Settings]
AnyRequest = Request[Any, Any, Any]

ERRORS = {
    401: problem_spec("Not logged in"),
    403: problem_spec("Researchers see only their own usage (/api/v1/metrics/mine)"),
    422: problem_spec("Bad range (to ≤ from, over 10 years) or filter value"),
}


def language(request: AnyRequest, user: Principal) -> str:
    """An explicit Accept-Language wins; otherwise the user's own setting."""
    accept = request.headers.get("accept-language")
    return negotiate(accept) if accept else negotiate(None, user.language)


def check(date_from: date, date_to: date) -> None:
    problem = check_range(date_from, date_to)
    if problem:
        raise Unprocessable(problem, extra={"violations": [{"rule": "range", "message": problem}]})


def period_or(
    date_from: date | None, date_to: date | None, default: tuple[date, date]
) -> tuple[date, date]:
    """Both dates, or the default range when neither is given."""
    if date_from is None and date_to is None:
        return default
    if date_from is None or date_to is None:
        message = "Give both 'from' and 'to', or neither."
        raise Unprocessable(message, extra={"violations": [{"rule": "range", "message": message}]})
    check(date_from, date_to)
    return date_from, date_to
