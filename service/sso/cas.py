"""CAS 3.0 (统一身份认证), through the python-cas client.

The service URL carries our state, so a ticket is good only for the sign-on it was issued to:
the CAS server refuses a ticket validated with another service URL, and a ticket twice. The
attributes (e-mail, name, staff number) come from `/p3/serviceValidate`.

Validation is blocking (requests) and runs in a worker thread with a short timeout.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import ParseError

import requests
from cas import CASClient

from service.sso.errors import INVALID_ANSWER, UNREACHABLE, ProviderUnavailable, SignOnRefused

TIMEOUT = 5.0


class _TimedSession(requests.Session):
    """python-cas passes no timeout and reads any answer as XML: a server that hangs must not
    hold a worker, and one that fails (5xx) is unavailable rather than refusing."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        response = super().request(*args, **kwargs)
        if response.status_code >= 500:
            response.raise_for_status()
        return response


def _client(server_url: str, service_url: str) -> Any:
    return CASClient(
        version=3, service_url=service_url, server_url=server_url.rstrip("/") + "/",
        session=_TimedSession(),
    )  # fmt: skip


def login_url(server_url: str, service_url: str) -> str:
    return str(_client(server_url, service_url).get_login_url())


def validate(server_url: str, service_url: str, ticket: str) -> tuple[str, dict[str, Any]]:
    """The CAS user and its attributes; `SignOnRefused` for a ticket the server does not
    accept (unknown, used, or issued for another service)."""
    client = _client(server_url, service_url)
    try:
        user, attributes, _ = client.verify_ticket(ticket)
    except requests.RequestException as exc:
        raise ProviderUnavailable(UNREACHABLE) from exc
    except (ParseError, IndexError, AttributeError) as exc:
        raise SignOnRefused(INVALID_ANSWER) from exc
    if not user:
        raise SignOnRefused(INVALID_ANSWER)
    return str(user), dict(attributes or {})
