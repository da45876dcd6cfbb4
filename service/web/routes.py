"""The pages: one router that gives every page the `view` dependency, the CSRF guard and HTML
error pages, and keeps them out of the API schema."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.di import Provide

from service.web import (
    pages_account,
    pages_admin,
    pages_auth,
    pages_booking_detail,
    pages_bookings,
    pages_calendar,
    pages_catalogue,
    pages_evaluation,
    pages_identity,
    pages_institution,
    pages_instrument_registry,
    pages_manage,
    pages_onboarding,
    pages_recovery,
    pages_regions,
    pages_search,
    pages_sso,
    pages_sso_admin,
    pages_surveys,
    pages_usage,
    pages_usage_edit,
)
from service.web.csrf import requires_csrf
from service.web.errors import PAGE_EXCEPTION_HANDLERS
from service.web.view import provide_view

PAGE_HANDLERS: list[Any] = [
    *pages_auth.ROUTES,
    *pages_catalogue.ROUTES,
    *pages_bookings.ROUTES,
    *pages_booking_detail.ROUTES,
    *pages_manage.ROUTES,
    *pages_account.ROUTES,
    *pages_calendar.ROUTES,
    *pages_usage.ROUTES,
    *pages_usage_edit.ROUTES,
    *pages_institution.ROUTES,
    *pages_admin.ROUTES,
    *pages_evaluation.ROUTES,
    *pages_surveys.ROUTES,
    *pages_identity.ROUTES,
    *pages_regions.ROUTES,
    *pages_onboarding.ROUTES,
    *pages_instrument_registry.ROUTES,
    *pages_search.ROUTES,
    *pages_sso.ROUTES,
    *pages_recovery.ROUTES,
    *pages_sso_admin.ROUTES,
]

pages = Router(
    path="/",
    route_handlers=PAGE_HANDLERS,
    dependencies={"view": Provide(provide_view)},
    guards=[requires_csrf],
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    include_in_schema=False,
    tags=["pages"],
)

ROUTES: list[Any] = [pages]
