"""The onboarding routes, under the name the app factory collects."""

from service.onboarding.routes import ROUTES

__all__ = ["ROUTES"]
