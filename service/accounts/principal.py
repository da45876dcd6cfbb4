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

from service.accounts.membership import in_force_exists
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
    #: The stated institution is proven (a verified membership in force). Display and
    #: authorization use this; booking rules read the membership again in their transaction.
    affiliation_verified: bool = False

    def is_admin_of(self, institution_id: int) -> bool:
        return self.is_platform_admin or institution_id in self.admin_of

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
        return roles


_PRINCIPAL_COLUMNS = f"""
    u.id, u.email, u.display_name, u.institution_id, i.region_code, u.language, u.is_platform_admin,
    ARRAY(SELECT a.institution_id FROM institution_admin a WHERE a.user_id = u.id) AS admin_of,
    ARRAY(SELECT m.instrument_id FROM instrument_manager m WHERE m.user_id = u.id) AS manages,
    {in_force_exists("u")} AS affiliation_verified
"""

_BY_TOKEN = f"""
SELECT {_PRINCIPAL_COLUMNS}, NULL::text AS csrf_token, t.id AS token_id,
       (t.last_used_at IS NULL OR t.last_used_at < now() - interval '5 minutes') AS stale
FROM api_token t JOIN app_user u ON u.id = t.user_id JOIN institution i ON i.id = u.institution_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
  AND u.is_active
"""

_BY_SESSION = f"""
SELECT {_PRINCIPAL_COLUMNS}, s.csrf_token
FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN institution i ON i.id = u.institution_id
WHERE s.id_hash = $1 AND s.expires_at > now() AND u.is_active
"""

_BY_ID = f"""
SELECT {_PRINCIPAL_COLUMNS}, NULL::text AS csrf_token
FROM app_user u JOIN institution i ON i.id = u.institution_id WHERE u.id = $1 AND u.is_active
"""


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
        affiliation_verified=row["affiliation_verified"],
    )


async def load_principal_by_id(db: Database, user_id: int) -> Principal | None:
    row = await db.fetchrow(_BY_ID, user_id)
    return _from_row(row, False) if row else None


async def resolve_principal(db: Database, request: Request[Any, Any, Any]) -> Principal | None:
    """Bearer token first (API clients), then the session cookie (browsers)."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
        row = await db.fetchrow(_BY_TOKEN, digest(token.strip()))
        if row is None:
            raise Unauthorized("The bearer token is unknown, expired or revoked.")
        if row["stale"]:
            # Recorded at most every few minutes: a write per request would cost more than the
            # information is worth.
            await db.execute(
                "UPDATE api_token SET last_used_at = now() WHERE id = $1", row["token_id"]
            )
        return _from_row(row, False)
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    row = await db.fetchrow(_BY_SESSION, digest(session_id))
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
