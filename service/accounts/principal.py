"""Who is calling: the principal resolved from a bearer token or a session cookie.

Loaded with one query per request, with everything authorization needs (own institution and
region, institutions administered, instruments managed), so object-level checks are set
lookups and never extra round trips.
"""

from __future__ import annotations

import hmac
from typing import Any

import msgspec
from litestar import Request

from service.accounts import sql
from service.accounts.secrets import digest
from service.db import Database
from service.errors import Forbidden, Unauthorized

SESSION_COOKIE = "is_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Principal(msgspec.Struct, frozen=True):
    user_id: int
    email: str
    display_name: str
    institution_id: int
    region_code: str
    language: str
    is_platform_admin: bool
    admin_of: frozenset[int]
    manages: frozenset[int]
    via_session: bool = False
    csrf_token: str | None = None
    #: Institutions this user evaluates (a third-party evaluation agency): read-only access to
    #: their figures, records and exports; an evaluator changes nothing (`readonly`).
    evaluates: frozenset[int] = frozenset()
    #: The stated institution is proven (a verified membership in force). Display and
    #: authorization use this; booking rules read the membership again in their transaction.
    affiliation_verified: bool = False

    def is_admin_of(self, institution_id: int) -> bool:
        return self.is_platform_admin or institution_id in self.admin_of

    @property
    def is_evaluator(self) -> bool:
        return bool(self.evaluates)

    def can_read_records(self, institution_id: int) -> bool:
        """Figures, usage and service records of the institution: its admins, its evaluators."""
        return self.is_admin_of(institution_id) or institution_id in self.evaluates

    def can_manage_instrument(self, instrument_id: int, institution_id: int) -> bool:
        """Managers of the instrument, admins of its institution, platform admins."""
        return instrument_id in self.manages or self.is_admin_of(institution_id)

    @property
    def roles(self) -> list[str]:
        roles = ["researcher"]
        if self.manages:
            roles.append("instrument_manager")
        if self.admin_of:
            roles.append("institution_admin")
        if self.is_platform_admin:
            roles.append("platform_admin")
        if self.evaluates:
            roles.append("evaluator")
        return roles


def _from_row(row: Any, via_session: bool) -> Principal:
    return Principal(
        user_id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        institution_id=row["institution_id"],
        region_code=row["region_code"],
        language=row["language"],
        is_platform_admin=row["is_platform_admin"],
        admin_of=frozenset(row["admin_of"]),
        manages=frozenset(row["manages"]),
        via_session=via_session,
        csrf_token=row["csrf_token"],
        evaluates=frozenset(row["evaluates"]),
        affiliation_verified=row["affiliation_verified"],
    )


async def load_principal_by_id(db: Database, user_id: int) -> Principal | None:
    row = await db.fetchrow(sql.PRINCIPAL_BY_ID, user_id)
    return _from_row(row, False) if row else None


async def resolve_principal(db: Database, request: Request[Any, Any, Any]) -> Principal | None:
    """Bearer token first (API clients), then the session cookie (browsers)."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
        row = await db.fetchrow(sql.PRINCIPAL_BY_TOKEN, digest(token.strip()))
        if row is None:
            raise Unauthorized("The bearer token is unknown, expired or revoked.")
        if row["stale"]:
            # Recorded at most every few minutes: a write per request would cost more than the
            # information is worth.
            await db.execute(sql.TOUCH_TOKEN, row["token_id"])
        return _from_row(row, False)
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    row = await db.fetchrow(sql.PRINCIPAL_BY_SESSION, digest(session_id))
    if row is None:
        return None
    principal = _from_row(row, True)
    if request.method in UNSAFE_METHODS and request.url.path.startswith("/api/"):
        sent = request.headers.get(CSRF_HEADER)
        if not sent or not hmac.compare_digest(sent, principal.csrf_token or ""):
            raise Forbidden("A session-authenticated API write needs the X-CSRF-Token header.")
    return principal


async def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    cached = request.scope.get("state", {}).get("principal", msgspec.UNSET)
    if cached is not msgspec.UNSET:
        return cached  # type: ignore[no-any-return]
    db: Database = request.app.state.db
    principal = await resolve_principal(db, request)
    request.scope.setdefault("state", {})["principal"] = principal
    return principal


async def provide_user(request: Request[Any, Any, Any]) -> Principal:
    principal = await provide_principal(request)
    if principal is None:
        raise Unauthorized("Log in or send a bearer token.")
    return principal


def require_platform_admin(user: Principal) -> None:
    if not user.is_platform_admin:
        raise Forbidden("Only platform administrators may do this.")
