"""Which pages a viewer may use, for the navigation bar: a pure function of the principal, so
the menu never offers a page that would answer 403, and a test can walk every link."""

from __future__ import annotations

from typing import NamedTuple

from service.accounts.principal import Principal
from service.common.i18n import N_


class NavLink(NamedTuple):
    href: str
    label: str
    #: The first path segment(s) that mark the link as the current page.
    prefix: str


def can_manage(user: Principal) -> bool:
    return bool(user.manages or user.admin_of or user.is_platform_admin)


def institution_home(user: Principal) -> str | None:
    """An institution admin's own institution page (the lowest id when several)."""
    return f"/institution/{min(user.admin_of)}" if user.admin_of else None


def links(user: Principal | None) -> list[NavLink]:
    found = [NavLink("/instruments", N_("Instruments"), "/instruments")]
    if user is None:
        return found
    found.append(NavLink("/bookings", N_("My bookings"), "/bookings"))
    if can_manage(user):
        found.append(NavLink("/manage", N_("Manage"), "/manage"))
    home = institution_home(user)
    if home:
        found.append(NavLink(home, N_("My institution"), "/institution"))
    if user.evaluates:
        found.append(NavLink("/evaluation", N_("Evaluation"), "/evaluation"))
    if user.is_platform_admin:
        found.append(NavLink("/admin/metrics", N_("Figures"), "/admin/metrics"))
        found.append(NavLink("/admin/institutions", N_("Directory"), "/admin/institutions"))
        found.append(NavLink("/admin/health", N_("System health"), "/admin/health"))
    found.append(NavLink("/account", N_("Account"), "/account"))
    return found
