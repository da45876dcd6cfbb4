"""What an evaluator may do. Pure.

An evaluator reads figures, records and exports of its institutions and changes nothing: every
unsafe request is refused, except looking after its own account (log in and out, language and
password, API tokens for scripted exports). Reads are audited (`audit.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Unsafe requests an evaluator may still make: its own session and account only (and a survey
#: answered with a link, which needs no account at all).
OWN_ACCOUNT = (
    re.compile(r"^(/api/v1/surveys/answer|/surveys)/[^/]+$"),
    re.compile(r"^/api/v1/auth/(login|logout)$"),
    re.compile(r"^/api/v1/me$"),
    re.compile(r"^/api/v1/tokens(/\d+)?$"),
    re.compile(r"^/(login|logout|language)$"),
    re.compile(r"^/account/preferences$"),
)

#: Reads that are not about the evaluated institutions: not worth an audit row each.
UNAUDITED = re.compile(r"^/(static|health|schema|swagger|metrics$|favicon)")


def may_write(method: str, path: str) -> bool:
    return method not in UNSAFE or any(p.match(path) for p in OWN_ACCOUNT)


def audited(method: str, path: str) -> bool:
    """A read by an evaluator that goes to the audit log."""
    return method in ("GET", "HEAD") and not UNAUDITED.match(path)


def institutions_read(
    assigned: frozenset[int], path_params: Mapping[str, object], query: Mapping[str, str]
) -> list[int]:
    """The assigned institutions a read concerns: the one it names (in the path or as the
    `institution` filter) when it is one of them, else all of them."""
    named = path_params.get("institution_id") or query.get("institution")
    try:
        one = int(str(named)) if named is not None else None
    except ValueError:
        one = None
    if one is not None and one in assigned:
        return [one]
    return sorted(assigned)
