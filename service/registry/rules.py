"""Who may read which part of the registry exports (pure)."""

from __future__ import annotations

from service.accounts.principal import Principal
from service.errors import Forbidden


def institutions_in_scope(user: Principal, institution: int | None) -> list[int] | None:
    """The institutions whose records the caller may export; None means all (platform admins).

    Institution admins see their own institutions' records (which carry contact details and
    asset numbers); researchers and managers use the public catalogue instead.
    """
    if user.is_platform_admin:
        return None if institution is None else [institution]
    if not user.admin_of:
        raise Forbidden("Registry exports are for platform admins and institution admins.")
    if institution is None:
        return sorted(user.admin_of)
    if institution not in user.admin_of:
        raise Forbidden("You are not an admin of this institution.")
    return [institution]
