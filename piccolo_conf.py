"""Piccolo configuration: the engine follows `DATABASE_URL` (set by the CLI for the embedded
server before this module is imported)."""

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB = PostgresEngine(
    config={"dsn": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")}
)

APP_REGISTRY = AppRegistry(apps=["service.piccolo_app"])
