"""The application factory: one place where routes, errors, OpenAPI and the lifespan meet."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from service.accounts import passwords
from service.accounts.principal import provide_principal, provide_user
from service.common.openapi import InstantSchemaPlugin, WallTimeSchemaPlugin, document_problems
from service.common.request import ServiceRequest
from service.common.time import is_instant, parse_instant
from service.db import Database
from service.evaluators.guard import audit_evaluator_reads, refuse_evaluator_writes
from service.metrics.definitions import definitions
from service.ops.prometheus import ResponseMetrics
from service.ops.shutdown import AnswerCancelledRequests
from service.settings import Settings
from service.web.errors import APP_EXCEPTION_HANDLERS

#: Domains whose `routes.ROUTES` make up the app, in the order their docs appear.
DOMAINS = (
    "ops",
    "accounts",
    "catalog",
    "availability",
    "bookings",
    "usage",
    "evaluators",
    "calendars",
    "notifications",
    "scheduler",
    "metrics",
    "surveys",
    "affiliation",
    "enterprises",
    "registry",
    "onboarding",
    "search",
    "sso",
    "web",
)

WEB_DIR = Path(__file__).parent / "web"


def _routes() -> list[Any]:
    routes: list[Any] = []
    for domain in DOMAINS:
        module = importlib.import_module(f"service.{domain}.routes")
        routes.extend(module.ROUTES)
    return routes


def _provide_db(request: Request[Any, Any, Any]) -> Database:
    db: Database = request.app.state.db
    return db


def _provide_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def create_app(
    settings: Settings,
    db: Database | None = None,
    run_scheduler: bool = False,
) -> Litestar:
    """Build the app. Pass `db` to share a pool the caller owns (tests); otherwise the app
    opens its own pool on startup and closes it on shutdown."""
    definitions(settings)  # an unknown choice of the open definitions stops the start
    passwords.limit_concurrency(settings.password_hash_concurrency)
    owns_db = db is None
    database = db or Database(
        settings.database_url or "", settings.db_pool_min, settings.db_pool_max
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if owns_db:
            await database.connect()
        scheduler = None
        if run_scheduler:
            from service.scheduler.runner import start_scheduler

            scheduler = await start_scheduler(database, settings)
        try:
            yield
        finally:
            if scheduler is not None:
                from service.scheduler.runner import stop_scheduler

                await stop_scheduler(scheduler)
            if owns_db:
                await database.close()

    static_dir = WEB_DIR / "static"
    static_dir.mkdir(exist_ok=True)
    app = Litestar(
        route_handlers=[
            *_routes(),
            create_static_files_router(
                path="/static", directories=[static_dir], name="static", include_in_schema=False
            ),
        ],
        lifespan=[lifespan],
        state=State({"settings": settings, "db": database}),
        dependencies={
            "db": Provide(_provide_db, sync_to_thread=False),
            "settings": Provide(_provide_settings, sync_to_thread=False),
            "principal": Provide(provide_principal),
            "user": Provide(provide_user),
        },
        exception_handlers=APP_EXCEPTION_HANDLERS,
        before_request=refuse_evaluator_writes,
        middleware=[audit_evaluator_reads],
        request_class=ServiceRequest,
        type_decoders=[(is_instant, lambda _type, value: parse_instant(value))],
        plugins=[InstantSchemaPlugin(), WallTimeSchemaPlugin()],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Instrument Share API",
            version="1.0.0",
            description=(
                "Share large research instruments across institutions and regions. Times are "
                "ISO 8601 with a UTC offset; errors are RFC 9457 problem details."
            ),
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                }
            ),
            security=[{"bearer": []}],
        ),
        template_config=TemplateConfig(directory=WEB_DIR / "templates", engine=JinjaTemplateEngine),
        # Logging is configured once by the CLI (JSON lines); Litestar's own config would
        # replace the root handlers.
        logging_config=None,
        debug=False,
    )
    document_problems(app)
    # Litestar runs app-level middleware only for matched routes; wrapped around the outermost
    # handler, these also see 404s for unknown paths and 405s: every response is counted, and
    # a request cancelled by a shutdown is answered with 503.
    app.asgi_handler = ResponseMetrics(AnswerCancelledRequests(app.asgi_handler))
    return app
