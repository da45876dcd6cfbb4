"""The registry's routes, under the name the app factory collects."""

from service.registry.routes import ROUTES

__all__ = ["ROUTES"]
